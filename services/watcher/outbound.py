"""The watcher's own HTTP calls to other services: the second-opinion probe of a health URL before a
restart, and the alert it raises when a container keeps failing (stdlib only)."""
from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from typing import Callable, Optional

from galaxy_http import BasicAuth
from liveness import ANSWERED, CLOSED, SILENT
from policy import ContainerView


def http_probe(url: str, headers: dict[str, str], timeout: float) -> Optional[float]:
    """Seconds until the URL answered 200, or None (error, other status, no answer in time)."""
    started = time.monotonic()
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=timeout) as resp:
            return time.monotonic() - started if resp.status == 200 else None
    except OSError:  # URLError, HTTPError (non-2xx), timeouts and refused connections
        return None


def ask_liveness(url: str, headers: dict[str, str], timeout: float) -> str:
    """What the URL gave back within `timeout` seconds (liveness.py): ANSWERED for any HTTP status,
    CLOSED for a refused or reset connection (a process stopping or starting, or a wrong port),
    SILENT when nothing came (a hang)."""
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=timeout):
            return ANSWERED
    except urllib.error.HTTPError:
        return ANSWERED
    except urllib.error.URLError as err:  # the connection itself: silent only when it timed out
        return SILENT if isinstance(err.reason, TimeoutError) else CLOSED
    except TimeoutError:  # connected, then no answer in time
        return SILENT
    except OSError:  # reset or closed mid-answer
        return CLOSED


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
