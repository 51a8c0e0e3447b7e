"""Request input for the Python reference services: the one reader of bodies, JSON and typed
path parameters, so every limit (size, depth, integer range, framing) is enforced in one place and
every refusal is an HttpError the server answers as a JSON 400 or 413 (galaxy_http.py).
"""
from __future__ import annotations

import json
import os
import re
from typing import Any

MAX_BODY = 1_000_000
# Deeper JSON than this is refused before any handler sees it: nothing here needs more, and the
# json module (and every later json.dumps of the value) recurses once per level.
MAX_DEPTH = 32
# The range SQLite stores in an INTEGER: any integer a request carries can be bound safely.
INT_MIN, INT_MAX = -(2**63), 2**63 - 1
MAX_CHUNK_LINE = 1024
MAX_TRAILERS = 32
_DIGITS = re.compile(r"[0-9]{1,19}")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")  # json.loads joins valid pairs, so any left is lone


class HttpError(Exception):
    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}  # sent with the JSON error (WWW-Authenticate on a 401)


def _json_int(text: str) -> int:
    # Checked on the text first: int() of thousands of digits is slow, and huge values would
    # fail later, far from the request, when bound to SQLite or read by another service.
    value = int(text) if len(text) <= 20 else None
    if value is None or not INT_MIN <= value <= INT_MAX:
        raise HttpError(400, "integers in the request body must fit in 64 bits")
    return value


def _json_float(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise HttpError(400, "numbers in the request body must be finite")
    return value


def _json_constant(name: str) -> None:
    raise HttpError(400, f"{name} is not JSON")


def parse_json(raw: bytes) -> Any:
    """The one JSON reader for request bodies: anything it returns can be stored and sent on
    (UTF-8 text, finite numbers, 64-bit integers, at most MAX_DEPTH levels); the rest is a 400."""
    try:
        data = json.loads(raw, parse_int=_json_int, parse_float=_json_float, parse_constant=_json_constant)
    except RecursionError:
        raise HttpError(400, f"request body is nested deeper than {MAX_DEPTH} levels")
    except (ValueError, UnicodeDecodeError):
        raise HttpError(400, "request body is not valid JSON")
    stack: list[tuple[Any, int]] = [(data, 0)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, str):
            if _LONE_SURROGATE.search(value):
                raise HttpError(400, "request body has a lone UTF-16 surrogate (not UTF-8 text)")
        elif isinstance(value, (dict, list)):
            if depth >= MAX_DEPTH:
                raise HttpError(400, f"request body is nested deeper than {MAX_DEPTH} levels")
            items = list(value.keys()) + list(value.values()) if isinstance(value, dict) else value
            stack.extend((item, depth + 1) for item in items)
    return data


def parse_int_param(name: str, raw: str) -> int:
    """A path parameter declared {name:int}: ASCII digits within SQLite's INTEGER, else a 400
    (str.isdigit() also accepts '²', and ids past 2**63 - 1 cannot be bound)."""
    if not _DIGITS.fullmatch(raw) or int(raw) > INT_MAX:
        raise HttpError(400, f"{name} must be an integer from 0 to {INT_MAX}")
    return int(raw)


def read_chunked(rfile, limit: int) -> bytes:
    """A Transfer-Encoding: chunked body, refused (413) as soon as it passes `limit` bytes."""
    parts: list[bytes] = []
    total = 0
    while True:
        line = rfile.readline(MAX_CHUNK_LINE + 1)
        size_text = line.split(b";", 1)[0].strip()
        if not line.endswith(b"\n") or not re.fullmatch(rb"[0-9A-Fa-f]{1,8}", size_text):
            raise HttpError(400, "malformed chunked body")
        size = int(size_text, 16)
        if size == 0:
            break
        total += size
        if total > limit:
            raise HttpError(413, f"body larger than {limit} bytes")
        data = rfile.read(size)
        if len(data) < size or rfile.readline(3) not in (b"\r\n", b"\n"):
            raise HttpError(400, "malformed chunked body")
        parts.append(data)
    for _ in range(MAX_TRAILERS):
        line = rfile.readline(MAX_CHUNK_LINE + 1)
        if line in (b"\r\n", b"\n"):
            return b"".join(parts)
        if not line.endswith(b"\n"):
            break
    raise HttpError(400, "malformed chunked body")


# Settings from the environment are input too: a bad one stops the service with one line.
def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "")
    try:
        return int(raw) if raw else default
    except ValueError:
        raise SystemExit(f"error: {name} must be an integer, got {raw!r}")
