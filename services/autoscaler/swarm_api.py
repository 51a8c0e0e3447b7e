"""The Engine API calls the auto-scaler makes, all on the swarm manager it runs on: list a stack's
services and the nodes, and change one service's replica count (stdlib only: no SDK without PyPI)."""
from __future__ import annotations

import json
from typing import Optional
from urllib.parse import quote

from galaxy_engine import engine_request


class SwarmError(Exception):
    pass


class SwarmApi:
    def __init__(self, endpoint: str = "unix:///var/run/docker.sock", timeout: float = 10.0):
        self.endpoint = endpoint
        self.timeout = timeout

    def _request(self, method: str, path: str, body: Optional[dict] = None) -> tuple[int, bytes]:
        return engine_request(self.endpoint, method, path, self.timeout, json.dumps(body).encode() if body is not None else None)

    def _json(self, path: str):
        status, body = self._request("GET", path)
        if status != 200:
            raise SwarmError(f"GET {path}: HTTP {status}: {body[:200]!r}")
        return json.loads(body)

    def ping(self) -> bool:
        try:
            return self._request("GET", "/_ping")[0] == 200
        except OSError:
            return False

    def services(self, stack: str) -> list[dict]:
        filters = quote(json.dumps({"label": [f"com.docker.stack.namespace={stack}"]}))
        return self._json(f"/services?filters={filters}")

    def nodes(self) -> list[dict]:
        return self._json("/nodes")

    def ready_nodes(self) -> int:
        return sum(1 for n in self.nodes() if n.get("Status", {}).get("State") == "ready" and n.get("Spec", {}).get("Availability") == "active")

    def running_tasks(self) -> list[dict]:
        filters = quote(json.dumps({"desired-state": ["running"]}))
        return [t for t in self._json(f"/tasks?filters={filters}") if t.get("Status", {}).get("State") == "running"]

    def set_replicas(self, service: dict, replicas: int) -> None:
        """The service's own spec with only the count changed, at the version read: when something
        else updated it meanwhile (a deploy), the engine refuses and the next round reads it again."""
        spec = json.loads(json.dumps(service["Spec"]))
        spec.setdefault("Mode", {}).setdefault("Replicated", {})["Replicas"] = replicas
        version = service["Version"]["Index"]
        status, body = self._request("POST", f"/services/{quote(service['ID'])}/update?version={version}", spec)
        if status != 200:
            raise SwarmError(f"scaling {service['Spec']['Name']}: HTTP {status}: {body[:200]!r}")
