"""The watcher's decisions, free of I/O so they can be tested exactly.

Which containers it may touch (its own compose project, opted in with galaxy.autoheal=true,
running and unhealthy, not paused), how often (a sliding-window limit per container, so a crash
loop does not become a restart storm) and how that is exported as Prometheus text.
"""
from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass, field
from typing import Optional

from resources import render_resources

PROJECT_LABEL = "com.docker.compose.project"
SERVICE_LABEL = "com.docker.compose.service"
AUTOHEAL_LABEL = "galaxy.autoheal"
HEALTH_PATH_LABEL = "galaxy.health.path"
HEALTH_PORT_LABEL = "galaxy.health.port"
# "basic": the service asks for the admin credentials on every path, its health path included.
ADMIN_AUTH_LABEL = "galaxy.admin-auth"
# Seconds between SIGTERM and SIGKILL when the watcher restarts the container; without it, the
# container's own stop timeout (compose's stop_grace_period), so a database can flush.
AUTOHEAL_STOP_LABEL = "galaxy.autoheal.stop-seconds"
# The second opinion before a restart, per service: how long the watcher waits for the direct
# answer of its health URL, and how many times it asks. A service whose own /health waits on a
# dependency needs more than that dependency's timeout here, or a hung dependency restarts it too.
AUTOHEAL_PROBE_SECONDS_LABEL = "galaxy.autoheal.probe-seconds"
AUTOHEAL_PROBE_ATTEMPTS_LABEL = "galaxy.autoheal.probe-attempts"
# The path the watcher asks, where galaxy.health.path answers through another service (a proxy's
# /health forwarded upstream): otherwise a hang of that one would get this one restarted too.
AUTOHEAL_PATH_LABEL = "galaxy.autoheal.path"


@dataclass(frozen=True)
class ContainerView:
    """The few inspect fields the decisions need."""
    id: str
    name: str
    service: str
    project: str
    status: str  # running, paused, restarting, exited, created, dead
    health: str  # healthy, unhealthy, starting, "" when there is no healthcheck
    restart_count: int
    autoheal: bool
    health_path: str = ""  # the path the watcher asks: galaxy.autoheal.path, else galaxy.health.path
    health_port: int = 0  # galaxy.health.port, else the lowest TCP port the image exposes
    networks: tuple = ()  # (network name, ip) pairs
    stop_timeout: Optional[int] = None  # seconds of grace on a restart; None: the engine's default
    admin_auth: bool = False  # its health URL asks for the admin credentials
    cpu_limit: float = 0.0  # cores (HostConfig.NanoCpus); 0: no limit
    memory_limit: int = 0  # bytes (HostConfig.Memory); 0: no limit
    probe_seconds: Optional[float] = None  # galaxy.autoheal.probe-seconds; None: the watcher's default
    probe_attempts: Optional[int] = None  # galaxy.autoheal.probe-attempts; None: the watcher's default
    failing_streak: int = 0  # Docker's count of failed checks in a row (State.Health.FailingStreak)
    started_at: str = ""  # State.StartedAt: which run of the container a direct answer came from

    @staticmethod
    def from_inspect(raw: dict) -> "ContainerView":
        labels = (raw.get("Config") or {}).get("Labels") or {}
        state = raw.get("State") or {}
        return ContainerView(
            id=raw.get("Id", ""),
            name=(raw.get("Name") or "").lstrip("/"),
            service=labels.get(SERVICE_LABEL, ""),
            project=labels.get(PROJECT_LABEL, ""),
            status=state.get("Status", ""),
            health=((state.get("Health") or {}).get("Status") or ""),
            restart_count=int(raw.get("RestartCount") or 0),
            autoheal=labels.get(AUTOHEAL_LABEL, "").lower() == "true",
            health_path=labels.get(AUTOHEAL_PATH_LABEL, "") or labels.get(HEALTH_PATH_LABEL, ""),
            health_port=_health_port(labels.get(HEALTH_PORT_LABEL, ""), (raw.get("Config") or {}).get("ExposedPorts") or {}),
            networks=tuple(sorted((name, (net or {}).get("IPAddress") or "")
                                  for name, net in ((raw.get("NetworkSettings") or {}).get("Networks") or {}).items())),
            stop_timeout=stop_timeout(labels.get(AUTOHEAL_STOP_LABEL, ""), (raw.get("Config") or {}).get("StopTimeout")),
            admin_auth=labels.get(ADMIN_AUTH_LABEL, "") == "basic",
            cpu_limit=int((raw.get("HostConfig") or {}).get("NanoCpus") or 0) / 1e9,
            memory_limit=int((raw.get("HostConfig") or {}).get("Memory") or 0),
            probe_seconds=positive_seconds(labels.get(AUTOHEAL_PROBE_SECONDS_LABEL, "")),
            probe_attempts=positive_count(labels.get(AUTOHEAL_PROBE_ATTEMPTS_LABEL, "")),
            failing_streak=int((state.get("Health") or {}).get("FailingStreak") or 0),
            started_at=str(state.get("StartedAt") or ""),
        )


def positive_seconds(label: str) -> Optional[float]:
    """A label's seconds (decimals allowed, above 0 and at most 60), else None: a label that is not
    such a number is ignored, not guessed at, and the watcher's own default applies."""
    try:
        value = float(label.strip())
    except ValueError:
        return None
    return value if 0 < value <= 60 else None


def positive_count(label: str) -> Optional[int]:
    """A label's count from 1 to 5, else None (the watcher's default)."""
    text = label.strip()
    return int(text) if text.isdigit() and 1 <= int(text) <= 5 else None


def probe_plan(c: ContainerView, default_seconds: float, default_attempts: int, saturated: bool = False) -> tuple[float, int]:
    """(seconds per attempt, attempts) of the second opinion for this container: its labels, else
    the watcher's defaults (PROBE_TIMEOUT_SECONDS, PROBE_ATTEMPTS); three times as long on a
    saturated machine, where a working service answers late too."""
    seconds = c.probe_seconds or default_seconds
    return (seconds * 3 if saturated else seconds, c.probe_attempts or max(1, default_attempts))


def is_saturated(load1: float, cpus: int, per_cpu: float) -> bool:
    """More runnable processes than `per_cpu` per core (the host's 1-minute load: /proc/loadavg is
    not namespaced): every check and answer on the machine is slow, not only the unhealthy one's."""
    return per_cpu > 0 and load1 >= per_cpu * max(1, cpus)


def saturation_hold(c: ContainerView, saturated: bool, streak_needed: int) -> bool:
    """True while a saturated machine should not act on this container yet.

    The checks were tuned for a hang healed in about 20 s, so on a saturated machine a working service
    can fail one or two of them. Then the watcher waits for `streak_needed` failed checks in a row
    (it sweeps every few seconds, so it acts as soon as they are there): a hang is still healed,
    later, and a slow service is not restarted for the machine's load.
    """
    return saturated and c.failing_streak < streak_needed


def stop_timeout(label: str, configured) -> Optional[int]:
    """The grace a restart gives the container: the label, else its own configured stop timeout.

    Compose turns stop_grace_period into the container's Config.StopTimeout, so the compose file
    stays the one place that says how long each service needs to stop. None when neither is set:
    the engine then applies its own default (10 s).
    """
    if label.strip().isdigit():
        return int(label.strip())
    if isinstance(configured, int) and not isinstance(configured, bool) and configured >= 0:
        return configured
    return None


def _health_port(label: str, exposed: dict) -> int:
    if label.isdigit():
        return int(label)
    tcp = sorted(int(p.split("/")[0]) for p in exposed if p.endswith("/tcp") and p.split("/")[0].isdigit())
    return tcp[0] if tcp else 0


def direct_health_url(c: ContainerView, shared_networks: set) -> Optional[str]:
    """The container's health URL on a network the watcher shares with it, or None.

    Docker's health check runs inside the container through `docker exec`, which on a saturated
    machine can take longer than the check's timeout by itself. Asking the service over the
    network is the second opinion that tells a slow probe from a hung process.
    """
    if not c.health_path.startswith("/") or not c.health_port:
        return None
    ip = next((addr for name, addr in c.networks if name in shared_networks and addr), "")
    return f"http://{ip}:{c.health_port}{c.health_path}" if ip else None


class RateLimiter:
    """At most `limit` actions per key within `window` seconds (sliding window)."""

    def __init__(self, limit: int, window: float):
        self.limit = limit
        self.window = window
        self._times: dict[str, deque] = {}
        self._lock = threading.Lock()

    def _prune(self, key: str, now: float) -> deque:
        times = self._times.setdefault(key, deque())
        while times and now - times[0] >= self.window:
            times.popleft()
        return times

    def allow(self, key: str, now: float) -> bool:
        """True (and counts the action) while under the limit; False once it is reached."""
        with self._lock:
            times = self._prune(key, now)
            if len(times) >= self.limit:
                return False
            times.append(now)
            return True

    def retry_after(self, key: str, now: float) -> float:
        """Seconds until the next action for `key` would be allowed (0 when it already is)."""
        with self._lock:
            times = self._prune(key, now)
            return 0.0 if len(times) < self.limit else max(0.0, self.window - (now - times[0]))


def skip_reason(c: Optional[ContainerView], project: str) -> Optional[str]:
    """Why the watcher must leave this container alone, or None when an unhealthy restart is due.

    Only running containers are restarted: one an operator stopped (docker stop / compose stop)
    is not running, and one that crashed is Docker's restart policy's job, so neither is touched.
    A paused container was paused on purpose.
    """
    if c is None:
        return "gone"
    if c.project != project:
        return "other_project"
    if not c.autoheal:
        return "not_opted_in"
    if c.status != "running":
        return f"not_running:{c.status or 'unknown'}"
    if c.health != "unhealthy":
        return f"not_unhealthy:{c.health or 'no_healthcheck'}"
    return None


def is_unhealthy_event(event: dict) -> bool:
    """Docker reports health changes as Action 'health_status: unhealthy' on container events."""
    return event.get("Type") == "container" and str(event.get("Action", "")).strip() == "health_status: unhealthy"


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _labels(pairs: dict) -> str:
    return "{" + ",".join(f'{k}="{_escape(str(v))}"' for k, v in pairs.items()) + "}"


@dataclass
class Counters:
    """Totals since the watcher started, keyed by (service, reason) / container name."""
    restarts: dict = field(default_factory=dict)  # (service, reason) -> n
    skipped: dict = field(default_factory=dict)  # (service, reason) -> n
    per_container: dict = field(default_factory=dict)  # container name -> restarts done by the watcher
    oom_kills: dict = field(default_factory=dict)  # container name -> OOM kills seen in the event stream

    def count_restart(self, c: ContainerView, reason: str) -> None:
        key = (c.service, reason)
        self.restarts[key] = self.restarts.get(key, 0) + 1
        self.per_container[c.name] = self.per_container.get(c.name, 0) + 1

    def count_oom(self, container: str) -> None:
        self.oom_kills[container] = self.oom_kills.get(container, 0) + 1

    def count_skip(self, c: ContainerView, reason: str) -> None:
        key = (c.service, reason)
        self.skipped[key] = self.skipped.get(key, 0) + 1


def render_metrics(containers: list[ContainerView], counters: Counters, usage: Optional[dict] = None,
                   watched: Optional[list] = None) -> str:
    """Prometheus text for the contract's galaxy_container_* and galaxy_watcher_* series; `usage`
    maps container ids to their resources.Usage (the running ones the last stats read reached);
    `watched` is the liveness watch's last round: (container, armed) pairs."""
    out = [
        "# HELP galaxy_container_health 1 when the container's healthcheck passes, 0 when unhealthy or starting.",
        "# TYPE galaxy_container_health gauge",
    ]
    ordered = sorted(containers, key=lambda c: (c.service, c.name))
    for c in ordered:
        if c.health:
            out.append(f"galaxy_container_health{_labels({'service': c.service, 'container': c.name})} {1 if c.health == 'healthy' else 0}")
    out += ["# HELP galaxy_container_running 1 when the container is running.", "# TYPE galaxy_container_running gauge"]
    for c in ordered:
        out.append(f"galaxy_container_running{_labels({'service': c.service, 'container': c.name})} {1 if c.status == 'running' else 0}")
    out += [
        "# HELP galaxy_container_restart_count Restarts of the container: Docker's restart policy plus the watcher's.",
        "# TYPE galaxy_container_restart_count gauge",
    ]
    for c in ordered:
        total = c.restart_count + counters.per_container.get(c.name, 0)
        out.append(f"galaxy_container_restart_count{_labels({'service': c.service, 'container': c.name})} {total}")
    out += ["# HELP galaxy_watcher_restarts_total Restarts performed by the watcher.", "# TYPE galaxy_watcher_restarts_total counter"]
    for (service, reason), n in sorted(counters.restarts.items()):
        out.append(f"galaxy_watcher_restarts_total{_labels({'service': service, 'reason': reason})} {n}")
    out += [
        "# HELP galaxy_watcher_skipped_total Restarts the watcher wanted but did not do (rate limit reached, restart failed).",
        "# TYPE galaxy_watcher_skipped_total counter",
    ]
    for (service, reason), n in sorted(counters.skipped.items()):
        out.append(f"galaxy_watcher_skipped_total{_labels({'service': service, 'reason': reason})} {n}")
    out += [
        "# HELP galaxy_watcher_liveness_armed 1 when the watcher asks the container itself and its silence counts as a hang; "
        "0 when its URL has not answered since its start (a wrong galaxy.health.port or path: Docker's checks alone guard it).",
        "# TYPE galaxy_watcher_liveness_armed gauge",
    ]
    for c, armed in sorted(watched or [], key=lambda pair: (pair[0].service, pair[0].name)):
        out.append(f"galaxy_watcher_liveness_armed{_labels({'service': c.service, 'container': c.name})} {1 if armed else 0}")
    usage = usage or {}
    out += render_resources(
        [({"service": c.service, "container": c.name}, usage.get(c.id) if c.status == "running" else None, c.cpu_limit, c.memory_limit)
         for c in ordered],
        counters.oom_kills, _labels)
    return "\n".join(out) + "\n"
