"""A minimal Docker Engine API client over the unix socket (stdlib only: no SDK without PyPI)."""
from __future__ import annotations

import http.client
import json
import socket
from typing import Iterator, Optional
from urllib.parse import quote


class UnixConnection(http.client.HTTPConnection):
    def __init__(self, path: str, timeout: Optional[float]):
        super().__init__("localhost", timeout=timeout)
        self.socket_path = path

    def connect(self) -> None:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        sock.connect(self.socket_path)
        self.sock = sock


# The engine's own stop timeout for a container that sets none; here it only bounds how long a
# restart call may take, the engine decides the grace itself.
ENGINE_DEFAULT_STOP_SECONDS = 10


class DockerError(Exception):
    pass


class Docker:
    def __init__(self, socket_path: str = "/var/run/docker.sock", timeout: float = 10.0):
        self.socket_path = socket_path
        self.timeout = timeout

    def _request(self, method: str, path: str, timeout: Optional[float] = None) -> tuple[int, bytes]:
        conn = UnixConnection(self.socket_path, timeout if timeout is not None else self.timeout)
        try:
            conn.request(method, path, headers={"Host": "docker"})
            resp = conn.getresponse()
            return resp.status, resp.read()
        finally:
            conn.close()

    def _json(self, path: str):
        status, body = self._request("GET", path)
        if status != 200:
            raise DockerError(f"GET {path}: HTTP {status}: {body[:200]!r}")
        return json.loads(body)

    def ping(self) -> bool:
        try:
            return self._request("GET", "/_ping", timeout=3)[0] == 200
        except OSError:
            return False

    def list_ids(self, project: str) -> list[str]:
        filters = quote(json.dumps({"label": [f"com.docker.compose.project={project}"]}))
        return [row["Id"] for row in self._json(f"/containers/json?all=1&filters={filters}")]

    def inspect(self, container_id: str) -> Optional[dict]:
        status, body = self._request("GET", f"/containers/{quote(container_id)}/json")
        if status == 404:
            return None
        if status != 200:
            raise DockerError(f"inspect {container_id}: HTTP {status}")
        return json.loads(body)

    def restart(self, container_id: str, stop_timeout: Optional[int]) -> None:
        """Restart with `stop_timeout` seconds between SIGTERM and SIGKILL; None: the engine decides
        (the container's own stop timeout, else the engine's default of 10 s)."""
        query = "" if stop_timeout is None else f"?t={stop_timeout}"
        # The HTTP call lasts as long as the stop does (SIGTERM, then SIGKILL after the grace).
        wait = (ENGINE_DEFAULT_STOP_SECONDS if stop_timeout is None else stop_timeout) + 30
        status, body = self._request("POST", f"/containers/{quote(container_id)}/restart{query}", timeout=wait)
        if status not in (204, 200):
            raise DockerError(f"restart {container_id}: HTTP {status}: {body[:200]!r}")

    def events(self, project: str) -> Iterator[dict]:
        """Container events of one project, one dict each, until the connection ends."""
        filters = quote(json.dumps({"type": ["container"], "label": [f"com.docker.compose.project={project}"]}))
        conn = UnixConnection(self.socket_path, None)  # a quiet stream may idle for hours
        try:
            conn.request("GET", f"/events?filters={filters}", headers={"Host": "docker"})
            resp = conn.getresponse()
            if resp.status != 200:
                raise DockerError(f"events: HTTP {resp.status}")
            while True:
                line = resp.readline()
                if not line:
                    return
                line = line.strip()
                if line:
                    yield json.loads(line)
        finally:
            conn.close()
