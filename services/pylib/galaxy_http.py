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
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Optional
from urllib.parse import parse_qs, urlsplit

# Re-exported: the services import these from here.
from galaxy_input import (INT_MAX, INT_MIN, MAX_BODY, MAX_DEPTH, HttpError, env_int, parse_int_param, parse_json,  # noqa: F401
                          read_chunked)
from galaxy_auth import READ_METHODS, BasicAuth, WriteGuard, check_token  # noqa: F401  (re-exported)
from galaxy_log import LEVELS, Logger  # noqa: F401  (re-exported: the services import Logger from here)
from galaxy_metrics import Metrics

class Request:
    def __init__(self, method: str, path: str, query: dict[str, list[str]], body: bytes, params: dict[str, Any],
                 headers: Any = None):
        self.method = method
        self.path = path
        self.query = query
        self.body = body
        self.params = params
        self.headers = headers if headers is not None else {}  # case-insensitive http.client headers when served

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
        data = parse_json(self.body)
        if not isinstance(data, dict):
            raise HttpError(400, "request body must be a JSON object")
        return data


class Response:
    def __init__(self, status: int, body: Any, content_type: str = "application/json",
                 headers: Optional[dict[str, str]] = None):
        self.status = status
        self.body = body
        self.content_type = content_type
        self.headers = headers or {}

    def encode(self) -> bytes:
        if isinstance(self.body, (bytes, bytearray)):
            return bytes(self.body)
        if isinstance(self.body, str):
            return self.body.encode()
        return json.dumps(self.body, default=str).encode()


Handler = Callable[[Request], Response]


def _raiser(err: HttpError) -> Handler:
    def handler(_req: Request) -> Response:
        raise err
    return handler


class Router:
    """Routes are templates like /conversations/{id}; the template is the metrics `route` label,
    so ids never explode label cardinality.

    A parameter written {id:int} reaches the handler as an int: the router parses it
    (parse_int_param, 400 when it is not one) so no handler parses ids itself; the label is
    written without the type (/conversations/{id})."""

    def __init__(self):
        self._routes: list[tuple[str, str, re.Pattern, Handler, set[str]]] = []

    def add(self, method: str, template: str, handler: Handler) -> None:
        ints = set(re.findall(r"\{(\w+):int\}", template))
        label = re.sub(r"\{(\w+):int\}", r"{\1}", template)
        pattern = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", label)
        self._routes.append((method, label, re.compile(f"^{pattern}$"), handler, ints))

    def match(self, method: str, path: str) -> tuple[str, Optional[Handler], dict[str, Any]]:
        path_known = False
        for m, template, rx, handler, ints in self._routes:
            found = rx.match(path)
            if found:
                path_known = True
                if m == method or (method == "HEAD" and m == "GET"):
                    params: dict[str, Any] = found.groupdict()
                    try:
                        for name in ints:
                            params[name] = parse_int_param(name, params[name])
                    except HttpError as err:
                        return template, _raiser(err), params  # answered under the route's label
                    return template, handler, params
        return ("method_not_allowed" if path_known else "unmatched"), None, {}


class App:
    """`guard` admits writes (WriteGuard); the default, without a token, refuses every write."""

    def __init__(self, service: str, version: str, logger: Logger, guard: Optional[WriteGuard] = None):
        self.service = service
        self.version = version
        self.log = logger
        self.metrics = Metrics(service, version)
        self.router = Router()
        self.guard = guard or WriteGuard()

    def route(self, method: str, template: str):
        def deco(fn: Handler) -> Handler:
            self.router.add(method, template, fn)
            return fn
        return deco

    def dispatch(self, method: str, raw_path: str, body: bytes, headers: Any = None) -> tuple[str, Response]:
        try:
            parts = urlsplit(raw_path)
        except ValueError:  # e.g. an absolute-form target "http://[" (a bad IPv6 host)
            return "malformed", Response(400, {"error": "malformed request target"})
        route, handler, params = self.router.match(method, parts.path)
        if handler is None:
            status = 405 if route == "method_not_allowed" else 404
            return route, Response(status, {"error": HTTPStatus(status).phrase.lower()})
        req = Request(method, parts.path, parse_qs(parts.query), body, params, headers)
        try:
            return route, handler(req)
        except HttpError as err:
            return route, Response(err.status, {"error": err.message}, headers=err.headers)
        except Exception as err:  # a bug must answer 500 and be logged, not kill the thread silently
            self.log.error("unhandled error", route=route, error=repr(err))
            return route, Response(500, {"error": "internal error"})


METHODS = ("GET", "POST", "PUT", "DELETE", "HEAD", "PATCH", "OPTIONS")


def make_handler(app: App):
    class GalaxyHandler(BaseHTTPRequestHandler):
        server_version = app.service
        # Idle keep-alive sockets would hold a worker thread open during a graceful stop.
        timeout = 5

        def _read_body(self) -> bytes:
            """The request body, bounded by MAX_BODY however its length is given. A framing the
            server cannot trust (both lengths, a negative or non-numeric Content-Length, two
            different ones) is a 400; the connection is closed after any refusal because the
            rest of the body was not read."""
            lengths = {v.strip() for v in self.headers.get_all("Content-Length") or []}
            encodings = self.headers.get_all("Transfer-Encoding") or []
            if lengths and encodings:
                raise HttpError(400, "Content-Length and Transfer-Encoding must not both be set")
            if encodings:
                if [e.strip().lower() for e in ",".join(encodings).split(",")] != ["chunked"]:
                    raise HttpError(400, "only Transfer-Encoding: chunked is supported")
                return read_chunked(self.rfile, MAX_BODY)
            if not lengths:
                return b""
            raw = lengths.pop()
            if lengths or not raw.isascii() or not raw.isdigit():
                raise HttpError(400, "Content-Length must be one non-negative integer")
            length = int(raw) if len(raw) <= 12 else MAX_BODY + 1
            if length > MAX_BODY:
                raise HttpError(413, f"body larger than {MAX_BODY} bytes")
            body = self.rfile.read(length)
            if len(body) < length:
                raise HttpError(400, "body shorter than its Content-Length")
            return body

        def _handle(self) -> None:
            started = time.perf_counter()
            try:
                # Before the body: the body of a write that is not admitted is never read.
                route = "refused"
                app.guard.check(self.command, self.headers)
                route = "bad_body"
                body = self._read_body()
            except HttpError as err:
                self.close_connection = True
                route = "too_large" if err.status == 413 else route
                resp = Response(err.status, {"error": err.message}, headers=err.headers)
            else:
                route, resp = app.dispatch(self.command, self.path, body, self.headers)
            self._answer(route, resp, started)

        def _answer(self, route: str, resp: Response, started: float) -> None:
            payload = resp.encode()
            # Counted and logged before the answer is sent, so a /metrics asked right after (another
            # thread) finds it. The duration is the handler's, without the write.
            elapsed = time.perf_counter() - started
            method = self.command if self.command in METHODS else "OTHER"  # the label stays bounded
            app.metrics.observe(method, route, resp.status, elapsed)
            if route not in ("/health", "/metrics") or resp.status >= 400:
                app.log.info("request", method=method, path=getattr(self, "path", "").split("?")[0][:200], route=route,
                             status=resp.status, duration_ms=round(elapsed * 1000, 2),
                             remote=self.client_address[0])
            self.send_response(resp.status)
            self.send_header("Content-Type", resp.content_type)
            self.send_header("Content-Length", str(len(payload)))
            for name, value in resp.headers.items():
                self.send_header(name, value)
            if self.close_connection:
                self.send_header("Connection", "close")
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(payload)

        def send_error(self, code: int, message: Optional[str] = None, explain: Optional[str] = None) -> None:
            # The stdlib answers a malformed request line or header (400, 414, 431, 501) with an
            # HTML page; answer with the JSON error every other response uses.
            self.close_connection = True
            # A request line the stdlib could not read leaves it in HTTP/0.9 mode, which would
            # answer without a status line: no client today reads such an answer.
            if getattr(self, "request_version", "") == "HTTP/0.9":
                self.request_version = "HTTP/1.0"
            reason = message or HTTPStatus(code).phrase
            self._answer("malformed", Response(code, {"error": reason[:200]}), time.perf_counter())

        do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = do_OPTIONS = _handle

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
            pass  # access lines are written as JSON in _answer

    return GalaxyHandler


class GalaxyServer(ThreadingHTTPServer):
    daemon_threads = False  # server_close() then waits for in-flight requests
    block_on_close = True
    allow_reuse_address = True
    log: Optional[Logger] = None

    def handle_error(self, request, client_address) -> None:
        # socketserver prints a traceback to stderr for anything a handler raised (a client that
        # hung up mid-answer, a reset): say it in one JSON line instead.
        err = sys.exc_info()[1]
        if self.log:
            self.log.warn("connection failed", error=repr(err)[:200], remote=client_address[0])


def start_server(app: App, host: str, port: int) -> tuple[GalaxyServer, threading.Thread]:
    """Start serving in a background thread; returns the server (port 0 picks a free port)."""
    server = GalaxyServer((host, port), make_handler(app))
    server.log = app.log
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

