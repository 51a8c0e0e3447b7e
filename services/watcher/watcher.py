"""galaxy watcher: restarts opted-in containers of its own compose project when they hang.

Plain Docker restarts a container whose process exits (restart policy) but never one that runs
and fails its healthcheck (a hung process). This service asks every guarded container it can reach
itself every few seconds (liveness.py: silence in a row is a hang), listens to the Engine's event
stream for `health_status: unhealthy` (the ones it cannot reach; a fallback), sweeps in case an
event was missed, and restarts within a per-container rate limit. Above the limit it logs, counts and (when ALERTMANAGER_URL is set) raises
an alert instead of restarting again.

Environment: WATCH_PROJECT (default: the compose project of the watcher's own container), DOCKER_HOST
(tcp://socket-proxy:2375 in the stack; default unix:///var/run/docker.sock), PORT (9102), RESTART_LIMIT (3)
per RESTART_WINDOW_SECONDS (600), SWEEP_SECONDS (5), WATCH_SECONDS (2: how often it asks every guarded
container it can reach for its health URL itself, liveness.py), STATS_SECONDS (10: how often /metrics reads each
running container's CPU, memory and network), PROBE_TIMEOUT_SECONDS (5) and PROBE_ATTEMPTS (2) (the
second opinion asked before a restart, for containers without galaxy.autoheal.probe-seconds and
probe-attempts labels; three times as long on a saturated machine), SATURATED_LOAD_PER_CPU (4) and
SATURATED_STREAK (5) (with the host's load at 4 per core or more, a restart on Docker's word waits for
5 failed checks in a row: a saturated machine slows working services too), ALERTMANAGER_URL (optional),
ADMIN_USER and ADMIN_PASSWORD (/metrics asks for them; sent to Alertmanager and to health URLs labelled
galaxy.admin-auth=basic), APP_VERSION, LOG_LEVEL. A restart gives each container its own grace: its galaxy.autoheal.stop-seconds
label, else its stop timeout (compose's stop_grace_period), else the engine's default.
"""
from __future__ import annotations

import os
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Callable, Optional

# The shared module lives in services/pylib on the host and in /app/pylib in the image.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "pylib"))
from galaxy_http import BasicAuth, Logger, env_int, run_forever  # noqa: E402

from docker_api import Docker  # noqa: E402
from liveness import MissCounter, Target, liveness_skip_reason, watch_targets  # noqa: E402
from policy import ContainerView, Counters, RateLimiter, direct_health_url, is_saturated, is_unhealthy_event, probe_plan, render_metrics, saturation_hold, skip_reason  # noqa: E402
from outbound import alertmanager_sender, ask_liveness, http_probe  # noqa: E402
from resources import parse_stats  # noqa: E402
from runtime import build_app, follow_events, host_load, own_view, sweep_forever, watch_forever  # noqa: E402


class Watcher:
    def __init__(self, docker, project: str, limiter: RateLimiter, log: Logger,
                 alert: Optional[Callable[[ContainerView, str], None]] = None, clock: Callable[[], float] = time.monotonic,
                 networks: Optional[set] = None, probe: Optional[Callable[[str, dict, float], Optional[float]]] = None,
                 probe_attempts: int = 2, admin: Optional[BasicAuth] = None, stats_seconds: float = 10.0,
                 probe_seconds: float = 5.0, load: Optional[Callable[[], tuple[float, int]]] = None,
                 saturated_per_cpu: float = 4.0, saturated_streak: int = 5,
                 ask: Optional[Callable[[str, dict, float], str]] = None):
        self.docker = docker
        self.project = project
        self.limiter = limiter
        self.log = log
        self.alert = alert
        self.clock = clock
        self.networks = networks or set()  # the watcher's own networks: where it can reach services
        self.probe = probe or http_probe
        self.ask = ask or ask_liveness  # the liveness watch's question: any answer at all?
        self.watched: list[tuple[ContainerView, bool]] = []  # the last round's targets, and whether each is armed
        self.misses = MissCounter()
        # Container id -> when Docker signalled it (a `kill` event: a stop, a deploy's drain), until its
        # next start: a container going away is not asked whether it hangs.
        self._stopping: dict[str, float] = {}
        self._asker = ThreadPoolExecutor(max_workers=8, thread_name_prefix="liveness")
        self.admin = admin  # presented only to services that ask for it (galaxy.admin-auth)
        # Defaults for containers without galaxy.autoheal.probe-seconds / probe-attempts labels.
        self.probe_attempts = max(1, probe_attempts)
        self.probe_seconds = probe_seconds
        self.load = load or host_load
        self.saturated_per_cpu = saturated_per_cpu
        self.saturated_streak = saturated_streak
        self.counters = Counters()
        self.snapshot: list[ContainerView] = []
        self.connected = False
        self._busy: set[str] = set()  # names being restarted: the sweep must not restart them twice
        self._lock = threading.Lock()
        self._alerted: dict[str, float] = {}
        self.stats_seconds = stats_seconds
        self.usage: dict = {}  # container id -> resources.Usage, from the last read_usage
        self._usage_read = float("-inf")

    def view(self, container_id: str) -> Optional[ContainerView]:
        raw = self.docker.inspect(container_id)
        return ContainerView.from_inspect(raw) if raw else None

    def consider(self, container_id: str, reason: str) -> str:
        """Restarts the container if the policy allows; returns what was done (for logs and tests)."""
        c = self.view(container_id)
        why = skip_reason(c, self.project)
        if why:
            if c is not None and c.project == self.project and c.autoheal:
                self.log.info("unhealthy event ignored", container=c.name, target_service=c.service, why=why)
            return f"skip:{why}"
        assert c is not None
        load1, cpus = self.load()
        saturated = is_saturated(load1, cpus, self.saturated_per_cpu)
        if saturation_hold(c, saturated, self.saturated_streak):
            # The next sweeps look again; Docker's streak grows while the container stays unhealthy.
            with self._lock:
                self.counters.count_skip(c, "machine_saturated")
            self.log.warn("machine saturated: waiting for more failed checks before a restart", container=c.name,
                          target_service=c.service, load1=load1, cpus=cpus, failing_streak=c.failing_streak,
                          needed=self.saturated_streak)
            return "skip:machine_saturated"
        url = direct_health_url(c, self.networks)
        headers = self._headers(c)
        answered = None
        # Asked over the network, so the answer's time is the service's own, not `docker exec`'s.
        # Per service (labels): a hung process misses every attempt, so it is restarted
        # attempts x seconds after Docker's event; a slow but working one answers within them.
        seconds, attempts = probe_plan(c, self.probe_seconds, self.probe_attempts, saturated)
        for _attempt in range(attempts if url else 0):
            answered = self.probe(url, headers, seconds)
            if answered is not None:
                break
        if answered is not None:
            # Docker's probe failed but the service itself answers: a slow machine, not a hang.
            # Restarting it would drop its requests (and, during a deploy, the only serving copy).
            with self._lock:
                self.counters.count_skip(c, "still_answering")
            self.log.warn("health check failed but the service answers directly: not restarted", container=c.name,
                          target_service=c.service, url=url, seconds=round(answered, 3))
            return "skip:still_answering"
        return self._restart(c, reason)

    def _restart(self, c: ContainerView, reason: str) -> str:
        with self._lock:
            if c.name in self._busy:
                return "skip:in_progress"
            if not self.limiter.allow(c.name, self.clock()):
                self.counters.count_skip(c, "rate_limited")
                self._limit_reached(c)
                return "skip:rate_limited"
            self._busy.add(c.name)
        try:
            self.log.warn("restarting unhealthy container", container=c.name, target_service=c.service, reason=reason,
                          docker_restart_count=c.restart_count, stop_timeout=c.stop_timeout)
            started = time.monotonic()
            # Each container's own grace (policy.stop_timeout): a database gets the time it needs
            # to flush, a stateless service can ask for less.
            self.docker.restart(c.id, c.stop_timeout)
            with self._lock:
                self.counters.count_restart(c, reason)
            self.log.info("container restarted", container=c.name, target_service=c.service, reason=reason,
                          seconds=round(time.monotonic() - started, 2))
            return "restarted"
        except Exception as err:  # the engine refused or timed out: count it, the next sweep retries
            with self._lock:
                self.counters.count_skip(c, "restart_failed")
            self.log.error("restart failed", container=c.name, target_service=c.service, error=str(err))
            return "failed"
        finally:
            with self._lock:
                self._busy.discard(c.name)

    def _limit_reached(self, c: ContainerView) -> None:
        now = self.clock()
        # One log line and alert per container per window, not one per 2 s round (skipped_total counts each).
        if now - self._alerted.get(c.name, -1e12) < self.limiter.window:
            return
        self._alerted[c.name] = now
        self.log.error("restart limit reached: leaving the container unhealthy for an operator", container=c.name, target_service=c.service,
                       limit=self.limiter.limit, window_seconds=self.limiter.window, retry_after_seconds=round(self.limiter.retry_after(c.name, now)))
        if self.alert:
            try:
                self.alert(c, f"{c.name} was restarted {self.limiter.limit} times within {int(self.limiter.window)}s and is still unhealthy")
            except Exception as err:
                self.log.error("alert not delivered", container=c.name, error=str(err))

    def watch_round(self) -> list[str]:
        """One round of the liveness watch (liveness.py): every guarded container it can reach asked
        at once; those silent for their misses in a row are restarted."""
        load1, cpus = self.load()
        now = self.clock()
        with self._lock:
            # A stop takes at most its grace (30 s at most in the stack): past a minute without a new
            # start, a signal that did not stop it (a reload's HUP) is over.
            self._stopping = {cid: t for cid, t in self._stopping.items() if now - t < 60}
            stopping = set(self._stopping)
        targets = watch_targets(self.snapshot, self.project, self.networks, stopping, self.probe_seconds,
                                self.probe_attempts, is_saturated(load1, cpus, self.saturated_per_cpu))
        outcomes = list(self._asker.map(lambda t: self.ask(t.url, self._headers(t.view), t.seconds), targets))
        due = self.misses.record(list(zip(targets, outcomes)))
        self.watched = [(t.view, self.misses.armed(t.key)) for t in targets]
        return [self.heal_silent(t) for t in due]

    def heal_silent(self, t: Target) -> str:
        misses = self.misses.misses(t.key)
        self.misses.forget(t.key)
        fresh = self.view(t.view.id)
        why = liveness_skip_reason(fresh, t.view)
        if why:
            self.log.info("no answer, but not restarted", container=t.view.name, target_service=t.view.service, why=why)
            return f"skip:{why}"
        assert fresh is not None
        self.log.warn("no answer from the health URL: a hang", container=fresh.name, target_service=fresh.service,
                      url=t.url, misses=misses, seconds_each=t.seconds)
        return self._restart(fresh, "no_answer")

    def _headers(self, c: ContainerView) -> dict:
        return self.admin.header() if c.admin_auth and self.admin else {}

    def note_event(self, event: dict) -> None:
        """Called in the stream's order, before handle_event's thread: which containers are stopping."""
        action = str(event.get("Action", ""))
        cid = event.get("id") or (event.get("Actor") or {}).get("ID", "")
        with self._lock:
            if action == "kill":
                self._stopping[cid] = self.clock()
            elif action in ("start", "destroy"):
                self._stopping.pop(cid, None)

    def handle_event(self, event: dict) -> Optional[str]:
        action = str(event.get("Action", ""))
        attrs = (event.get("Actor") or {}).get("Attributes") or {}
        if is_unhealthy_event(event):
            return self.consider(event.get("id") or (event.get("Actor") or {}).get("ID", ""), "unhealthy")
        if action == "oom":
            # The kernel killed a process of the container for memory (the restart policy, or the
            # program itself, deals with it): counted for ContainerOOMKilled.
            with self._lock:
                self.counters.count_oom(attrs.get("name", ""))
            self.log.warn("container ran out of memory", container=attrs.get("name"), target_service=attrs.get("com.docker.compose.service"))
            return "oom"
        if action == "die":
            # Crashes are the restart policy's job; logged so a crash loop is visible next to our restarts.
            self.log.info("container exited", container=attrs.get("name"), target_service=attrs.get("com.docker.compose.service"),
                          exit_code=attrs.get("exitCode"))
        return None

    def refresh(self) -> list[ContainerView]:
        views = [v for v in (self.view(i) for i in self.docker.list_ids(self.project)) if v]
        self.snapshot = views
        return views

    def sweep(self) -> list[str]:
        """Refreshes the metrics snapshot and restarts any unhealthy container an event did not cover."""
        views = self.refresh()
        return [self.consider(v.id, "unhealthy") for v in views if skip_reason(v, self.project) is None]

    def read_usage(self) -> None:
        """One stats sample of every running container, in parallel, at most every STATS_SECONDS
        (each is two engine calls through the proxy; a counter a few seconds old is fine for rate())."""
        now = self.clock()
        if now - self._usage_read < self.stats_seconds:
            return
        self._usage_read = now
        running = [c for c in self.snapshot if c.status == "running"]

        def one(c: ContainerView):
            try:
                raw = self.docker.stats(c.id)
            except Exception as err:  # gone meanwhile, or the engine is slow: the next read tries again
                self.log.info("stats not read", container=c.name, error=str(err))
                return c.id, None
            return c.id, parse_stats(raw) if raw else None
        with ThreadPoolExecutor(max_workers=4) as pool:
            read = dict(pool.map(one, running))
        self.usage = {cid: u for cid, u in read.items() if u is not None}

    def metrics_text(self) -> str:
        with self._lock:
            return render_metrics(list(self.snapshot), self.counters, self.usage, list(self.watched))


def main() -> int:
    docker = Docker(os.environ.get("DOCKER_HOST", "").strip() or "unix:///var/run/docker.sock")
    # Explicit wins; otherwise guard the project this container belongs to, so two copies of the
    # stack on one engine each keep to their own containers without any setting.
    me = own_view(docker)
    project = os.environ.get("WATCH_PROJECT", "").strip() or (me.project if me else "")
    if not project:
        print("error: set WATCH_PROJECT to the compose project to guard (not started by compose?)", file=sys.stderr)
        return 2
    version = os.environ.get("APP_VERSION", "dev")
    log = Logger("watcher", os.environ.get("LOG_LEVEL", "info"))
    limiter = RateLimiter(env_int("RESTART_LIMIT", 3), float(env_int("RESTART_WINDOW_SECONDS", 600)))
    alert_url = os.environ.get("ALERTMANAGER_URL", "").strip()
    admin = BasicAuth.from_env()
    w = Watcher(docker, project, limiter, log,
                alert=alertmanager_sender(alert_url, project, admin) if alert_url else None,
                networks={name for name, _ip in me.networks} if me else set(),
                probe_seconds=float(env_int("PROBE_TIMEOUT_SECONDS", 5)), probe_attempts=env_int("PROBE_ATTEMPTS", 2),
                admin=admin, stats_seconds=float(env_int("STATS_SECONDS", 10)),
                saturated_per_cpu=float(env_int("SATURATED_LOAD_PER_CPU", 4)), saturated_streak=env_int("SATURATED_STREAK", 5))
    stop = threading.Event()
    threading.Thread(target=follow_events, args=(w, stop), daemon=True).start()
    threading.Thread(target=sweep_forever, args=(w, stop, float(env_int("SWEEP_SECONDS", 5))), daemon=True).start()
    threading.Thread(target=watch_forever, args=(w, stop, float(env_int("WATCH_SECONDS", 2))), daemon=True).start()
    log.info("watching", project=project, restart_limit=limiter.limit, window_seconds=limiter.window)
    code = run_forever(build_app(w, version), "0.0.0.0", env_int("PORT", 9102))
    stop.set()
    return code


if __name__ == "__main__":
    sys.exit(main())
