"""The shared plumbing: metric text, routing, and draining in-flight requests on stop."""
import json
import sys
import threading
import time
import unittest
import urllib.request
from io import BytesIO, StringIO
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from galaxy_http import (App, HttpError, Logger, Response, WriteGuard, check_token, parse_int_param,  # noqa: E402
                         parse_json, read_chunked, start_server, stop_server)
from galaxy_metrics import Metrics  # noqa: E402


class MetricsTest(unittest.TestCase):
    def test_histogram_is_cumulative_with_contract_buckets(self):
        m = Metrics("svc", "9")
        m.observe("GET", "/x", 200, 0.003)
        m.observe("GET", "/x", 200, 0.2)
        m.observe("GET", "/x", 500, 30)
        text = m.render()
        base = 'http_request_duration_seconds_bucket{service="svc",method="GET",route="/x",le='
        self.assertIn(base + '"0.005"} 1', text)
        self.assertIn(base + '"0.1"} 1', text)
        self.assertIn(base + '"0.25"} 2', text)
        self.assertIn(base + '"10"} 2', text)
        self.assertIn(base + '"+Inf"} 3', text)
        self.assertIn('http_request_duration_seconds_count{service="svc",method="GET",route="/x"} 3', text)
        self.assertIn('http_requests_total{service="svc",method="GET",route="/x",status="500"} 1', text)
        les = [l.split('le="')[1].split('"')[0] for l in text.splitlines() if "_bucket{" in l]
        self.assertEqual(les, ["0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10", "+Inf"])

    def test_label_values_are_escaped(self):
        m = Metrics('a"b', "v\\1")
        self.assertIn('galaxy_service_info{service="a\\"b",version="v\\\\1"} 1', m.render())


class ServerTest(unittest.TestCase):
    def test_stop_waits_for_in_flight_request(self):
        logs = StringIO()
        app = App("t", "1", Logger("t", "info", logs))
        entered = threading.Event()

        @app.route("GET", "/slow")
        def slow(_req):
            entered.set()
            time.sleep(1.0)
            return Response(200, {"done": True})

        srv, _ = start_server(app, "127.0.0.1", 0)
        url = f"http://127.0.0.1:{srv.server_address[1]}/slow"
        result = {}

        def client():
            with urllib.request.urlopen(url, timeout=5) as resp:
                result["body"] = json.loads(resp.read())

        t = threading.Thread(target=client)
        t.start()
        self.assertTrue(entered.wait(5))
        self.assertTrue(stop_server(app, srv, 5))
        t.join(5)
        self.assertEqual(result.get("body"), {"done": True})
        with self.assertRaises(OSError):  # no longer accepting
            urllib.request.urlopen(url, timeout=1)

    def test_method_not_allowed_and_500(self):
        app = App("t", "1", Logger("t", "info", StringIO()))

        @app.route("GET", "/boom")
        def boom(_req):
            raise RuntimeError("bug")

        self.assertEqual(app.dispatch("GET", "/boom", b"")[1].status, 500)
        self.assertEqual(app.dispatch("POST", "/boom", b"")[1].status, 405)
        self.assertEqual(app.dispatch("GET", "/none", b"")[0], "unmatched")


class RequestInputTest(unittest.TestCase):
    """The one reader of request input: what it returns can be stored; the rest is a 400."""

    def status(self, fn, *args):
        try:
            fn(*args)
        except HttpError as err:
            return err.status, err.message
        return None

    def test_json_is_bounded_text_and_numbers(self):
        self.assertEqual(parse_json(b'{"a": [1, 2.5, "\\ud83d\\ude00"], "n": 9223372036854775807}'),
                         {"a": [1, 2.5, "\U0001f600"], "n": 2**63 - 1})
        self.assertIsInstance(parse_json(b"[" * 32 + b"]" * 32), list)
        for raw in [b"[" * 33 + b"]" * 33, b"[" * 5000 + b"]" * 5000, b'{"a": "\\ud800"}', b'{"\\udc00": 1}',
                    b"9223372036854775808", b"-9223372036854775809", b"9" * 5000, b"1e400", b"NaN",
                    b"-Infinity", b'"\xff"', b"{"]:
            self.assertEqual(self.status(parse_json, raw)[0], 400, raw[:40])

    def test_int_params(self):
        self.assertEqual(parse_int_param("id", "42"), 42)
        self.assertEqual(parse_int_param("id", str(2**63 - 1)), 2**63 - 1)
        for raw in [str(2**63), "9" * 30, "-1", "\u00b2", "\u0663", "1.0", "", " 1"]:
            self.assertEqual(self.status(parse_int_param, "id", raw), (400, "id must be an integer from 0 to 9223372036854775807"))

    def test_typed_route_parameter(self):
        app = App("t", "1", Logger("t", "info", StringIO()))
        app.route("GET", "/items/{id:int}")(lambda req: Response(200, {"id": req.params["id"]}))
        route, resp = app.dispatch("GET", "/items/7", b"")
        self.assertEqual((route, resp.status, resp.body), ("/items/{id}", 200, {"id": 7}))
        route, resp = app.dispatch("GET", "/items/99999999999999999999", b"")
        self.assertEqual((route, resp.status), ("/items/{id}", 400))
        self.assertEqual(app.dispatch("GET", "http://[", b"")[1].status, 400)

    def test_chunked_bodies_are_bounded(self):
        self.assertEqual(read_chunked(BytesIO(b"3\r\nabc\r\n2;x=y\r\nde\r\n0\r\nT: 1\r\n\r\n"), 10), b"abcde")
        self.assertEqual(self.status(read_chunked, BytesIO(b"6\r\nabcdef\r\n6\r\nabcdef\r\n0\r\n\r\n"), 10)[0], 413)
        for raw in [b"zz\r\n", b"3\r\nabcX\r\n", b"3\r\nab", b"fffffffff\r\n", b"0\r\n" + b"T: 1\r\n" * 40, b""]:
            self.assertEqual(self.status(read_chunked, BytesIO(raw), 10)[0], 400, raw[:20])


if __name__ == "__main__":
    unittest.main()


class WriteGuardTest(unittest.TestCase):
    TOKEN = "guard-test-token-0123456789"

    def status(self, guard, method, **headers):
        headers = {k.replace("_", "-"): v for k, v in headers.items()}
        try:
            guard.check(method, headers)
            return None
        except HttpError as err:
            return err.status

    def test_reads_are_public_and_writes_need_origin_token_and_json(self):
        g = WriteGuard(self.TOKEN, ("http://127.0.0.1:8080/",))
        ok = {"Authorization": f"Bearer {self.TOKEN}", "Content_Type": "application/json"}
        self.assertIsNone(self.status(g, "GET"))
        self.assertIsNone(self.status(g, "HEAD", Origin="http://evil.example"))
        self.assertIsNone(self.status(g, "POST", **ok))
        self.assertIsNone(self.status(g, "POST", Origin="http://127.0.0.1:8080", Sec_Fetch_Site="same-origin", **ok))
        self.assertIsNone(self.status(g, "DELETE", Authorization=f"Bearer {self.TOKEN}"))  # no body: no type needed
        self.assertEqual(self.status(g, "POST", Content_Type="application/json"), 401)
        self.assertEqual(self.status(g, "DELETE"), 401)
        self.assertEqual(self.status(g, "POST", Authorization="Bearer wrong", Content_Type="application/json"), 401)
        self.assertEqual(self.status(g, "POST", Origin="http://localhost:8080", **ok), 403)
        self.assertEqual(self.status(g, "POST", Sec_Fetch_Site="same-site", **ok), 403)
        self.assertEqual(self.status(g, "POST", Authorization=f"Bearer {self.TOKEN}", Content_Type="text/plain"), 415)
        self.assertEqual(self.status(g, "DELETE", Authorization=f"Bearer {self.TOKEN}", Content_Length="2"), 415)

    def test_401_says_how_to_authenticate(self):
        with self.assertRaises(HttpError) as ctx:
            WriteGuard(self.TOKEN).check("POST", {})
        self.assertEqual(ctx.exception.headers, {"WWW-Authenticate": "Bearer"})
        self.assertIn("Authorization: Bearer", ctx.exception.message)

    def test_a_guard_without_a_token_refuses_every_write(self):
        self.assertEqual(self.status(WriteGuard(), "POST", Authorization="Bearer " + "x" * 20), 401)

    def test_weak_or_unquotable_tokens_are_refused_at_start(self):
        for bad in ["", "short", "a" * 15, 'quote"in-token-0123', "space in token 0123", "dollar$in-token-0123", "x" * 257]:
            self.assertRaises(ValueError, check_token, bad)
        self.assertEqual(check_token("A-z_0.9~+/=" + "x" * 10), "A-z_0.9~+/=" + "x" * 10)
        with self.assertRaises(SystemExit):
            WriteGuard.from_env({"API_TOKEN": "short"})
        g = WriteGuard.from_env({"API_TOKEN": self.TOKEN, "API_ALLOWED_ORIGINS": "http://a:1, http://b:2/"})
        self.assertEqual(g.allowed_origins, {"http://a:1", "http://b:2"})
