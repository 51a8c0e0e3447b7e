"""The watcher's running parts around its policy (watcher.py): the Engine's event stream, the
fallback sweep, and its HTTP surface (/health public, /metrics behind the admin credentials)."""
from __future__ import annotations

import os
import threading
import time
from typing import TYPE_CHECKING, Optional

from galaxy_engine import inspect_self
from galaxy_http import App, Request, Response
from policy import ContainerView

if TYPE_CHECKING:
    from watcher import Watcher


def follow_events(w: Watcher, stop: threading.Event) -> None:
    backoff = 1.0
    while not stop.is_set():
        try:
            w.connected = True
            for event in w.docker.events(w.project):
                backoff = 1.0
                w.note_event(event)
                threading.Thread(target=w.handle_event, args=(event,), daemon=True).start()
        except Exception as err:
            w.log.warn("event stream lost, reconnecting", error=str(err), retry_seconds=backoff)
        w.connected = False
        stop.wait(backoff)
        backoff = min(backoff * 2, 10.0)


def sweep_forever(w: Watcher, stop: threading.Event, every: float) -> None:
    # The first sweep at once: the liveness watch asks the containers of the last sweep, so a
    # watcher that has just started would otherwise watch nothing for a whole interval.
    while True:
        try:
            w.sweep()
        except Exception as err:
            w.log.warn("sweep failed", error=str(err))
        if stop.wait(every):
            return


def watch_forever(w: Watcher, stop: threading.Event, every: float) -> None:
    """The liveness watch: a round every `every` seconds, or right after a round that took longer
    (a silent container keeps it waiting its seconds, and its next miss is asked at once)."""
    while not stop.is_set():
        started = time.monotonic()
        try:
            w.watch_round()
        except Exception as err:
            w.log.warn("liveness round failed", error=str(err))
        stop.wait(max(0.0, every - (time.monotonic() - started)))


def build_app(w: Watcher, version: str) -> App:
    app = App("watcher", version, w.log)

    @app.route("GET", "/health")
    def health(_req: Request) -> Response:
        ok = w.docker.ping()
        body = {"status": "ok" if ok else "down", "service": "watcher", "version": version, "project": w.project,
                "docker": ok, "events_connected": w.connected}
        return Response(200 if ok else 503, body)

    @app.route("GET", "/metrics")
    def metrics(req: Request) -> Response:
        # What every container of the project is and does: for the operator and Prometheus only.
        if w.admin:
            w.admin.check(req.headers)
        # Read the engine at scrape time so a scrape never shows a state older than itself;
        # if the engine does not answer, the last sweep's snapshot is served instead.
        try:
            w.refresh()
            w.read_usage()
        except Exception as err:
            w.log.warn("metrics refresh failed, serving the last snapshot", error=str(err))
        return Response(200, app.metrics.render(w.metrics_text()), "text/plain; version=0.0.4; charset=utf-8")

    return app


def host_load() -> tuple[float, int]:
    """The host's 1-minute load and core count (/proc/loadavg is the host's inside a container);
    (0, 1) where it cannot be read, so nothing is held back."""
    try:
        with open("/proc/loadavg", encoding="ascii") as f:
            return float(f.read().split()[0]), os.cpu_count() or 1
    except (OSError, ValueError, IndexError):
        return 0.0, 1


def own_view(docker) -> Optional[ContainerView]:
    """The watcher's own container: its project and networks."""
    try:
        raw = inspect_self(docker.endpoint)
    except Exception:
        return None
    return ContainerView.from_inspect(raw) if raw else None
