"""The watcher's own HTTP calls to other services: the second-opinion probe of a health URL before a
restart, and the alert it raises when a container keeps failing (stdlib only)."""
from __future__ import annotations

import json
import time
import urllib.request
from typing import Callable, Optional

from galaxy_http import BasicAuth
from policy import ContainerView


def http_probe(url: str, headers: dict[str, str], timeout: float) -> Optional[float]:
    """Seconds until the URL answered 200, or None (error, other status, no answer in time)."""
    started = time.monotonic()
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=timeout) as resp:
            return time.monotonic() - started if resp.status == 200 else None
    except OSError:  # URLError, HTTPError (non-2xx), timeouts and refused connections
        return None


def alertmanager_sender(base_url: str, project: str, admin: Optional[BasicAuth]) -> Callable[[ContainerView, str], None]:
    def send(c: ContainerView, summary: str) -> None:
        body = json.dumps([{
            "labels": {"alertname": "GalaxyWatcherRestartLimit", "severity": "critical", "project": project,
                       "service": c.service, "container": c.name},
            "annotations": {"summary": summary},
        }]).encode()
        req = urllib.request.Request(base_url.rstrip("/") + "/api/v2/alerts", data=body, method="POST",
                                     headers={"Content-Type": "application/json", **(admin.header() if admin else {})})
        with urllib.request.urlopen(req, timeout=3):
            pass
    return send
