"""The auto-scaler (swarm mode, docs/SCALING.md): every INTERVAL_SECONDS it reads the services of its
stack, and for each with a galaxy.autoscale.* policy (policy.py) asks Prometheus for the load and
moves the replica count one step within the policy's bounds. Every decision that changes a count is
logged and counted on /metrics; a service that keeps local state is never scaled. It also tells
Prometheus where every replica is (/targets, task_targets.py).
"""
from __future__ import annotations

import json
import math
import os
import sys
import threading
import time
import urllib.parse
import urllib.request
from datetime import datetime
from pathlib import Path
from typing import Optional

# The shared modules live in services/pylib on the host and in /app/pylib in the image.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "pylib"))
from galaxy_auth import BasicAuth  # noqa: E402
from galaxy_engine import inspect_self  # noqa: E402
from galaxy_http import App, Request, Response, run_forever  # noqa: E402
from galaxy_log import Logger  # noqa: E402
from policy import Decision, Policy, decide, holds_local_state, parse_policy  # noqa: E402
from swarm_api import SwarmApi  # noqa: E402
from task_targets import task_targets  # noqa: E402


def prometheus_value(base_url: str, query: str, admin: Optional[BasicAuth], timeout: float = 5.0) -> Optional[float]:
    """The first sample of an instant query, or None when it has none (or NaN: no traffic yet)."""
    url = f"{base_url.rstrip('/')}/api/v1/query?{urllib.parse.urlencode({'query': query})}"
    req = urllib.request.Request(url, headers=admin.header() if admin else {})
    with urllib.request.urlopen(req, timeout=timeout) as resp:
        data = json.loads(resp.read())["data"]
    result = data["result"]
    sample = result if data["resultType"] == "scalar" else (result[0]["value"] if result else None)
    if sample is None:
        return None
    value = float(sample[1])
    return value if math.isfinite(value) else None


def seconds_since(stamp: str, now: float) -> float:
    """Swarm's UpdatedAt (RFC 3339 with nanoseconds) to seconds before `now`."""
    head, _, _ = stamp.rstrip("Z").partition(".")
    return now - datetime.fromisoformat(head + "+00:00").timestamp()


class Controller:
    def __init__(self, api: SwarmApi, stack: str, prometheus_url: str, admin: Optional[BasicAuth], log: Logger):
        self.api, self.stack, self.prometheus_url, self.admin, self.log = api, stack, prometheus_url, admin, log
        self._lock = threading.Lock()
        self.decisions: dict[tuple[str, str], int] = {}
        self.errors: dict[tuple[str, str], int] = {}
        self.gauges: dict[str, dict[str, float]] = {}
        self.last_round = 0.0
        self._said: set[tuple[str, str]] = set()

    def _once(self, service: str, what: str, **fields) -> None:
        """A standing refusal (bad labels, local state) is logged once, counted every round."""
        if (service, what) not in self._said:
            self._said.add((service, what))
            self.log.warn("not scaled", scaled_service=service, reason=what, **fields)

    def _error(self, service: str, reason: str) -> None:
        with self._lock:
            self.errors[(service, reason)] = self.errors.get((service, reason), 0) + 1

    def round(self, now: Optional[float] = None) -> None:
        now = time.time() if now is None else now
        services = self.api.services(self.stack)
        nodes: Optional[int] = None
        for svc in services:
            spec = svc["Spec"]
            name = spec["Name"].removeprefix(f"{self.stack}_")
            policy = parse_policy(spec.get("Labels") or {})
            if policy is None:
                continue
            if isinstance(policy, str):
                self._once(name, policy)
                self._error(name, "labels")
                continue
            if holds_local_state(spec):
                self._once(name, "it keeps local state (a volume or a host folder): one replica only")
                self._error(name, "local-state")
                continue
            replicated = spec.get("Mode", {}).get("Replicated")
            if replicated is None:
                self._once(name, "a global service runs one task per node: nothing to scale")
                continue
            if (svc.get("UpdateStatus") or {}).get("State") in ("updating", "rollback_started"):
                continue  # a deploy or restart is replacing tasks: its count is its own
            host_ports = any(p.get("PublishMode") == "host" for p in spec.get("EndpointSpec", {}).get("Ports") or [])
            if host_ports and nodes is None:
                nodes = self.api.ready_nodes()
            ceiling = nodes if host_ports and nodes is not None else policy.maximum
            self._step(svc, name, policy, int(replicated.get("Replicas", 1)), ceiling, seconds_since(svc["UpdatedAt"], now))
        self.last_round = now

    def _step(self, svc: dict, name: str, policy: Policy, current: int, ceiling: int, since_change: float) -> None:
        try:
            value = prometheus_value(self.prometheus_url, policy.query, self.admin)
        except Exception as err:  # Prometheus down or the query refused: hold, say why
            self._error(name, "query")
            self.log.warn("query failed, count held", scaled_service=name, error=str(err))
            value = None
        decision: Decision = decide(policy, value, current, ceiling, since_change)
        with self._lock:
            self.gauges[name] = {"replicas": current, "min": policy.minimum, "max": policy.maximum,
                                 **({"value": value} if value is not None else {})}
        if decision.replicas == current:
            return
        try:
            self.api.set_replicas(svc, decision.replicas)
        except Exception as err:
            self._error(name, "update")
            self.log.warn("scaling failed", scaled_service=name, to=decision.replicas, error=str(err))
            return
        with self._lock:
            key = (name, decision.direction)
            self.decisions[key] = self.decisions.get(key, 0) + 1
            self.gauges[name]["replicas"] = decision.replicas
        self.log.info("scaled", scaled_service=name, direction=decision.direction, replicas_from=current,
                      replicas_to=decision.replicas, value=value, reason=decision.reason)

    def metrics_text(self) -> str:
        lines = ["# HELP galaxy_autoscale_decisions_total Replica count changes made by the auto-scaler.",
                 "# TYPE galaxy_autoscale_decisions_total counter"]
        with self._lock:
            for (svc, direction), n in sorted(self.decisions.items()):
                lines.append(f'galaxy_autoscale_decisions_total{{scaled_service="{svc}",direction="{direction}"}} {n}')
            lines += ["# HELP galaxy_autoscale_errors_total Rounds in which a service's policy could not be applied, by reason.",
                      "# TYPE galaxy_autoscale_errors_total counter"]
            for (svc, reason), n in sorted(self.errors.items()):
                lines.append(f'galaxy_autoscale_errors_total{{scaled_service="{svc}",reason="{reason}"}} {n}')
            for gauge, what in (("replicas", "Replicas the auto-scaler last saw or set."), ("min", "The policy's fewest replicas."),
                                ("max", "The policy's most replicas."), ("value", "The policy query's last value.")):
                lines += [f"# HELP galaxy_autoscale_{gauge} {what}", f"# TYPE galaxy_autoscale_{gauge} gauge"]
                for svc, values in sorted(self.gauges.items()):
                    if gauge in values:
                        lines.append(f'galaxy_autoscale_{gauge}{{scaled_service="{svc}"}} {values[gauge]!r}')
            lines += ["# HELP galaxy_autoscale_last_round_timestamp_seconds When the last round over the services ended.",
                      "# TYPE galaxy_autoscale_last_round_timestamp_seconds gauge",
                      f"galaxy_autoscale_last_round_timestamp_seconds {self.last_round!r}"]
        return "\n".join(lines) + "\n"


def rounds_forever(c: Controller, stop: threading.Event, every: float) -> None:
    while True:
        try:
            c.round()
        except Exception as err:  # the engine busy or restarting: the next round tries again
            c._error("", "round")
            c.log.warn("round failed", error=str(err))
        if stop.wait(every):
            return


def build_app(c: Controller, version: str, every: float) -> App:
    app = App("autoscaler", version, c.log)

    @app.route("GET", "/health")
    def health(_req: Request) -> Response:
        # Healthy while rounds complete: three missed rounds mean it is stuck, not slow.
        fresh = time.time() - c.last_round < 3 * every + 10
        ok = fresh and c.api.ping()
        return Response(200 if ok else 503, {"status": "ok" if ok else "down", "service": "autoscaler", "version": version,
                                             "stack": c.stack, "last_round": c.last_round})

    @app.route("GET", "/targets")
    def targets(_req: Request) -> Response:
        # Prometheus's HTTP service discovery (job app, monitoring/prometheus/prometheus.yml).
        return Response(200, task_targets(c.stack, c.api.services(c.stack), c.api.running_tasks(), c.api.nodes()))

    @app.route("GET", "/metrics")
    def metrics(_req: Request) -> Response:
        return Response(200, app.metrics.render(c.metrics_text()), "text/plain; version=0.0.4; charset=utf-8")

    return app


def main() -> int:
    endpoint = os.environ.get("DOCKER_HOST", "").strip() or "unix:///var/run/docker.sock"
    api = SwarmApi(endpoint)
    stack = os.environ.get("AUTOSCALE_STACK", "").strip()
    if not stack:
        me = inspect_self(endpoint)
        stack = ((me or {}).get("Config", {}).get("Labels") or {}).get("com.docker.stack.namespace", "")
    if not stack:
        print("error: set AUTOSCALE_STACK to the swarm stack to scale (not started by docker stack deploy?)", file=sys.stderr)
        return 2
    every = float(os.environ.get("INTERVAL_SECONDS", "15"))
    log = Logger("autoscaler", os.environ.get("LOG_LEVEL", "info"))
    c = Controller(api, stack, os.environ.get("PROMETHEUS_URL", "http://prometheus:9090"), BasicAuth.from_env(), log)
    c.last_round = time.time()  # the start counts as a round for /health's grace
    stop = threading.Event()
    threading.Thread(target=rounds_forever, args=(c, stop, every), daemon=True).start()
    log.info("scaling", stack=stack, interval_seconds=every)
    code = run_forever(build_app(c, os.environ.get("APP_VERSION", "dev"), every), "0.0.0.0", int(os.environ.get("PORT", "9103")))
    stop.set()
    return code


if __name__ == "__main__":
    sys.exit(main())
