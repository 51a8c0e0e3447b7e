"""A bounded corpus of hostile requests, sent over raw sockets to a Python service on 127.0.0.1.

Shared by the hostile-request tests of memory-api and experience-api (issue #12): each case is
raw bytes and the statuses it may get. `check_service` sends them all, then asks /health, and
returns every problem found as text, so one failing test names every broken case at once.
"""
from __future__ import annotations

import json
import socket
import time
from dataclasses import dataclass

MAX_BODY = 1_000_000


@dataclass
class Case:
    name: str
    raw: bytes
    expect: tuple[int, ...]
    body_after: bytes = b""  # sent after the answer was read (a body the server refused unread)
    half_close: bool = False  # end the sending side after the request: the body is all there is


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes


# The API token the services under test are started with (API_TOKEN): every write must carry it.
TOKEN = "hostile-test-token-0123456789"
READS = ("GET", "HEAD")


def request(method: str, path: str, headers: list[tuple[str, str]] = (), body: bytes = b"", admitted: bool = True) -> bytes:
    """An `admitted` write carries the token and, unless it says otherwise, a JSON content type, so
    the cases about framing and JSON reach the body reader past the write guard."""
    head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    if admitted and method not in READS:
        names = {k.lower() for k, _ in headers}
        headers = [("Authorization", f"Bearer {TOKEN}")] + list(headers)
        if "content-type" not in names:
            headers.append(("Content-Type", "application/json"))
    head += "".join(f"{k}: {v}\r\n" for k, v in headers)
    return head.encode("latin-1") + b"\r\n" + body


def json_post(path: str, body: bytes, content_type: str = "application/json") -> bytes:
    return request("POST", path, [("Content-Type", content_type), ("Content-Length", str(len(body)))], body)


def chunked(parts: list[bytes]) -> bytes:
    return b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in parts) + b"0\r\n\r\n"


def corpus(post_path: str, good_body: bytes, id_path: str | None) -> list[Case]:
    """`post_path` takes a JSON object (`good_body` is one it accepts); `id_path`, when the
    service has one, is the prefix of a route ending in an integer id (`/conversations/`)."""
    bad, big = (400,), (413,)
    te = [("Transfer-Encoding", "chunked"), ("Content-Type", "application/json")]
    deep = b'{"content": "x", "metadata": ' + b'{"a": ' * 1000 + b"1" + b"}" * 1000 + b"}"
    cases = [
        Case("negative length", request("POST", post_path, [("Content-Length", "-1")], good_body), bad),
        Case("non-numeric length", request("POST", post_path, [("Content-Length", "abc")], good_body), bad),
        Case("fractional length", request("POST", post_path, [("Content-Length", "1.5")], good_body), bad),
        Case("two different lengths", request("POST", post_path, [("Content-Length", "2"), ("Content-Length", "3")], b"{}"), bad),
        Case("length with 30 digits", request("POST", post_path, [("Content-Length", "9" * 30)]), big),
        Case("length over the limit, body never sent", request("POST", post_path, [("Content-Length", str(60_000_000))]), big),
        Case("body over the limit", request("POST", post_path, [("Content-Length", str(MAX_BODY + 1))]), big,
             body_after=b"x" * 65536),
        Case("body shorter than its length", request("POST", post_path, [("Content-Length", "50")], b"{}"), bad,
             half_close=True),
        Case("no length on a POST", request("POST", post_path, [("Content-Type", "application/json")]), bad),
        Case("chunked body within the limit", request("POST", post_path, te, chunked([good_body[:5], good_body[5:]])), (201,)),
        Case("chunked body over the limit", request("POST", post_path, te, chunked([b"x" * 60000] * 20)), big),
        Case("chunked body with a bad size", request("POST", post_path, te, b"zz\r\nabc\r\n0\r\n\r\n"), bad),
        Case("chunked body with a huge size", request("POST", post_path, te, b"fffffffffff\r\nabc\r\n"), bad),
        Case("both lengths", request("POST", post_path, te + [("Content-Length", str(len(good_body)))], good_body), bad),
        Case("unknown transfer encoding", request("POST", post_path, [("Transfer-Encoding", "gzip")], good_body), bad),
        Case("JSON nested 1000 deep", json_post(post_path, deep), bad),
        Case("JSON nested 100000 deep", json_post(post_path, b"[" * 100_000 + b"]" * 100_000), bad),
        Case("lone surrogate in a value", json_post(post_path, b'{"content": "a\\ud800b", "messages": [{"content": "\\udc00"}]}'), bad),
        Case("lone surrogate in a key", json_post(post_path, b'{"content": "x", "metadata": {"\\ud800": 1}}'), bad),
        Case("invalid UTF-8", json_post(post_path, b'{"content": "\xed\xa0\x80\xff"}'), bad),
        Case("integer above 2^63", json_post(post_path, b'{"content": "x", "metadata": {"n": 18446744073709551616}}'), bad),
        Case("integer of 5000 digits", json_post(post_path, b'{"content": "x", "metadata": {"n": ' + b"9" * 5000 + b"}}"), bad),
        Case("number 1e400", json_post(post_path, b'{"content": "x", "metadata": {"n": 1e400}}'), bad),
        Case("NaN", json_post(post_path, b'{"content": "x", "metadata": {"n": NaN}}'), bad),
        Case("not JSON", json_post(post_path, b"{not json"), bad),
        Case("JSON but not an object", json_post(post_path, b"[1, 2]"), bad),
        Case("text/plain body", json_post(post_path, good_body, "text/plain"), (415,)),
        Case("form body", json_post(post_path, b"a=1&b=2", "application/x-www-form-urlencoded"), (415,)),
        Case("binary body", json_post(post_path, bytes(range(256)), "application/octet-stream"), (415,)),
        Case("malformed absolute target", b"GET http://[ HTTP/1.1\r\nHost: x\r\n\r\n", bad),
        Case("garbage request line", b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n", bad),
        Case("header without a colon", b"GET /health HTTP/1.1\r\nHost: x\r\nnocolon\r\n\r\n", bad + (200,)),
        Case("header line of 70000 bytes", request("GET", "/health", [("X-Big", "a" * 70000)]), (400, 431)),
        Case("200 headers", request("GET", "/health", [(f"X-{i}", "1") for i in range(200)]), (400, 431)),
        Case("request line of 70000 bytes", request("GET", "/" + "a" * 70000), (400, 414)),
        Case("unknown method", request("BREW", "/health"), (400, 405, 501)),
    ]
    cases += auth_cases(post_path, good_body)
    if id_path:
        cases += [
            Case("id above 2^63", request("GET", id_path + "9" * 25), bad),
            Case("id 2^63", request("GET", id_path + str(2**63)), bad),
            Case("id as a superscript digit", request("GET", id_path + "\xb2"), bad),  # "²".isdigit()
            Case("negative id", request("GET", id_path + "-1"), bad),
        ]
    return cases


def auth_cases(post_path: str, good_body: bytes) -> list[Case]:
    """Who may write (issue #12 point 4, docs/SECURITY.md): the token, the content type, the Origin.
    Reads stay public; a refused write is answered before its body is read."""
    json_type = ("Content-Type", "application/json")
    length = ("Content-Length", str(len(good_body)))

    def write(*headers: tuple[str, str]) -> bytes:
        typed = any(k == "Content-Type" for k, _ in headers)
        return request("POST", post_path, ([] if typed else [json_type]) + [length, *headers], good_body, admitted=False)

    bearer = ("Authorization", f"Bearer {TOKEN}")
    return [
        Case("write without a token", write(), (401,)),
        Case("write with a wrong token", write(("Authorization", "Bearer " + "x" * len(TOKEN))), (401,)),
        Case("write with a token one character short", write(("Authorization", f"Bearer {TOKEN[:-1]}")), (401,)),
        Case("write with the token as Basic credentials", write(("Authorization", f"Basic {TOKEN}")), (401,)),
        Case("write with an empty bearer", write(("Authorization", "Bearer ")), (401,)),
        Case("write with a non-ASCII token", write(("Authorization", "Bearer t\xe9st")), (401,)),
        Case("write without a token, body over the limit never read",
             request("POST", post_path, [json_type, ("Content-Length", str(60_000_000))], admitted=False), (401,),
             body_after=b"x" * 65536),
        Case("write from a foreign Origin with the token", write(bearer, ("Origin", "http://evil.example")), (403,)),
        Case("write from a foreign Origin without a token", write(("Origin", "http://evil.example")), (403,)),
        Case("write from a page on another local port", write(bearer, ("Origin", "http://127.0.0.1:9090")), (403,)),
        Case("write from a sandboxed page (Origin: null)", write(bearer, ("Origin", "null")), (403,)),
        Case("write marked cross-site by the browser", write(bearer, ("Sec-Fetch-Site", "cross-site")), (403,)),
        Case("text/plain write without a token", write(("Content-Type", "text/plain")), (401,)),
        Case("write with the token and no content type",
             request("POST", post_path, [bearer, length], good_body, admitted=False), (415,)),
        Case("write with the token and JSON", write(bearer), (201,)),
        Case("write with the token and JSON with a charset",
             write(bearer, ("Content-Type", "application/json; charset=utf-8")), (201,)),
        Case("write with the token in a lower-case scheme", write(("Authorization", f"bearer {TOKEN}")), (201,)),
        Case("health stays public", request("GET", "/health"), (200,)),
        Case("health stays public from a foreign page", request("GET", "/health", [("Origin", "http://evil.example")]), (200,)),
    ]


def send(port: int, case: Case, timeout: float = 10.0) -> Answer:
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(case.raw)
        if case.half_close:
            s.shutdown(socket.SHUT_WR)
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
        if case.body_after:
            try:
                s.sendall(case.body_after)
            except OSError:
                pass  # the server closed after refusing: the answer is already here
        head, _, rest = data.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        if not lines[0].startswith("HTTP/"):
            raise AssertionError(f"no HTTP answer: {data[:200]!r}")
        headers = {}
        for line in lines[1:]:
            key, _, value = line.partition(":")
            headers[key.strip().lower()] = value.strip()
        length = int(headers.get("content-length", "0"))
        while len(rest) < length:
            chunk = s.recv(65536)
            if not chunk:
                break
            rest += chunk
        return Answer(int(lines[0].split()[1]), headers, rest[:length])


def problems_in(case: Case, answer: Answer) -> list[str]:
    found = []
    if answer.status not in case.expect:
        found.append(f"{case.name}: got {answer.status}, expected {case.expect}: {answer.body[:200]!r}")
    if b"Traceback" in answer.body or b'File "' in answer.body:
        found.append(f"{case.name}: a stack trace in the answer")
    if answer.status >= 400:
        try:
            ok = isinstance(json.loads(answer.body).get("error"), str)
        except (ValueError, AttributeError):
            ok = False
        if not ok or not answer.headers.get("content-type", "").startswith("application/json"):
            found.append(f"{case.name}: {answer.status} without a JSON error body: {answer.body[:200]!r}")
    return found


def slow_headers(port: int, count: int = 10) -> list[socket.socket]:
    """`count` connections that send half a request line and then nothing (slowloris, bounded)."""
    socks = []
    for _ in range(count):
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        s.sendall(b"GET /health HTTP/1.1\r\nHost: 127")
        socks.append(s)
    return socks


def health(port: int) -> int:
    return send(port, Case("health", request("GET", "/health", [("Connection", "close")]), (200,))).status


def check_service(port: int, post_path: str, good_body: bytes, id_path: str | None = None) -> list[str]:
    found: list[str] = []
    for case in corpus(post_path, good_body, id_path):
        try:
            found += problems_in(case, send(port, case))
        except (OSError, AssertionError) as err:
            found.append(f"{case.name}: no answer ({err})")
    lingering = slow_headers(port)
    try:
        started = time.monotonic()
        if health(port) != 200:
            found.append("/health did not answer 200 while slow clients held connections")
        if time.monotonic() - started > 2:
            found.append("/health was slow while slow clients held connections")
    finally:
        for s in lingering:
            s.close()
    if health(port) != 200:
        found.append("/health did not answer 200 after the corpus")
    return found


def start(script: str, env: dict[str, str], port: int):
    """Run a service's server.py as its own process (stdout and stderr kept for the checks) and
    wait until /health answers."""
    import subprocess
    import sys
    proc = subprocess.Popen([sys.executable, script], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            if health(port) == 200:
                return proc
        except (OSError, AssertionError):
            time.sleep(0.1)
    proc.kill()
    out, err = proc.communicate()
    raise AssertionError(f"{script} did not answer /health: {err.decode()[-500:]}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def unstructured(text: str) -> list[str]:
    """Lines of a service's output that are not JSON objects (a traceback, a stdlib message)."""
    bad = []
    for line in text.splitlines():
        try:
            if not isinstance(json.loads(line), dict):
                bad.append(line)
        except ValueError:
            bad.append(line)
    return bad
