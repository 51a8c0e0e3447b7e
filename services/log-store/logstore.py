"""The log store's first process: runs rsyslogd (the collector, rsyslog.conf) and enforces the
retention that rsyslog itself does not have: every RETENTION_CHECK_SECONDS it deletes whole past
hourly files older than LOG_MAX_AGE_DAYS, then the oldest ones while the store is over
LOG_MAX_SIZE_MB. The hour being written is never deleted. SIGTERM stops rsyslogd, then this.
"""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "pylib"))
from galaxy_log import Logger  # noqa: E402

# The names rsyslog.conf's hourFile template writes; anything else in the folder is left alone.
HOUR_FILE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}\.jsonl$")


@dataclass(frozen=True)
class StoreFile:
    name: str
    size: int
    mtime: float


def decide(files: list[StoreFile], now: float, max_age_seconds: float, max_bytes: int) -> list[str]:
    """Pure: the hourly files to delete, oldest first. Age first (a file last written more than
    max_age_seconds ago), then size (the oldest while the rest is over max_bytes). The newest hour
    is kept whatever its size or age: rsyslog may be writing it."""
    hours = sorted((f for f in files if HOUR_FILE.match(f.name)), key=lambda f: f.name)
    if len(hours) <= 1:
        return []
    candidates, newest = hours[:-1], hours[-1]
    doomed = [f for f in candidates if now - f.mtime > max_age_seconds]
    kept = [f for f in candidates if f not in doomed]
    total = sum(f.size for f in kept) + newest.size
    for f in kept:
        if total <= max_bytes:
            break
        doomed.append(f)
        total -= f.size
    return sorted(f.name for f in doomed)


def positive_number(env: dict[str, str], name: str, default: str) -> float:
    """The kit checks these in .env before compose runs (scripts/lib/env.ts); this is the last guard."""
    raw = env.get(name, "") or default
    try:
        value = float(raw)
    except ValueError:
        value = -1
    if value <= 0:
        raise SystemExit(f"log-store: {name}={raw} is not a positive number: fix it in .env")
    return value


def scan(folder: Path) -> list[StoreFile]:
    out = []
    for entry in os.scandir(folder):
        if entry.is_file(follow_symlinks=False):
            st = entry.stat(follow_symlinks=False)
            out.append(StoreFile(entry.name, st.st_size, st.st_mtime))
    return out


def enforce(folder: Path, max_age_seconds: float, max_bytes: int, log: Logger) -> None:
    files = scan(folder)
    doomed = decide(files, time.time(), max_age_seconds, max_bytes)
    for name in doomed:
        try:
            (folder / name).unlink()
        except FileNotFoundError:
            pass
    if doomed:
        left = sum(f.size for f in files if f.name not in doomed)
        log.info("retention deleted hourly files", files=doomed, bytes_left=left)


def main() -> int:
    env = dict(os.environ)
    log = Logger("log-store", env.get("LOG_LEVEL", "info"))
    folder = Path(env.get("LOG_STORE_DIR", "/logs"))
    max_age = positive_number(env, "LOG_MAX_AGE_DAYS", "14") * 86400
    max_bytes = int(positive_number(env, "LOG_MAX_SIZE_MB", "1024") * 1024 * 1024)
    every = positive_number(env, "RETENTION_CHECK_SECONDS", "60")
    if not os.access(folder, os.W_OK):
        raise SystemExit(f"log-store: {folder} is not writable by uid {os.getuid()}: make start creates and owns it")
    child = subprocess.Popen(["rsyslogd", "-n", "-f", "/etc/galaxy/rsyslog.conf", "-i", "/tmp/rsyslogd.pid"])
    signal.signal(signal.SIGTERM, lambda *_: child.terminate())
    signal.signal(signal.SIGINT, lambda *_: child.terminate())
    log.info("collecting", folder=str(folder), max_age_days=max_age / 86400, max_size_mb=max_bytes // 1048576)
    while True:
        try:
            enforce(folder, max_age, max_bytes, log)
        except OSError as err:
            # Collecting matters more than deleting: say so and try again next round.
            log.warn("retention failed", error=str(err))
        try:
            code = child.wait(timeout=every)
        except subprocess.TimeoutExpired:
            continue
        log.info("rsyslogd exited", code=code)
        return 0 if code in (0, -signal.SIGTERM) else 1


if __name__ == "__main__":
    sys.exit(main())
