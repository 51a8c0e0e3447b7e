"""The watcher's own liveness watch, free of I/O: which guarded containers it asks directly, and
when their silence is a hang.

Docker's health checks are a `docker exec` each (up to 100 ms of CPU, seconds on a busy machine),
so they cannot run every 2 s for every service; two failed ones at a 5 s interval made a hang cost
about 20 s before the restart even began. A GET over the network costs next to nothing, so the
watcher asks every guarded container it can reach itself, every WATCH_SECONDS, and restarts one
that leaves its health URL unanswered `misses` times in a row. Docker's checks stay: they decide
readiness, and they guard what the watcher cannot reach (another network, no HTTP).

Only silence is a miss. A hung process still has its port open (the kernel completes the
handshake), so its URL times out. Any HTTP status is an answer: a 503 for a dependency that is
down is readiness, and restarting the service would not help. A refused or reset connection is a
process that is stopping or starting, which is the deploy's or the restart policy's business.
And a container is judged only once its URL has answered since its start: a wrong port or path
(one that never answers) leaves it to Docker's checks, never restarts it.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Optional

from policy import ContainerView, direct_health_url, probe_plan

# Docker's view of a container the watch may judge: past its start (a starting one may not answer
# yet) and with a check (the label opt-in pairs with one).
JUDGED_HEALTH = ("healthy", "unhealthy")

# What one question got back (outbound.ask_liveness).
ANSWERED = "answered"  # an HTTP status, any
CLOSED = "closed"  # refused or reset: stopping, starting, or nothing listens there
SILENT = "silent"  # no answer within the wait: a miss


@dataclass(frozen=True)
class Target:
    """One container to ask this round: where, how long to wait, after how many misses to act."""
    view: ContainerView
    url: str
    seconds: float
    misses_needed: int

    @property
    def key(self) -> tuple[str, str]:
        # A restarted container is a new process: its misses start again from zero.
        return (self.view.id, self.view.started_at)


def watch_targets(views: Iterable[ContainerView], project: str, networks: set, stopping: set,
                  default_seconds: float, default_attempts: int, saturated: bool) -> list[Target]:
    """The guarded, running, judged containers of the project with a health URL the watcher can
    reach, except those Docker is stopping (a `kill` event: a deploy's drain, an operator's stop)."""
    targets = []
    for c in views:
        if c.project != project or not c.autoheal or c.status != "running" or c.health not in JUDGED_HEALTH:
            continue
        if c.id in stopping:
            continue
        url = direct_health_url(c, networks)
        if url:
            seconds, attempts = probe_plan(c, default_seconds, default_attempts, saturated)
            targets.append(Target(c, url, seconds, attempts))
    return targets


class MissCounter:
    """Misses in a row per (container, start), counted once its URL has answered; a container no
    longer asked is forgotten."""

    def __init__(self) -> None:
        self._misses: dict[tuple[str, str], int] = {}
        self._armed: set[tuple[str, str]] = set()

    def record(self, outcomes: list[tuple[Target, str]]) -> list[Target]:
        """Counts this round's outcomes (ANSWERED, CLOSED, SILENT); returns the targets due for a restart."""
        seen = {t.key for t, _ in outcomes}
        self._misses = {k: n for k, n in self._misses.items() if k in seen}
        self._armed &= seen
        due = []
        for t, outcome in outcomes:
            if outcome == ANSWERED:
                self._armed.add(t.key)
            n = self._misses.get(t.key, 0) + 1 if outcome == SILENT and t.key in self._armed else 0
            self._misses[t.key] = n
            if n >= t.misses_needed:
                due.append(t)
        return due

    def forget(self, key: tuple[str, str]) -> None:
        self._misses.pop(key, None)

    def misses(self, key: tuple[str, str]) -> int:
        return self._misses.get(key, 0)

    def armed(self, key: tuple[str, str]) -> bool:
        """True once the container's URL has answered since its start: its silence now counts."""
        return key in self._armed


def liveness_skip_reason(fresh: Optional[ContainerView], asked: ContainerView) -> Optional[str]:
    """Why a container that missed its answers must not be restarted after all, read again from the
    engine just before the restart: gone, stopped or paused meanwhile, restarted by someone else
    (a new start time), or back to starting."""
    if fresh is None:
        return "gone"
    if fresh.status != "running":
        return f"not_running:{fresh.status or 'unknown'}"
    if fresh.started_at != asked.started_at:
        return "restarted_meanwhile"
    if fresh.health not in JUDGED_HEALTH:
        return f"not_judged:{fresh.health or 'no_healthcheck'}"
    return None
