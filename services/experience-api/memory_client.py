"""Minimal JSON client for memory-api; every call is bounded by a timeout."""
from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from typing import Any, Optional


class MemoryUnavailable(Exception):
    """memory-api could not be reached or answered 5xx."""


class MemoryRejected(Exception):
    """memory-api answered 4xx: the caller's input was wrong."""

    def __init__(self, status: int, body: Any):
        super().__init__(f"memory-api answered {status}")
        self.status = status
        self.body = body


class MemoryClient:
    """`token` is the stack's API token: memory-api admits writes only with it (docs/SECURITY.md)."""

    def __init__(self, base_url: str, timeout: float = 3.0, token: Optional[str] = None):
        self.base = base_url.rstrip("/")
        self.timeout = timeout
        self.token = token

    def request(self, method: str, path: str, body: Optional[dict] = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        req = urllib.request.Request(self.base + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                return json.loads(resp.read() or b"null")
        except urllib.error.HTTPError as err:
            try:
                payload = json.loads(err.read() or b"null")
            except ValueError:
                payload = None
            if 400 <= err.code < 500:
                raise MemoryRejected(err.code, payload)
            raise MemoryUnavailable(f"memory-api answered {err.code}")
        except (OSError, ValueError) as err:  # refused, DNS failure, timeout, garbage body
            raise MemoryUnavailable(str(err))

    def health(self) -> dict:
        started = time.perf_counter()
        try:
            body = self.request("GET", "/health")
            state = "ok" if isinstance(body, dict) and body.get("status") == "ok" else "degraded"
            return {"status": state, "latency_ms": round((time.perf_counter() - started) * 1000, 2)}
        except (MemoryUnavailable, MemoryRejected) as err:
            return {"status": "down", "error": str(err),
                    "latency_ms": round((time.perf_counter() - started) * 1000, 2)}
