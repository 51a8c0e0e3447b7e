"""What the socket proxy passes on to the Docker Engine API (pure: no I/O, unit-tested).

Exactly the calls the watcher makes, scoped to one compose project:
- GET/HEAD /_ping and GET /version: the engine answers at all (the proxy's own healthcheck);
- GET /containers/json and GET /events: the project's label filter is forced into the query;
- GET /containers/{id}/json, GET /containers/{id}/stats (one sample, not a stream) and
  POST /containers/{id}/restart: only after the proxy has checked (with an inspect of its own)
  that the container carries the project's label.
Everything else (create, exec, pull, build, volumes, networks, other projects...) is refused.
Each path may carry the API version prefix (/v1.45/...), which is passed on unchanged.
Answers are passed back without what could hold a secret: environments and command lines (a
password in `redis-server --requirepass`) are removed from inspect and list answers.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Optional
from urllib.parse import parse_qs, urlencode, urlsplit

PROJECT_LABEL = "com.docker.compose.project"

# A container id (hex, 1-64) or name as Docker allows it: nothing that could change the path.
_CONTAINER = r"[A-Za-z0-9][A-Za-z0-9_.-]{0,127}"
_VERSION = r"(?P<version>/v[0-9]{1,2}\.[0-9]{1,3})?"
_ROUTES = [
    ("ping", {"GET", "HEAD"}, re.compile(rf"^{_VERSION}/_ping$")),
    ("version", {"GET"}, re.compile(rf"^{_VERSION}/version$")),
    ("list", {"GET"}, re.compile(rf"^{_VERSION}/containers/json$")),
    ("events", {"GET"}, re.compile(rf"^{_VERSION}/events$")),
    ("inspect", {"GET"}, re.compile(rf"^{_VERSION}/containers/(?P<id>{_CONTAINER})/json$")),
    ("restart", {"POST"}, re.compile(rf"^{_VERSION}/containers/(?P<id>{_CONTAINER})/restart$")),
    ("stats", {"GET"}, re.compile(rf"^{_VERSION}/containers/(?P<id>{_CONTAINER})/stats$")),
]

# The query parameters each call may carry; anything else is refused rather than passed on blind.
_QUERY = {
    "ping": set(),
    "version": set(),
    "list": {"all", "limit", "size", "filters"},
    "events": {"since", "until", "filters"},
    "inspect": {"size"},
    "restart": {"t"},
    "stats": {"stream", "one-shot"},
}

# The longest stop grace a restart may ask for (PostgreSQL's 30 s with room to spare).
MAX_RESTART_SECONDS = 600


@dataclass
class Decision:
    """`allow`: pass `upstream_path` on; `check_owner`: only once the container `container` is the
    project's; otherwise refuse with HTTP `status` and `reason`."""

    allow: bool
    action: str = ""
    upstream_path: str = ""
    container: str = ""
    check_owner: bool = False
    stream: bool = False
    status: int = 403
    reason: str = ""
    version: str = ""
    query: dict = field(default_factory=dict)


def refuse(reason: str, status: int = 403) -> Decision:
    return Decision(allow=False, status=status, reason=reason)


def scoped_filters(raw: Optional[str], project: str, container_events: bool) -> str:
    """The client's filters with the project's label added (and, for events, type=container).

    Docker takes filters as {"key": ["value", ...]} or the older {"key": {"value": true}}; both
    are read, the list form is written. A filter that is not that shape is a ValueError."""
    filters: dict[str, list[str]] = {}
    if raw:
        parsed = json.loads(raw)
        if not isinstance(parsed, dict):
            raise ValueError("filters must be a JSON object")
        for key, values in parsed.items():
            if isinstance(values, dict):
                values = [v for v, on in values.items() if on]
            if not isinstance(key, str) or not isinstance(values, list) or not all(isinstance(v, str) for v in values):
                raise ValueError(f"filter {key!r} must be a list of strings")
            filters[key] = values
    own = f"{PROJECT_LABEL}={project}"
    # Several label filters must all match (AND), so adding ours can only narrow the client's.
    filters["label"] = [v for v in filters.get("label", []) if v != own] + [own]
    if container_events:
        # Only container events carry the project label; other types (images, networks) would leak.
        filters["type"] = ["container"]
    return json.dumps(filters, separators=(",", ":"))


def decide(method: str, target: str, project: str) -> Decision:
    """What to do with one request line (`GET /v1.45/containers/json?all=1`) for `project`."""
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or parts.fragment:
        return refuse("only a path and query may be asked for", 400)
    for action, methods, pattern in _ROUTES:
        match = pattern.match(parts.path)
        if not match:
            continue
        if method not in methods:
            return refuse(f"{method} {parts.path} is not allowed: only {', '.join(sorted(methods))}", 405)
        try:
            query = parse_qs(parts.query, keep_blank_values=True, strict_parsing=bool(parts.query))
        except ValueError:
            return refuse("the query string is malformed", 400)
        unknown = sorted(set(query) - _QUERY[action])
        if unknown:
            return refuse(f"query parameter {unknown[0]!r} is not allowed on {action}", 400)
        if any(len(values) != 1 for values in query.values()):
            return refuse("each query parameter may be given once", 400)
        flat = {k: v[0] for k, v in query.items()}
        version = match.group("version") or ""
        if action in ("list", "events"):
            try:
                flat["filters"] = scoped_filters(flat.get("filters"), project, container_events=action == "events")
            except ValueError as err:
                return refuse(f"filters: {err}", 400)
        if action == "stats" and flat.get("stream") not in ("0", "false"):
            # A stream holds a connection and an engine goroutine open for as long as the client
            # likes; one sample per call is all the watcher's metrics need.
            return refuse("stats must be asked for one sample at a time: stream=false", 400)
        if action == "restart" and "t" in flat:
            if not re.fullmatch(r"[0-9]{1,4}", flat["t"]) or int(flat["t"]) > MAX_RESTART_SECONDS:
                return refuse(f"t must be a whole number of seconds up to {MAX_RESTART_SECONDS}", 400)
        upstream = parts.path + (f"?{urlencode(flat)}" if flat else "")
        container = match.groupdict().get("id") or ""
        return Decision(allow=True, action=action, upstream_path=upstream, container=container,
                        check_owner=bool(container), stream=action == "events", version=version, query=flat)
    return refuse(f"{method} {parts.path} is not one of the calls this proxy passes on "
                  "(ping, version, list/inspect/stats/events/restart of the project's containers)")


def owned_by(inspect_body: bytes, project: str) -> bool:
    """The inspected container carries this project's compose label."""
    try:
        labels = (json.loads(inspect_body).get("Config") or {}).get("Labels") or {}
    except (ValueError, AttributeError):
        return False
    return labels.get(PROJECT_LABEL) == project


def owned_path(decision: Decision, container_id: str) -> str:
    """The checked call (restart, stats) for the container's full id (a name could be taken by
    another container between the check and the call; the id cannot)."""
    query = f"?{urlencode(decision.query)}" if decision.query else ""
    return f"{decision.version}/containers/{container_id}/{decision.action}{query}"


# Where inspect and list answers carry environment variables and command lines.
_INSPECT_SECRETS = {"Config": ("Env", "Cmd", "Entrypoint"), "": ("Args",)}


def redacted_inspect(body: bytes) -> bytes:
    """An inspect answer without the container's environment, command and arguments."""
    doc = json.loads(body)
    for section, keys in _INSPECT_SECRETS.items():
        holder = doc.get(section) if section else doc
        if isinstance(holder, dict):
            for key in keys:
                holder.pop(key, None)
    return json.dumps(doc).encode()


def redacted_list(body: bytes) -> bytes:
    """A container list without each container's command line."""
    rows = json.loads(body)
    if isinstance(rows, list):
        for row in rows:
            if isinstance(row, dict):
                row.pop("Command", None)
    return json.dumps(rows).encode()
