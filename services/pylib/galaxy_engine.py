"""Connections to the Docker Engine API (stdlib only: no SDK without PyPI).

The socket proxy opens the engine's unix socket; the watcher reaches the engine only through that
proxy, over TCP on the project's internal control network. One place for both ways in.
"""
from __future__ import annotations

import http.client
import json
import os
import socket
from typing import Optional
from urllib.parse import urlsplit


class UnixConnection(http.client.HTTPConnection):
    """HTTP over a unix socket (the engine's own socket file)."""

    def __init__(self, path: str, timeout: Optional[float]):
        super().__init__("localhost", timeout=timeout)
        self.socket_path = path

    def connect(self) -> None:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        sock.connect(self.socket_path)
        self.sock = sock


def engine_connection(endpoint: str, timeout: Optional[float]) -> http.client.HTTPConnection:
    """A connection to `unix:///path`, `tcp://host:port` (DOCKER_HOST's forms) or a bare socket path."""
    if endpoint.startswith("tcp://"):
        where = urlsplit(endpoint)
        if not where.hostname or not where.port:
            raise ValueError(f"{endpoint!r} needs a host and a port, e.g. tcp://socket-proxy:2375")
        return http.client.HTTPConnection(where.hostname, where.port, timeout=timeout)
    if endpoint.startswith("unix://"):
        endpoint = endpoint[len("unix://"):]
    if not endpoint.startswith("/"):
        raise ValueError(f"{endpoint!r} is neither tcp://host:port nor an absolute socket path")
    return UnixConnection(endpoint, timeout)


def inspect_self(endpoint: str, timeout: float = 10.0) -> Optional[dict]:
    """This container's own inspect answer (compose makes its hostname its container id), or None
    when the engine does not know it (run outside a container). OSError when the engine cannot be
    reached: the caller says why (a permission on the socket, a proxy that is not up yet)."""
    conn = engine_connection(endpoint, timeout)
    try:
        conn.request("GET", f"/containers/{os.environ.get('HOSTNAME', '')}/json", headers={"Host": "docker"})
        resp = conn.getresponse()
        body = resp.read()
    finally:
        conn.close()
    return json.loads(body) if resp.status == 200 else None


def engine_request(endpoint: str, method: str, path: str, timeout: Optional[float],
                   body: Optional[bytes] = None) -> tuple[int, bytes]:
    """One Engine API call: its status and body (the watcher's and the auto-scaler's calls)."""
    conn = engine_connection(endpoint, timeout)
    try:
        headers = {"Host": "docker", **({"Content-Type": "application/json"} if body is not None else {})}
        conn.request(method, path, body=body, headers=headers)
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()
