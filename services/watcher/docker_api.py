"""The few Docker Engine API calls the watcher makes: list, inspect, stats, events, restart (and ping).

In the stack it reaches the engine through the socket proxy (services/socket-proxy), which passes
on exactly these calls and only for this project's containers; a bare socket path still works for
running it by hand against an engine.
"""
from __future__ import annotations

import json
from typing import Iterator, Optional
from urllib.parse import quote

from galaxy_engine import engine_connection, engine_request


# The engine's own stop timeout for a container that sets none; here it only bounds how long a
# restart call may take, the engine decides the grace itself.
ENGINE_DEFAULT_STOP_SECONDS = 10


class DockerError(Exception):
    pass


class Docker:
    def __init__(self, endpoint: str = "unix:///var/run/docker.sock", timeout: float = 10.0):
        """`endpoint`: tcp://host:port (the socket proxy), unix:///path or a bare socket path."""
        self.endpoint = endpoint
        self.timeout = timeout

    def _request(self, method: str, path: str, timeout: Optional[float] = None) -> tuple[int, bytes]:
        return engine_request(self.endpoint, method, path, timeout if timeout is not None else self.timeout)

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

    def stats(self, container_id: str) -> Optional[dict]:
        """One sample of the container's resource use (not a stream); None when it is gone."""
        status, body = self._request("GET", f"/containers/{quote(container_id)}/stats?stream=false&one-shot=true", timeout=5)
        if status == 404:
            return None
        if status != 200:
            raise DockerError(f"stats {container_id}: HTTP {status}")
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
        conn = engine_connection(self.endpoint, None)  # a quiet stream may idle for hours
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
