"""Shared HTTP plumbing for the Python reference services (stdlib only).

memory-api and experience-api both need JSON logs, the project's metrics (galaxy_metrics.py),
a small router and a graceful SIGTERM stop; keeping them here means the contract in
docs/DEVELOPING.md is written down once. Both images copy pylib/ next to their own code.
"""
from __future__ import annotations

import json
import os
import re
import signal
import sys
import threading
import time
from datetime import datetime, timezone
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Optional
from urllib.parse import parse_qs, urlsplit

from galaxy_metrics import Metrics

LEVELS = {"debug": 10, "info": 20, "warn": 30, "error": 40}
MAX_BODY = 1_000_000


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


class HttpError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


class Request:
    def __init__(self, method: str, path: str, query: dict[str, list[str]], body: bytes, params: dict[str, str]):
        self.method = method
        self.path = path
        self.query = query
        self.body = body
        self.params = params

    def arg(self, name: str, default: Optional[str] = None) -> Optional[str]:
        values = self.query.get(name)
        return values[0] if values else default

    def int_arg(self, name: str, default: int, low: int, high: int) -> int:
        raw = self.arg(name)
        if raw is None or raw == "":
            return default
        try:
            value = int(raw)
        except ValueError:
            raise HttpError(400, f"{name} must be an integer")
        return max(low, min(high, value))

    def json(self) -> dict:
        if not self.body:
            raise HttpError(400, "request body must be a JSON object")
        try:
            data = json.loads(self.body)
        except (ValueError, UnicodeDecodeError):
            raise HttpError(400, "request body is not valid JSON")
        if not isinstance(data, dict):
            raise HttpError(400, "request body must be a JSON object")
        return data


class Response:
    def __init__(self, status: int, body: Any, content_type: str = "application/json"):
        self.status = status
        self.body = body
        self.content_type = content_type

    def encode(self) -> bytes:
        if isinstance(self.body, (bytes, bytearray)):
            return bytes(self.body)
        if isinstance(self.body, str):
            return self.body.encode()
        return json.dumps(self.body, default=str).encode()


Handler = Callable[[Request], Response]


class Router:
    """Routes are templates like /conversations/{id}; the template is the metrics `route` label,
    so ids never explode label cardinality."""

    def __init__(self):
        self._routes: list[tuple[str, str, re.Pattern, Handler]] = []

    def add(self, method: str, template: str, handler: Handler) -> None:
        pattern = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", template)
        self._routes.append((method, template, re.compile(f"^{pattern}$"), handler))

    def match(self, method: str, path: str) -> tuple[str, Optional[Handler], dict[str, str]]:
        path_known = False
        for m, template, rx, handler in self._routes:
            found = rx.match(path)
            if found:
                path_known = True
                if m == method or (method == "HEAD" and m == "GET"):
                    return template, handler, found.groupdict()
        return ("method_not_allowed" if path_known else "unmatched"), None, {}


class App:
    def __init__(self, service: str, version: str, logger: Logger):
        self.service = service
        self.version = version
        self.log = logger
        self.metrics = Metrics(service, version)
        self.router = Router()

    def route(self, method: str, template: str):
        def deco(fn: Handler) -> Handler:
            self.router.add(method, template, fn)
            return fn
        return deco

    def dispatch(self, method: str, raw_path: str, body: bytes) -> tuple[str, Response]:
        parts = urlsplit(raw_path)
        route, handler, params = self.router.match(method, parts.path)
        if handler is None:
            status = 405 if route == "method_not_allowed" else 404
            return route, Response(status, {"error": HTTPStatus(status).phrase.lower()})
        req = Request(method, parts.path, parse_qs(parts.query), body, params)
        try:
            return route, handler(req)
        except HttpError as err:
            return route, Response(err.status, {"error": err.message})
        except Exception as err:  # a bug must answer 500 and be logged, not kill the thread silently
            self.log.error("unhandled error", route=route, error=repr(err))
            return route, Response(500, {"error": "internal error"})


def make_handler(app: App):
    class GalaxyHandler(BaseHTTPRequestHandler):
        server_version = app.service
        # Idle keep-alive sockets would hold a worker thread open during a graceful stop.
        timeout = 5

        def _handle(self) -> None:
            started = time.perf_counter()
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY:
                route, resp = "too_large", Response(413, {"error": "body too large"})
            else:
                body = self.rfile.read(length) if length else b""
                route, resp = app.dispatch(self.command, self.path, body)
            payload = resp.encode()
            self.send_response(resp.status)
            self.send_header("Content-Type", resp.content_type)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(payload)
            elapsed = time.perf_counter() - started
            app.metrics.observe(self.command, route, resp.status, elapsed)
            if route not in ("/health", "/metrics") or resp.status >= 400:
                app.log.info("request", method=self.command, path=self.path.split("?")[0], route=route,
                             status=resp.status, duration_ms=round(elapsed * 1000, 2),
                             remote=self.client_address[0])

        do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _handle

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
            pass  # access lines are written as JSON in _handle

    return GalaxyHandler


class GalaxyServer(ThreadingHTTPServer):
    daemon_threads = False  # server_close() then waits for in-flight requests
    block_on_close = True
    allow_reuse_address = True


def start_server(app: App, host: str, port: int) -> tuple[GalaxyServer, threading.Thread]:
    """Start serving in a background thread; returns the server (port 0 picks a free port)."""
    server = GalaxyServer((host, port), make_handler(app))
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True)
    thread.start()
    return server, thread


def stop_server(app: App, server: GalaxyServer, grace: float = 8.0) -> bool:
    """Stop accepting, then wait up to `grace` seconds for in-flight requests. True when drained."""
    server.shutdown()
    closer = threading.Thread(target=server.server_close, daemon=True)
    closer.start()
    closer.join(grace)
    drained = not closer.is_alive()
    if not drained:
        app.log.warn("in-flight requests still running at shutdown deadline")
    return drained


def run_forever(app: App, host: str, port: int) -> int:
    """Serve until SIGTERM/SIGINT, then drain and return 0 (the contract: exit 0 within 10 s)."""
    stop = threading.Event()

    def on_signal(signum, _frame):
        app.log.info("signal received, stopping", signal=signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    server, _ = start_server(app, host, port)
    app.log.info("listening", host=host, port=server.server_address[1], version=app.version, pid=os.getpid())
    while not stop.wait(1.0):
        pass
    stop_server(app, server)
    app.log.info("stopped")
    return 0


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "")
    try:
        return int(raw) if raw else default
    except ValueError:
        raise SystemExit(f"error: {name} must be an integer, got {raw!r}")
