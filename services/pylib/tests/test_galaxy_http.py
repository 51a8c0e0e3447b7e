"""The shared plumbing: metric text, routing, and draining in-flight requests on stop."""
import json
import sys
import threading
import time
import unittest
import urllib.request
from io import StringIO
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from galaxy_http import App, Logger, Response, start_server, stop_server  # noqa: E402
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


if __name__ == "__main__":
    unittest.main()
