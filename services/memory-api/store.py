"""SQLite storage for memory-api: conversations, knowledge and a search index.

One connection per call: ThreadingHTTPServer runs each request on its own thread, and WAL mode
lets readers proceed while the single writer commits.
"""
from __future__ import annotations

import json
import os
import re
import sqlite3
import time
from contextlib import contextmanager
from typing import Any, Iterator, Optional

SCHEMA = """
CREATE TABLE IF NOT EXISTS conversations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    session TEXT,
    messages TEXT NOT NULL,
    metadata TEXT NOT NULL DEFAULT '{}',
    created_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS knowledge (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    title TEXT NOT NULL DEFAULT '',
    content TEXT NOT NULL,
    tags TEXT NOT NULL DEFAULT '[]',
    metadata TEXT NOT NULL DEFAULT '{}',
    created_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS knowledge_kind ON knowledge(kind, id);
CREATE TABLE IF NOT EXISTS search_plain (
    kind TEXT NOT NULL,
    ref_id INTEGER NOT NULL,
    body TEXT NOT NULL
);
"""


class ValidationError(ValueError):
    pass


def _iso(ts: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ts)) + f".{int((ts % 1) * 1000):03d}Z"


def _str_list(value: Any, field: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValidationError(f"{field} must be a list of strings")
    return [v.strip() for v in value if v.strip()][:50]


def _obj(value: Any, field: str) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ValidationError(f"{field} must be an object")
    return value


def fts_query(text: str) -> str:
    """Quote every word so user input can never be FTS5 syntax (AND, NEAR, "...", column:)."""
    words = re.findall(r"\w+", text)
    return " ".join(f'"{w}"' for w in words[:20])


class Store:
    def __init__(self, path: str):
        self.path = path
        if path != ":memory:":
            os.makedirs(os.path.dirname(os.path.abspath(path)) or ".", exist_ok=True)
        with self.connect() as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript(SCHEMA)
            self.fts = self._try_fts(db)

    @staticmethod
    def _try_fts(db: sqlite3.Connection) -> bool:
        try:
            db.execute("CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5(kind UNINDEXED, ref_id UNINDEXED, body)")
            return True
        except sqlite3.OperationalError:
            return False  # SQLite built without FTS5: search falls back to LIKE on search_plain

    @contextmanager
    def connect(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path, timeout=5.0)
        db.row_factory = sqlite3.Row
        try:
            db.execute("PRAGMA busy_timeout=5000")
            db.execute("PRAGMA synchronous=NORMAL")
            with db:  # commits on success, rolls back on error
                yield db
        finally:
            db.close()

    def ping(self) -> float:
        started = time.perf_counter()
        with self.connect() as db:
            db.execute("SELECT count(*) FROM conversations").fetchone()
        return (time.perf_counter() - started) * 1000

    def _index(self, db: sqlite3.Connection, kind: str, ref_id: int, body: str) -> None:
        table = "search_fts" if self.fts else "search_plain"
        db.execute(f"INSERT INTO {table}(kind, ref_id, body) VALUES (?, ?, ?)", (kind, ref_id, body))

    # conversations -----------------------------------------------------------------------------
    def add_conversation(self, data: dict) -> dict:
        messages = data.get("messages")
        if not isinstance(messages, list) or not messages:
            raise ValidationError("messages must be a non-empty list of {role, content}")
        clean = []
        for m in messages[:100]:
            if not isinstance(m, dict) or not isinstance(m.get("content"), str) or not m["content"].strip():
                raise ValidationError("each message needs a non-empty string content")
            clean.append({"role": str(m.get("role") or "user")[:32], "content": m["content"][:20000]})
        session = data.get("session")
        if session is not None and not isinstance(session, str):
            raise ValidationError("session must be a string")
        metadata = _obj(data.get("metadata"), "metadata")
        now = time.time()
        with self.connect() as db:
            cur = db.execute(
                "INSERT INTO conversations(session, messages, metadata, created_at) VALUES (?, ?, ?, ?)",
                (session, json.dumps(clean), json.dumps(metadata), now),
            )
            cid = cur.lastrowid
            self._index(db, "conversation", cid, "\n".join(m["content"] for m in clean))
        return {"id": cid, "session": session, "messages": clean, "metadata": metadata, "created_at": _iso(now)}

    @staticmethod
    def _conversation(row: sqlite3.Row) -> dict:
        return {"id": row["id"], "session": row["session"], "messages": json.loads(row["messages"]),
                "metadata": json.loads(row["metadata"]), "created_at": _iso(row["created_at"])}

    def list_conversations(self, limit: int) -> list[dict]:
        with self.connect() as db:
            rows = db.execute("SELECT * FROM conversations ORDER BY id DESC LIMIT ?", (limit,)).fetchall()
        return [self._conversation(r) for r in rows]

    def get_conversation(self, cid: int) -> Optional[dict]:
        with self.connect() as db:
            row = db.execute("SELECT * FROM conversations WHERE id = ?", (cid,)).fetchone()
        return self._conversation(row) if row else None

    # knowledge ---------------------------------------------------------------------------------
    def add_knowledge(self, data: dict) -> dict:
        content = data.get("content")
        if not isinstance(content, str) or not content.strip():
            raise ValidationError("content must be a non-empty string")
        kind = data.get("kind") or "note"
        title = data.get("title") or ""
        if not isinstance(kind, str) or not re.fullmatch(r"[a-z][a-z0-9_-]{0,31}", kind):
            raise ValidationError("kind must match [a-z][a-z0-9_-]{0,31}")
        if not isinstance(title, str):
            raise ValidationError("title must be a string")
        tags = [t.lower() for t in _str_list(data.get("tags"), "tags")]
        metadata = _obj(data.get("metadata"), "metadata")
        now = time.time()
        with self.connect() as db:
            cur = db.execute(
                "INSERT INTO knowledge(kind, title, content, tags, metadata, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                (kind, title[:500], content[:50000], json.dumps(tags), json.dumps(metadata), now),
            )
            kid = cur.lastrowid
            self._index(db, "knowledge", kid, f"{title}\n{content}\n{' '.join(tags)}")
        return {"id": kid, "kind": kind, "title": title[:500], "content": content[:50000], "tags": tags,
                "metadata": metadata, "created_at": _iso(now)}

    @staticmethod
    def _knowledge(row: sqlite3.Row) -> dict:
        return {"id": row["id"], "kind": row["kind"], "title": row["title"], "content": row["content"],
                "tags": json.loads(row["tags"]), "metadata": json.loads(row["metadata"]),
                "created_at": _iso(row["created_at"])}

    def list_knowledge(self, limit: int, kind: Optional[str] = None, tag: Optional[str] = None) -> list[dict]:
        sql, args = "SELECT * FROM knowledge", []
        where = []
        if kind:
            where.append("kind = ?")
            args.append(kind)
        if tag:
            # tags are stored as a JSON array; json_each keeps the match exact
            where.append("EXISTS (SELECT 1 FROM json_each(knowledge.tags) WHERE value = ?)")
            args.append(tag.lower())
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY id DESC LIMIT ?"
        args.append(limit)
        with self.connect() as db:
            rows = db.execute(sql, args).fetchall()
        return [self._knowledge(r) for r in rows]

    # search / stats ----------------------------------------------------------------------------
    def search(self, q: str, limit: int) -> list[dict]:
        with self.connect() as db:
            if self.fts:
                match = fts_query(q)
                if not match:
                    return []
                rows = db.execute(
                    "SELECT kind, ref_id, snippet(search_fts, 2, '[', ']', '...', 12) AS snippet "
                    "FROM search_fts WHERE search_fts MATCH ? ORDER BY rank LIMIT ?", (match, limit)).fetchall()
            else:
                like = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
                rows = db.execute(
                    "SELECT kind, ref_id, substr(body, 1, 200) AS snippet FROM search_plain "
                    "WHERE body LIKE ? ESCAPE '\\' ORDER BY rowid DESC LIMIT ?", (like, limit)).fetchall()
        return [{"kind": r["kind"], "id": int(r["ref_id"]), "snippet": r["snippet"]} for r in rows]

    def stats(self) -> dict:
        with self.connect() as db:
            conv = db.execute("SELECT count(*) FROM conversations").fetchone()[0]
            know = db.execute("SELECT count(*) FROM knowledge").fetchone()[0]
            kinds = {r[0]: r[1] for r in db.execute("SELECT kind, count(*) FROM knowledge GROUP BY kind")}
        size = os.path.getsize(self.path) if os.path.exists(self.path) else 0
        return {"conversations": conv, "knowledge": know, "knowledge_by_kind": kinds,
                "search": "fts5" if self.fts else "like", "db_size_bytes": size}
