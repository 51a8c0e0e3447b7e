import http.client
import json
import os
import socketserver
import sys
import tempfile
import threading
import unittest
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

HERE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "pylib"))
from galaxy_log import Logger  # noqa: E402
from proxy import Engine, Handler  # noqa: E402
from rules import decide, owned_by, redacted_inspect, redacted_list, scoped_filters  # noqa: E402

OWN = "com.docker.compose.project=galaxy"


class RulesTest(unittest.TestCase):
    def test_refuses_every_call_the_watcher_does_not_make(self):
        for method, target in [
            ("POST", "/v1.45/containers/create"),
            ("POST", "/containers/abc/exec"),
            ("POST", "/exec/abc/start"),
            ("POST", "/images/create?fromImage=debian&tag=latest"),
            ("POST", "/build"),
            ("DELETE", "/containers/abc"),
            ("POST", "/containers/abc/kill"),
            ("GET", "/containers/abc/logs"),
            ("GET", "/volumes"),
            ("POST", "/swarm/init"),
            ("GET", "/containers/../images/json"),
            ("POST", "/containers/a%2F..%2Fb/restart"),
            ("GET", "http://elsewhere/containers/json"),
        ]:
            with self.subTest(target=target):
                self.assertFalse(decide(method, target, "galaxy").allow)

    def test_wrong_method_on_an_allowed_path_is_refused(self):
        self.assertEqual(decide("POST", "/containers/json", "galaxy").status, 405)
        self.assertEqual(decide("GET", "/containers/abc/restart", "galaxy").status, 405)

    def test_list_and_events_are_scoped_to_the_project_whatever_the_client_asks(self):
        asked = json.dumps({"label": ["com.docker.compose.project=other"], "type": ["image"]})
        for path in ("/v1.45/containers/json", "/events"):
            d = decide("GET", f"{path}?filters={asked}", "galaxy")
            self.assertTrue(d.allow)
            filters = json.loads(parse_qs(urlsplit(d.upstream_path).query)["filters"][0])
            # Labels are ANDed by the engine: the other project's filter and ours match nothing together.
            self.assertIn(OWN, filters["label"])
        self.assertEqual(json.loads(scoped_filters(asked, "galaxy", True))["type"], ["container"])
        self.assertEqual(json.loads(scoped_filters(None, "galaxy", False)), {"label": [OWN]})
        self.assertEqual(json.loads(scoped_filters('{"label": {"a=b": true}}', "galaxy", False))["label"], ["a=b", OWN])

    def test_malformed_filters_and_queries_are_refused(self):
        self.assertEqual(decide("GET", "/containers/json?filters=[1]", "galaxy").status, 400)
        self.assertEqual(decide("GET", "/containers/json?filters={", "galaxy").status, 400)
        self.assertEqual(decide("GET", "/containers/json?all=1&all=0", "galaxy").status, 400)
        self.assertEqual(decide("POST", "/containers/abc/restart?signal=KILL", "galaxy").status, 400)
        self.assertEqual(decide("POST", "/containers/abc/restart?t=99999", "galaxy").status, 400)

    def test_inspect_and_restart_need_the_owner_check(self):
        d = decide("POST", "/v1.45/containers/galaxy-backend-1/restart?t=3", "galaxy")
        self.assertTrue(d.allow and d.check_owner)
        self.assertEqual((d.container, d.version, d.query), ("galaxy-backend-1", "/v1.45", {"t": "3"}))
        self.assertTrue(decide("GET", "/containers/abc/json", "galaxy").check_owner)
        self.assertFalse(decide("GET", "/_ping", "galaxy").check_owner)

    def test_stats_is_one_sample_of_an_own_container(self):
        d = decide("GET", "/v1.45/containers/galaxy-backend-1/stats?stream=false&one-shot=true", "galaxy")
        self.assertTrue(d.allow and d.check_owner)
        self.assertEqual((d.action, d.container, d.query), ("stats", "galaxy-backend-1", {"stream": "false", "one-shot": "true"}))
        # A stream would hold a connection open for as long as the client likes.
        for target in ("/containers/abc/stats", "/containers/abc/stats?stream=true", "/containers/abc/stats?stream=1"):
            with self.subTest(target=target):
                self.assertEqual(decide("GET", target, "galaxy").status, 400)
        self.assertEqual(decide("GET", "/containers/abc/stats?stream=false&size=1", "galaxy").status, 400)
        self.assertEqual(decide("POST", "/containers/abc/stats?stream=false", "galaxy").status, 405)

    def test_owned_by_reads_the_compose_label(self):
        self.assertTrue(owned_by(json.dumps({"Config": {"Labels": {"com.docker.compose.project": "galaxy"}}}).encode(), "galaxy"))
        self.assertFalse(owned_by(json.dumps({"Config": {"Labels": {"com.docker.compose.project": "galaxy2"}}}).encode(), "galaxy"))
        self.assertFalse(owned_by(json.dumps({"Config": {"Labels": None}}).encode(), "galaxy"))
        self.assertFalse(owned_by(b"not json", "galaxy"))


class RedactionTest(unittest.TestCase):
    def test_inspect_and_list_answers_lose_environments_and_command_lines(self):
        inspect = {"Id": "x", "Args": ["--requirepass", "s3cret"], "Config": {"Env": ["API_TOKEN=s3cret"], "Cmd": ["redis-server"],
                                                                            "Entrypoint": ["sh"], "Labels": {"a": "b"}},
                   "State": {"Health": {"Status": "healthy"}}}
        out = json.loads(redacted_inspect(json.dumps(inspect).encode()))
        self.assertNotIn("s3cret", json.dumps(out))
        self.assertEqual((out["Config"], out["State"]), ({"Labels": {"a": "b"}}, inspect["State"]))
        rows = json.loads(redacted_list(json.dumps([{"Id": "x", "Command": "redis-server --requirepass s3cret", "Labels": {}}]).encode()))
        self.assertEqual(rows, [{"Id": "x", "Labels": {}}])


class FakeEngine(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True


class EngineHandler(BaseHTTPRequestHandler):
    """Two containers: `mine` (project galaxy) and `theirs` (another project)."""

    def log_message(self, *args):
        pass

    def reply(self, status, body=b""):
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        self.server.calls.append(("GET", self.path))
        for name, project in (("mine", "galaxy"), ("theirs", "other")):
            if self.path.endswith(f"/containers/{name}/json"):
                body = {"Id": f"{name}-full-id", "Config": {"Env": ["API_TOKEN=s3cret"], "Labels": {"com.docker.compose.project": project}}}
                return self.reply(200, json.dumps(body).encode())
        if "/containers/" in self.path and self.path.endswith("/json") and "/containers/json" not in self.path:
            return self.reply(404, b'{"message":"No such container"}')
        self.reply(200, b"[]" if "/containers/json" in self.path else b"OK")

    def do_POST(self):
        self.server.calls.append(("POST", self.path))
        self.reply(204)


class ProxyTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        sock = os.path.join(self.dir.name, "docker.sock")
        self.engine = FakeEngine(sock, EngineHandler)
        self.engine.calls = []
        threading.Thread(target=self.engine.serve_forever, daemon=True).start()
        self.proxy = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.proxy.engine, self.proxy.project = Engine(sock), "galaxy"
        self.proxy.log = Logger("socket-proxy", "error", stream=open(os.devnull, "w"))
        threading.Thread(target=self.proxy.serve_forever, daemon=True).start()

    def tearDown(self):
        for server in (self.proxy, self.engine):
            server.shutdown()
            server.server_close()
        self.proxy.log.stream.close()
        self.dir.cleanup()

    def call(self, method, path, body=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.proxy.server_address[1], timeout=5)
        try:
            conn.request(method, path, body=body, headers={"Content-Type": "application/json"})
            resp = conn.getresponse()
            return resp.status, resp.read()
        finally:
            conn.close()

    def test_a_refused_call_never_reaches_the_engine(self):
        status, body = self.call("POST", "/v1.45/containers/create", body=json.dumps({"Image": "debian"}))
        self.assertEqual(status, 403)
        self.assertIn(b"galaxy socket proxy", body)
        self.assertEqual(self.engine.calls, [])

    def test_restart_of_an_own_container_goes_to_its_full_id(self):
        self.assertEqual(self.call("POST", "/v1.45/containers/mine/restart?t=3")[0], 204)
        self.assertEqual(self.engine.calls[-1], ("POST", "/v1.45/containers/mine-full-id/restart?t=3"))

    def test_another_projects_container_is_neither_restarted_nor_shown(self):
        self.assertEqual(self.call("POST", "/containers/theirs/restart")[0], 403)
        self.assertEqual(self.call("GET", "/containers/theirs/json")[0], 403)
        self.assertNotIn("POST", [method for method, _ in self.engine.calls])
        self.assertEqual(self.call("GET", "/containers/missing/json")[0], 404)

    def test_stats_of_an_own_container_go_to_its_full_id_and_another_projects_are_refused(self):
        self.assertEqual(self.call("GET", "/v1.45/containers/mine/stats?stream=false&one-shot=true")[0], 200)
        self.assertEqual(self.engine.calls[-1], ("GET", "/v1.45/containers/mine-full-id/stats?stream=false&one-shot=true"))
        self.assertEqual(self.call("GET", "/containers/theirs/stats?stream=false")[0], 403)
        self.assertFalse(any(path.startswith("/containers/theirs-full-id") for _m, path in self.engine.calls))

    def test_inspect_of_an_own_container_and_ping_pass(self):
        status, body = self.call("GET", "/containers/mine/json")
        self.assertEqual((status, json.loads(body)["Id"]), (200, "mine-full-id"))
        self.assertNotIn(b"s3cret", body)
        self.assertEqual(self.call("GET", "/_ping"), (200, b"OK"))


if __name__ == "__main__":
    unittest.main()
