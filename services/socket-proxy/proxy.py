"""galaxy socket proxy: the only holder of the Docker socket; passes on what rules.py allows.

Written by hand (stdlib, like the other Python services) because the well-kept socket proxies
filter by API section and method only: none can limit a restart or an inspect to one compose
project's containers, and without a registry there is no image of one to pull anyway.

HTTP/1.0, one request per connection: the watcher's calls are few, and the event stream then
simply ends when either side closes.

Environment: DOCKER_SOCKET (/var/run/docker.sock), PORT (2375), PROXY_PROJECT (default: the compose
project of the proxy's own container), LOG_LEVEL.
"""
from __future__ import annotations

import json
import os
import signal
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable, Optional

# The shared modules live in services/pylib on the host and in /app/pylib in the image.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "pylib"))
from galaxy_engine import engine_connection, inspect_self  # noqa: E402
from galaxy_log import Logger  # noqa: E402

from rules import Decision, decide, owned_by, owned_path, redacted_inspect, redacted_list  # noqa: E402

# Headers that describe one hop, not the answer: never copied from the engine's response.
HOP_HEADERS = {"connection", "keep-alive", "transfer-encoding", "content-length"}
# A refused request's body is read (so the client sees the 403, not a reset) up to this size.
MAX_DISCARD = 1 << 20
# A restart lasts as long as the container's stop grace (up to rules.MAX_RESTART_SECONDS).
UPSTREAM_SECONDS = 660.0


class Engine:
    def __init__(self, socket_path: str):
        self.endpoint = socket_path

    def call(self, method: str, path: str, stream: bool = False):
        """(connection, response): the caller reads the response and closes the connection."""
        conn = engine_connection(self.endpoint, None if stream else UPSTREAM_SECONDS)
        conn.request(method, path, headers={"Host": "docker"})
        return conn, conn.getresponse()


class Handler(BaseHTTPRequestHandler):
    server_version = "galaxy-socket-proxy"
    protocol_version = "HTTP/1.0"

    # BaseHTTPRequestHandler dispatches on do_<METHOD>; every method goes through one gate.
    def do_GET(self):
        self.handle_any()

    do_HEAD = do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_GET

    def log_message(self, format, *args):  # noqa: A002 - the stdlib's signature
        pass  # every request is logged once, as JSON, in handle_any

    def handle_any(self) -> None:
        self.discard_body()
        decision = decide(self.command, self.path, self.server.project)
        if not decision.allow:
            self.server.log.warn("refused", method=self.command, path=self.path, status=decision.status, reason=decision.reason)
            return self.answer_json(decision.status, {"message": f"galaxy socket proxy: {decision.reason}"})
        try:
            if decision.check_owner:
                self.owned_call(decision)
            else:
                self.relay(self.command, decision.upstream_path, decision.stream, redact=redacted_list if decision.action == "list" else None)
        except OSError as err:
            self.server.log.error("engine unreachable", path=self.path, error=str(err))
            self.answer_json(502, {"message": f"galaxy socket proxy: the Docker engine did not answer: {err}"})

    def owned_call(self, decision: Decision) -> None:
        conn, resp = self.server.engine.call("GET", f"{decision.version}/containers/{decision.container}/json")
        try:
            body = resp.read()
        finally:
            conn.close()
        if resp.status != 200:
            return self.answer(resp.status, resp.getheaders(), body)
        if not owned_by(body, self.server.project):
            self.server.log.warn("refused", method=self.command, path=self.path, status=403, reason="another project's container")
            return self.answer_json(403, {"message": f"galaxy socket proxy: {decision.container} is not a container of project {self.server.project}"})
        if decision.action == "inspect":
            return self.answer(200, resp.getheaders(), redacted_inspect(body))
        container_id = json.loads(body)["Id"]
        if decision.action == "restart":
            self.server.log.info("restart", container=container_id[:12], path=self.path)
        self.relay(self.command, owned_path(decision, container_id), stream=False)

    def relay(self, method: str, path: str, stream: bool, redact: Optional[Callable[[bytes], bytes]] = None) -> None:
        conn, resp = self.server.engine.call(method, path, stream=stream)
        try:
            if not stream:
                body = resp.read()
                return self.answer(resp.status, resp.getheaders(), redact(body) if redact and resp.status == 200 else body)
            self.send_response(resp.status)
            self.copy_headers(resp.getheaders())
            self.end_headers()
            # Event lines are passed on as they come; the stream ends when either side closes.
            while True:
                line = resp.readline()
                if not line:
                    return
                self.wfile.write(line)
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            return  # the client went away: nothing left to tell it
        finally:
            conn.close()

    def discard_body(self) -> None:
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = 0
        if 0 < length <= MAX_DISCARD:
            self.rfile.read(length)

    def copy_headers(self, headers) -> None:
        for name, value in headers:
            if name.lower() not in HOP_HEADERS:
                self.send_header(name, value)

    def answer(self, status: int, headers, body: bytes) -> None:
        self.send_response(status)
        self.copy_headers(headers)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def answer_json(self, status: int, payload: dict) -> None:
        self.answer(status, [("Content-Type", "application/json")], json.dumps(payload).encode() + b"\n")


def own_project(socket_path: str) -> str:
    """The compose project of this container."""
    raw = inspect_self(socket_path) or {}
    return ((raw.get("Config") or {}).get("Labels") or {}).get("com.docker.compose.project", "")


def main() -> int:
    log = Logger("socket-proxy", os.environ.get("LOG_LEVEL", "info"))
    socket_path = os.environ.get("DOCKER_SOCKET", "/var/run/docker.sock")
    engine = Engine(socket_path)
    try:
        project = os.environ.get("PROXY_PROJECT", "").strip() or own_project(socket_path)
    except PermissionError:
        print(f"error: cannot open {socket_path}: permission denied; DOCKER_SOCKET_GID in .env must be the socket's group "
              "(make start sets it)", file=sys.stderr)
        return 1
    except OSError as err:
        print(f"error: cannot reach the Docker engine at {socket_path}: {err}", file=sys.stderr)
        return 1
    if not project:
        print("error: set PROXY_PROJECT to the compose project whose containers may be managed (not started by compose?)", file=sys.stderr)
        return 2
    server = ThreadingHTTPServer(("0.0.0.0", int(os.environ.get("PORT", "2375"))), Handler)
    server.daemon_threads = True
    server.engine, server.project, server.log = engine, project, log
    # SIGTERM: stop accepting and return (open event streams end with the process).
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown, daemon=True).start())
    log.info("serving", project=project, port=server.server_address[1])
    server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
