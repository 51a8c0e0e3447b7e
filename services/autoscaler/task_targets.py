"""Prometheus's view of every replica in swarm mode (served as HTTP service discovery on /targets).

With several replicas behind one DNS name (Swarm's dnsrr), a scrape of `backend:3000` meets one
replica at random, and the others are never seen. Swarm knows each task's address; the auto-scaler,
which reads the engine anyway, hands Prometheus one target per running task of every service
labelled galaxy.metrics.path, with the labels the kit's app job gives (scripts/lib/monitoring/targets.ts
does the same for compose mode from the compose model: the port rule here is the same).
"""
from __future__ import annotations

from typing import Optional


def metrics_port(spec: dict) -> Optional[int]:
    labels = spec.get("Labels") or {}
    for key in ("galaxy.metrics.port", "galaxy.health.port"):
        if labels.get(key, "").isdigit():
            return int(labels[key])
    ports = spec.get("EndpointSpec", {}).get("Ports") or []
    return int(ports[0]["TargetPort"]) if ports and ports[0].get("TargetPort") else None


def task_targets(stack: str, services: list[dict], tasks: list[dict], nodes: list[dict]) -> list[dict]:
    """One file_sd-style group per running task (pure). The address is the task's own on a network
    it shares with Prometheus (the service labelled galaxy.role=prometheus)."""
    by_id = {s["ID"]: s["Spec"] for s in services}
    prometheus = next((spec for spec in by_id.values() if (spec.get("Labels") or {}).get("galaxy.role") == "prometheus"), None)
    if prometheus is None:
        return []
    shared = {n.get("Target") for n in prometheus.get("TaskTemplate", {}).get("Networks") or []}
    hostnames = {n["ID"]: n.get("Description", {}).get("Hostname", "") for n in nodes}
    groups = []
    for task in tasks:
        spec = by_id.get(task.get("ServiceID", ""))
        path = ((spec or {}).get("Labels") or {}).get("galaxy.metrics.path", "")
        port = metrics_port(spec) if spec else None
        if not spec or not path.startswith("/") or port is None:
            continue
        addresses = [a for att in task.get("NetworksAttachments") or [] if att.get("Network", {}).get("ID") in shared
                     for a in att.get("Addresses") or []]
        if not addresses:
            continue
        service = spec["Name"].removeprefix(f"{stack}_")
        groups.append({
            "targets": [f"{addresses[0].split('/')[0]}:{port}"],
            "labels": {"service": service, "tier": "app", "__metrics_path__": path,
                       "task": f"{service}.{task.get('Slot', '')}", "node": hostnames.get(task.get("NodeID", ""), "")},
        })
    return sorted(groups, key=lambda g: g["labels"]["task"])
