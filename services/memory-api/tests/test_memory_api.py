"""memory-api against a real server on 127.0.0.1 with a temporary SQLite file."""
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.error
import urllib.request
from io import StringIO
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(HERE))
import server  # noqa: E402
from galaxy_http import Logger, WriteGuard, start_server, stop_server  # noqa: E402

TOKEN = "memory-test-token-0123456789"


def call(base, method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method,
                                 headers={"Content-Type": "application/json", "Authorization": f"Bearer {TOKEN}"})
    try:
        with urllib.request.urlopen(req, timeout=5) as resp:
            raw = resp.read().decode()
            return resp.status, (json.loads(raw) if resp.headers.get_content_type() == "application/json" else raw)
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read().decode())


class MemoryApiTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.db = os.path.join(self.tmp.name, "sub", "memory.db")
        self.logs = StringIO()
        self.app = server.create_app(self.db, "1.2.3", Logger("memory-api", "info", self.logs),
                                     guard=WriteGuard(TOKEN))
        self.srv, _ = start_server(self.app, "127.0.0.1", 0)
        self.base = f"http://127.0.0.1:{self.srv.server_address[1]}"

    def tearDown(self):
        stop_server(self.app, self.srv, 5)
        self.tmp.cleanup()

    def test_health_ok_and_wal_mode(self):
        status, body = call(self.base, "GET", "/health")
        self.assertEqual(status, 200)
        self.assertEqual(body["status"], "ok")
        self.assertEqual(body["checks"]["database"]["status"], "ok")
        with self.app.store.connect() as db:
            self.assertEqual(db.execute("PRAGMA journal_mode").fetchone()[0], "wal")

    def test_health_503_when_database_unusable(self):
        os.remove(self.db)
        os.makedirs(self.db)  # a directory where the file was: sqlite cannot open it
        status, body = call(self.base, "GET", "/health")
        self.assertEqual(status, 503)
        self.assertEqual(body["status"], "down")

    def test_conversation_roundtrip(self):
        status, made = call(self.base, "POST", "/conversations", {
            "session": "s1", "messages": [{"role": "user", "content": "hello galaxy"},
                                          {"role": "assistant", "content": "hi there"}]})
        self.assertEqual(status, 201)
        status, got = call(self.base, "GET", f"/conversations/{made['id']}")
        self.assertEqual(status, 200)
        self.assertEqual(got["messages"][1]["content"], "hi there")
        call(self.base, "POST", "/conversations", {"messages": [{"content": "second"}]})
        status, listing = call(self.base, "GET", "/conversations?limit=1")
        self.assertEqual(listing["count"], 1)
        self.assertEqual(listing["items"][0]["messages"][0]["content"], "second")
        self.assertEqual(call(self.base, "GET", "/conversations/999")[0], 404)
        self.assertEqual(call(self.base, "GET", "/conversations/abc")[0], 400)

    def test_validation_errors_are_400(self):
        self.assertEqual(call(self.base, "POST", "/conversations", {"messages": []})[0], 400)
        self.assertEqual(call(self.base, "POST", "/knowledge", {"content": ""})[0], 400)
        self.assertEqual(call(self.base, "POST", "/knowledge", {"content": "x", "tags": "notalist"})[0], 400)
        self.assertEqual(call(self.base, "GET", "/conversations?limit=zz")[0], 400)
        req = urllib.request.Request(self.base + "/knowledge", data=b"{not json", method="POST",
                                     headers={"Content-Type": "application/json", "Authorization": f"Bearer {TOKEN}"})
        with self.assertRaises(urllib.error.HTTPError) as ctx:
            urllib.request.urlopen(req, timeout=5)
        self.assertEqual(ctx.exception.code, 400)

    def test_knowledge_filter_search_and_stats(self):
        call(self.base, "POST", "/knowledge", {"kind": "experience", "content": "deploy went fine",
                                               "tags": ["Deploy", "ok"]})
        call(self.base, "POST", "/knowledge", {"content": "redis eviction policy notes", "tags": ["redis"]})
        status, only = call(self.base, "GET", "/knowledge?kind=experience")
        self.assertEqual([k["content"] for k in only["items"]], ["deploy went fine"])
        self.assertEqual(only["items"][0]["tags"], ["deploy", "ok"])
        _, tagged = call(self.base, "GET", "/knowledge?tag=redis")
        self.assertEqual(tagged["count"], 1)
        _, found = call(self.base, "GET", "/search?q=eviction")
        self.assertEqual(found["count"], 1)
        self.assertEqual(found["results"][0]["kind"], "knowledge")
        # FTS syntax in user input must not raise
        self.assertEqual(call(self.base, "GET", "/search?q=%22NEAR(%20AND")[0], 200)
        self.assertEqual(call(self.base, "GET", "/search")[0], 400)
        _, stats = call(self.base, "GET", "/stats")
        self.assertEqual(stats["knowledge"], 2)
        self.assertEqual(stats["knowledge_by_kind"], {"experience": 1, "note": 1})

    def test_metrics_and_logs(self):
        call(self.base, "GET", "/conversations/5")
        call(self.base, "GET", "/nope")
        _, text = call(self.base, "GET", "/metrics")
        self.assertIn('http_requests_total{service="memory-api",method="GET",route="/conversations/{id}",status="404"} 1', text)
        self.assertIn('route="unmatched",status="404"', text)
        self.assertIn('galaxy_service_info{service="memory-api",version="1.2.3"} 1', text)
        self.assertIn("process_start_time_seconds ", text)
        lines = [json.loads(l) for l in self.logs.getvalue().splitlines()]
        req = [l for l in lines if l["msg"] == "request"]
        self.assertTrue(req)
        self.assertEqual(set(req[0]) >= {"time", "level", "service", "msg", "method", "status"}, True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ProcessTest(unittest.TestCase):
    def test_sigterm_exits_zero_quickly(self):
        with tempfile.TemporaryDirectory() as tmp:
            port = free_port()
            env = dict(os.environ, PORT=str(port), HOST="127.0.0.1", API_TOKEN=TOKEN,
                       MEMORY_DB_PATH=os.path.join(tmp, "m.db"))
            proc = subprocess.Popen([sys.executable, str(HERE / "server.py")], env=env,
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            try:
                deadline = time.time() + 10
                while time.time() < deadline:
                    try:
                        if call(f"http://127.0.0.1:{port}", "GET", "/health")[0] == 200:
                            break
                    except OSError:
                        time.sleep(0.1)
                else:
                    self.fail("server did not become healthy")
                started = time.time()
                proc.send_signal(signal.SIGTERM)
                self.assertEqual(proc.wait(timeout=10), 0)
                self.assertLess(time.time() - started, 10)
                out = proc.stdout.read().decode().splitlines()
                self.assertEqual(json.loads(out[-1])["msg"], "stopped")
            finally:
                if proc.poll() is None:
                    proc.kill()
                proc.stdout.close()
                proc.stderr.close()


if __name__ == "__main__":
    unittest.main()
