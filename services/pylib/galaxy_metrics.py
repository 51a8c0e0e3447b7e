"""Prometheus text for the Python services, with the metric names fixed by docs/DEVELOPING.md.

Hand-written rather than prometheus_client: PyPI is out of reach here, and the few series we
expose fit in this file.
"""
from __future__ import annotations

import threading
import time

# Buckets fixed by the metric contract; dashboards compute quantiles from exactly these.
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)


def _escape_label(value: str) -> str:
    return str(value).replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _labels(pairs: dict[str, str]) -> str:
    return "{" + ",".join(f'{k}="{_escape_label(v)}"' for k, v in pairs.items()) + "}"


def _num(value: float) -> str:
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return repr(float(value))


class Metrics:
    def __init__(self, service: str, version: str):
        self.service = service
        self.version = version
        self.start_time = time.time()
        self._lock = threading.Lock()
        self._requests: dict[tuple[str, str, str], int] = {}
        self._hist: dict[tuple[str, str], list[float]] = {}  # bucket counts..., sum, count

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        with self._lock:
            key = (method, route, str(status))
            self._requests[key] = self._requests.get(key, 0) + 1
            h = self._hist.setdefault((method, route), [0.0] * (len(BUCKETS) + 2))
            for i, bound in enumerate(BUCKETS):
                if seconds <= bound:
                    h[i] += 1
            h[-2] += seconds
            h[-1] += 1

    def render(self, extra: str = "") -> str:
        svc = self.service
        out = [
            "# HELP http_requests_total HTTP requests handled, by route and status.",
            "# TYPE http_requests_total counter",
        ]
        with self._lock:
            for (method, route, status), n in sorted(self._requests.items()):
                lbl = _labels({"service": svc, "method": method, "route": route, "status": status})
                out.append(f"http_requests_total{lbl} {n}")
            out += [
                "# HELP http_request_duration_seconds HTTP request latency.",
                "# TYPE http_request_duration_seconds histogram",
            ]
            for (method, route), h in sorted(self._hist.items()):
                base = {"service": svc, "method": method, "route": route}
                for i, bound in enumerate(BUCKETS):
                    lbl = _labels({**base, "le": _num(bound)})
                    out.append(f"http_request_duration_seconds_bucket{lbl} {_num(h[i])}")
                lbl = _labels({**base, "le": "+Inf"})
                out.append(f"http_request_duration_seconds_bucket{lbl} {_num(h[-1])}")
                out.append(f"http_request_duration_seconds_sum{_labels(base)} {repr(h[-2])}")
                out.append(f"http_request_duration_seconds_count{_labels(base)} {_num(h[-1])}")
        out += [
            "# HELP galaxy_service_info Service identity; value is always 1.",
            "# TYPE galaxy_service_info gauge",
            f"galaxy_service_info{_labels({'service': svc, 'version': self.version})} 1",
            "# HELP process_start_time_seconds Start time of the process since unix epoch in seconds.",
            "# TYPE process_start_time_seconds gauge",
            f"process_start_time_seconds {self.start_time:.3f}",
        ]
        text = "\n".join(out) + "\n"
        return text + extra if extra else text
