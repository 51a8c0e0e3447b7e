"""Per-container resources for the watcher's /metrics (issue #16): CPU, memory against its limit,
network and OOM kills of every container of the project, from the Engine API (one stats sample per
container, through the socket proxy), so every image mode has them; cAdvisor is not packaged by
Debian. Pure: parsing a stats answer and rendering lines, unit-tested.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional


@dataclass
class Usage:
    cpu_seconds: float  # total CPU time used since the container started (a counter)
    memory_bytes: int  # working set: usage without the page cache the kernel can drop (as `docker stats`)
    rx_bytes: int
    tx_bytes: int


def parse_stats(stats: dict) -> Optional[Usage]:
    """A one-shot stats answer (cgroup v1 or v2) as Usage; None for a stopped container's empty one."""
    cpu = ((stats.get("cpu_stats") or {}).get("cpu_usage") or {}).get("total_usage")
    memory = stats.get("memory_stats") or {}
    if cpu is None or "usage" not in memory:
        return None
    detail = memory.get("stats") or {}
    # cgroup v2 names the droppable cache inactive_file, v1 total_inactive_file (older engines: cache).
    cache = detail.get("inactive_file", detail.get("total_inactive_file", detail.get("cache", 0)))
    networks = (stats.get("networks") or {}).values()
    return Usage(
        cpu_seconds=cpu / 1e9,
        memory_bytes=max(0, int(memory["usage"]) - int(cache or 0)),
        rx_bytes=sum(int(n.get("rx_bytes", 0)) for n in networks),
        tx_bytes=sum(int(n.get("tx_bytes", 0)) for n in networks),
    )


_FAMILIES = [
    ("galaxy_container_cpu_seconds_total", "counter", "CPU time the container used since it started, in seconds."),
    ("galaxy_container_cpu_limit_cores", "gauge", "The container's CPU limit in cores (compose deploy.resources.limits.cpus)."),
    ("galaxy_container_memory_bytes", "gauge", "Memory the container uses, without the page cache the kernel can drop."),
    ("galaxy_container_memory_limit_bytes", "gauge", "The container's memory limit (compose deploy.resources.limits.memory)."),
    ("galaxy_container_network_receive_bytes_total", "counter", "Bytes the container received on all its networks."),
    ("galaxy_container_network_transmit_bytes_total", "counter", "Bytes the container sent on all its networks."),
    ("galaxy_container_oom_kills_total", "counter", "Times the kernel killed a process of the container for memory, seen by the watcher."),
]


def render_resources(rows: list[tuple[dict, Optional[Usage], float, int]], oom_kills: dict[str, int], labels) -> list[str]:
    """Lines for every container: `rows` are (label pairs, usage or None, cpu limit cores or 0,
    memory limit bytes or 0); `oom_kills` counts by container name; `labels` renders a label set."""
    values: dict[str, list[str]] = {name: [] for name, _t, _h in _FAMILIES}
    for pairs, usage, cpu_limit, memory_limit in rows:
        key = labels(pairs)
        if usage is not None:
            values["galaxy_container_cpu_seconds_total"].append(f"{key} {usage.cpu_seconds:.6f}")
            values["galaxy_container_memory_bytes"].append(f"{key} {usage.memory_bytes}")
            values["galaxy_container_network_receive_bytes_total"].append(f"{key} {usage.rx_bytes}")
            values["galaxy_container_network_transmit_bytes_total"].append(f"{key} {usage.tx_bytes}")
        if cpu_limit:
            values["galaxy_container_cpu_limit_cores"].append(f"{key} {cpu_limit:g}")
        if memory_limit:
            values["galaxy_container_memory_limit_bytes"].append(f"{key} {memory_limit}")
        # Present from the start at 0, so the first kill is an increase Prometheus can see.
        values["galaxy_container_oom_kills_total"].append(f"{key} {oom_kills.get(pairs['container'], 0)}")
    out: list[str] = []
    for name, kind, help_text in _FAMILIES:
        out += [f"# HELP {name} {help_text}", f"# TYPE {name} {kind}"]
        out += [f"{name}{line}" for line in values[name]]
    return out
