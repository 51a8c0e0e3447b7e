"""experience-api: experience records and patterns, stored through memory-api (no state here).

Because nothing is kept locally, any number of copies can run and a deploy can swap them
with zero downtime. Run: python3 server.py (PORT, MEMORY_API_URL, APP_VERSION, LOG_LEVEL, API_TOKEN,
API_ALLOWED_ORIGINS). The one API token both admits writes here and is sent on writes to memory-api.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path
from urllib.parse import quote

# services/pylib on the host, /app/pylib in the image: same relative layout.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "pylib"))

from galaxy_http import App, HttpError, Logger, Request, Response, WriteGuard, check_token, env_int, run_forever  # noqa: E402
from memory_client import MemoryClient, MemoryRejected, MemoryUnavailable  # noqa: E402
from patterns import compute_patterns  # noqa: E402

SERVICE = "experience-api"
KIND = "experience"


def to_knowledge(data: dict) -> dict:
    """Map an experience to a memory-api knowledge record (kind=experience)."""
    content = data.get("content", data.get("description"))
    if not isinstance(content, str) or not content.strip():
        raise HttpError(400, "content must be a non-empty string")
    outcome = data.get("outcome", "unknown")
    if not isinstance(outcome, str):
        raise HttpError(400, "outcome must be a string")
    context = data.get("context")
    context = {} if context is None else context
    if not isinstance(context, dict):
        raise HttpError(400, "context must be an object")
    return {"kind": KIND, "title": data.get("title") or "", "content": content,
            "tags": data.get("tags") or [],
            "metadata": {"outcome": outcome.lower(), "context": context, "source": SERVICE}}


def create_app(memory_url: str, version: str = "dev", logger: Logger | None = None, timeout: float = 3.0, *,
               api_token: str, allowed_origins: tuple[str, ...] = ()) -> App:
    log = logger or Logger(SERVICE, os.environ.get("LOG_LEVEL", "info"))
    app = App(SERVICE, version, log, WriteGuard(api_token, allowed_origins))
    memory = MemoryClient(memory_url, timeout, api_token)

    def through_memory(method: str, path: str, body: dict | None = None):
        try:
            return memory.request(method, path, body)
        except MemoryUnavailable as err:
            log.warn("memory-api unavailable", path=path, error=str(err))
            raise HttpError(503, "memory-api unavailable")
        except MemoryRejected as err:
            if err.status in (401, 403, 415):  # our own request was refused: a setup fault, not the caller's
                log.error("memory-api refused this service's request", path=path, status=err.status)
                raise HttpError(503, "memory-api unavailable")
            detail = err.body.get("error") if isinstance(err.body, dict) else None
            raise HttpError(400 if err.status != 404 else 404, detail or "rejected by memory-api")

    @app.route("GET", "/health")
    def health(_req: Request) -> Response:
        # memory-api down is "degraded", still 200: failing here would make the orchestrator
        # restart healthy experience-api copies for an outage they cannot fix (no cascade).
        dep = memory.health()
        status = "ok" if dep["status"] == "ok" else "degraded"
        return Response(200, {"status": status, "service": SERVICE, "version": version,
                              "dependencies": {"memory-api": dep}})

    @app.route("GET", "/metrics")
    def metrics(_req: Request) -> Response:
        return Response(200, app.metrics.render(), "text/plain; version=0.0.4; charset=utf-8")

    @app.route("POST", "/experiences")
    def add(req: Request) -> Response:
        return Response(201, through_memory("POST", "/knowledge", to_knowledge(req.json())))

    @app.route("GET", "/experiences")
    def listing(req: Request) -> Response:
        limit = req.int_arg("limit", 50, 1, 1000)
        path = f"/knowledge?kind={KIND}&limit={limit}"
        tag = req.arg("tag")
        if tag:
            path += "&tag=" + quote(tag)
        return Response(200, through_memory("GET", path))

    @app.route("GET", "/patterns")
    def patterns(req: Request) -> Response:
        limit = req.int_arg("limit", 500, 1, 1000)
        data = through_memory("GET", f"/knowledge?kind={KIND}&limit={limit}")
        return Response(200, compute_patterns(data.get("items", []), req.int_arg("top", 10, 1, 100)))

    return app


def main() -> int:
    url = os.environ.get("MEMORY_API_URL", "http://memory-api:37778")
    try:
        token = check_token(os.environ.get("API_TOKEN", ""))
    except ValueError as err:
        raise SystemExit(f"error: {err}")
    app = create_app(url, os.environ.get("APP_VERSION", "dev"), api_token=token,
                     allowed_origins=tuple(os.environ.get("API_ALLOWED_ORIGINS", "").split(",")))
    app.log.info("configured", memory_api_url=url)
    return run_forever(app, os.environ.get("HOST", "0.0.0.0"), env_int("PORT", 5556))


if __name__ == "__main__":
    sys.exit(main())
