"""memory-api: conversations, knowledge and search over SQLite (stdlib only).

Run: python3 server.py   (PORT, MEMORY_DB_PATH, APP_VERSION, LOG_LEVEL, API_TOKEN and
API_ALLOWED_ORIGINS from the environment; every write needs the token, docs/API.md)
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

# The shared module lives in services/pylib on the host and in /app/pylib in the image:
# the same relative layout, so one line serves both.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "pylib"))

from galaxy_http import App, HttpError, Logger, Request, Response, WriteGuard, env_int, run_forever  # noqa: E402
from store import Store, ValidationError  # noqa: E402

SERVICE = "memory-api"


def create_app(db_path: str, version: str = "dev", logger: Logger | None = None, *, guard: WriteGuard) -> App:
    log = logger or Logger(SERVICE, os.environ.get("LOG_LEVEL", "info"))
    app = App(SERVICE, version, log, guard)
    store = Store(db_path)
    app.store = store  # type: ignore[attr-defined]  # tests reach the store through the app

    def created(fn, data):
        try:
            return Response(201, fn(data))
        except ValidationError as err:
            raise HttpError(400, str(err))

    @app.route("GET", "/health")
    def health(_req: Request) -> Response:
        try:
            latency = store.ping()
            return Response(200, {"status": "ok", "service": SERVICE, "version": version,
                                  "checks": {"database": {"status": "ok", "latency_ms": round(latency, 2)}}})
        except Exception as err:  # any database failure means this service cannot do its job
            log.error("health check failed", error=repr(err))
            return Response(503, {"status": "down", "service": SERVICE, "version": version,
                                  "checks": {"database": {"status": "down", "error": str(err)}}})

    @app.route("GET", "/metrics")
    def metrics(_req: Request) -> Response:
        return Response(200, app.metrics.render(), "text/plain; version=0.0.4; charset=utf-8")

    @app.route("GET", "/stats")
    def stats(_req: Request) -> Response:
        return Response(200, store.stats())

    @app.route("POST", "/conversations")
    def add_conversation(req: Request) -> Response:
        return created(store.add_conversation, req.json())

    @app.route("GET", "/conversations")
    def list_conversations(req: Request) -> Response:
        items = store.list_conversations(req.int_arg("limit", 20, 1, 500))
        return Response(200, {"items": items, "count": len(items)})

    @app.route("GET", "/conversations/{id:int}")
    def get_conversation(req: Request) -> Response:
        item = store.get_conversation(req.params["id"])
        if item is None:
            raise HttpError(404, "conversation not found")
        return Response(200, item)

    @app.route("POST", "/knowledge")
    def add_knowledge(req: Request) -> Response:
        return created(store.add_knowledge, req.json())

    @app.route("GET", "/knowledge")
    def list_knowledge(req: Request) -> Response:
        items = store.list_knowledge(req.int_arg("limit", 50, 1, 1000), req.arg("kind"), req.arg("tag"))
        return Response(200, {"items": items, "count": len(items)})

    @app.route("GET", "/search")
    def search(req: Request) -> Response:
        q = (req.arg("q") or "").strip()
        if not q:
            raise HttpError(400, "q is required")
        results = store.search(q, req.int_arg("limit", 20, 1, 200))
        return Response(200, {"query": q, "engine": "fts5" if store.fts else "like",
                              "results": results, "count": len(results)})

    return app


def main() -> int:
    version = os.environ.get("APP_VERSION", "dev")
    db_path = os.environ.get("MEMORY_DB_PATH", "/data/memory.db")
    app = create_app(db_path, version, guard=WriteGuard.from_env())
    app.log.info("database ready", path=db_path, search="fts5" if app.store.fts else "like")  # type: ignore[attr-defined]
    return run_forever(app, os.environ.get("HOST", "0.0.0.0"), env_int("PORT", 37778))


if __name__ == "__main__":
    sys.exit(main())
