"""The auto-scaler's pure decisions (unit-tested): a service's policy from its labels, and the
replica count it should have given the policy, the query's value and the time since its last change.

Neither compose nor Swarm scales on a metric by itself, hence this small controller. A policy is
five labels on the service (docs/SCALING.md):
  galaxy.autoscale.max       the most replicas (required: it turns the policy on)
  galaxy.autoscale.min       the fewest (default 1)
  galaxy.autoscale.query     a Prometheus query whose first sample is the load (required)
  galaxy.autoscale.up        one replica more while the value is above this
  galaxy.autoscale.down      one replica fewer while the value is below this (lower than up)
  galaxy.autoscale.cooldown  seconds after a change before the next one (default 60)
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Optional, Union

PREFIX = "galaxy.autoscale."
MAX_REPLICAS = 50
DEFAULT_COOLDOWN = 60.0


@dataclass(frozen=True)
class Policy:
    minimum: int
    maximum: int
    query: str
    up: float
    down: float
    cooldown: float


@dataclass(frozen=True)
class Decision:
    replicas: int
    # up, down, hold
    direction: str
    reason: str


def _whole(labels: dict[str, str], key: str, default: Optional[int]) -> int:
    raw = labels.get(PREFIX + key)
    if raw is None:
        if default is None:
            raise ValueError(f"{PREFIX}{key} is missing")
        return default
    if not raw.strip().isdigit():
        raise ValueError(f"{PREFIX}{key}={raw!r} is not a whole number")
    return int(raw)


def _number(labels: dict[str, str], key: str, default: Optional[float]) -> float:
    raw = labels.get(PREFIX + key)
    if raw is None:
        if default is None:
            raise ValueError(f"{PREFIX}{key} is missing")
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{PREFIX}{key}={raw!r} is not a number") from None
    if not math.isfinite(value):
        raise ValueError(f"{PREFIX}{key}={raw!r} is not a finite number")
    return value


def parse_policy(labels: dict[str, str]) -> Union[Policy, str, None]:
    """None: the service has no policy (no galaxy.autoscale.max). A string: why its labels are not
    a policy, for the log and the error counter. Labels come from the compose files: checked here."""
    if PREFIX + "max" not in labels:
        return None
    try:
        minimum = _whole(labels, "min", 1)
        maximum = _whole(labels, "max", None)
        query = labels.get(PREFIX + "query", "").strip()
        if not query:
            raise ValueError(f"{PREFIX}query is missing")
        up = _number(labels, "up", None)
        down = _number(labels, "down", None)
        cooldown = _number(labels, "cooldown", DEFAULT_COOLDOWN)
    except ValueError as err:
        return str(err)
    if minimum < 1:
        return f"{PREFIX}min must be at least 1, not {minimum}"
    if not minimum <= maximum <= MAX_REPLICAS:
        return f"{PREFIX}max must be from min ({minimum}) to {MAX_REPLICAS}, not {maximum}"
    if down >= up:
        return f"{PREFIX}down ({down:g}) must be below {PREFIX}up ({up:g}), or the count would swing"
    if cooldown < 0:
        return f"{PREFIX}cooldown must not be negative, not {cooldown:g}"
    return Policy(minimum, maximum, query, up, down, cooldown)


def decide(policy: Policy, value: Optional[float], current: int, ceiling: int, since_change: float) -> Decision:
    """The count the service should run now. `ceiling`: the most the cluster can hold (a service
    with a host-mode port runs one task per node). `since_change`: seconds since this controller,
    or a deploy, last changed the count. One step at a time: each new replica is measured first."""
    highest = max(policy.minimum, min(policy.maximum, ceiling))
    # At 0 the service was stopped on purpose (a restore stops the writers so, or an operator did):
    # bringing it back to min would undo that. As Kubernetes' HPA does, 0 turns scaling off until
    # the service runs again.
    if current == 0:
        return Decision(0, "hold", "scaled to 0 on purpose: held until it runs again")
    # Outside the bounds (a deploy or a hand scale put it there): back inside at once.
    if current < policy.minimum:
        return Decision(policy.minimum, "up", f"below min {policy.minimum}")
    if current > highest:
        why = f"above max {policy.maximum}" if current > policy.maximum else f"more than the {ceiling} node(s) can hold"
        return Decision(highest, "down", why)
    if value is None:
        return Decision(current, "hold", "the query returned no sample")
    if value > policy.up and current < highest:
        wanted = Decision(current + 1, "up", f"{value:g} > up {policy.up:g}")
    elif value < policy.down and current > policy.minimum:
        wanted = Decision(current - 1, "down", f"{value:g} < down {policy.down:g}")
    else:
        return Decision(current, "hold", f"{value:g} within the bounds")
    if since_change < policy.cooldown:
        return Decision(current, "hold", f"cooldown: {since_change:.0f}s of {policy.cooldown:g}s since the last change")
    return wanted


def holds_local_state(spec: dict) -> bool:
    """A Swarm service spec whose tasks mount a volume or a host folder keeps files on one node:
    a second replica would have its own copy, so it is never scaled."""
    mounts = spec.get("TaskTemplate", {}).get("ContainerSpec", {}).get("Mounts") or []
    return any(m.get("Type") in ("volume", "bind") for m in mounts)
