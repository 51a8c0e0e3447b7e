"""JSON log lines for the Python reference services: one object per line on stdout, the shape
docs/DEVELOPING.md defines for every service, so `make logs --grep` and jq read them all alike.
"""
from __future__ import annotations

import json
import sys
import threading
from datetime import datetime, timezone
from typing import Any

LEVELS = {"debug": 10, "info": 20, "warn": 30, "error": 40}


class Logger:
    """One JSON object per line on stdout, so `docker compose logs` can be parsed with jq."""

    def __init__(self, service: str, level: str = "info", stream=None):
        self.service = service
        self.threshold = LEVELS.get(level.lower(), 20)
        self.stream = stream or sys.stdout
        self._lock = threading.Lock()

    def log(self, level: str, msg: str, **fields: Any) -> None:
        if LEVELS.get(level, 20) < self.threshold:
            return
        record = {
            "time": datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": level,
            "service": self.service,
            "msg": msg,
        }
        record.update(fields)
        line = json.dumps(record, default=str, separators=(",", ":"))
        with self._lock:
            self.stream.write(line + "\n")
            self.stream.flush()

    def info(self, msg: str, **fields: Any) -> None:
        self.log("info", msg, **fields)

    def warn(self, msg: str, **fields: Any) -> None:
        self.log("warn", msg, **fields)

    def error(self, msg: str, **fields: Any) -> None:
        self.log("error", msg, **fields)
