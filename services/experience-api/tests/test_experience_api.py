"""experience-api against a fake memory-api, both on 127.0.0.1."""
import json
import sys
import threading
import unittest
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import server  # noqa: E402
from galaxy_http import Logger, start_server, stop_server  # noqa: E402

TOKEN = "experience-test-token-0123456789"
from patterns import compute_patterns, terms  # noqa: E402


class FakeMemory:
    """Just enough of memory-api: /health, POST/GET /knowledge. `broken` makes it answer 503."""

    def __init__(self):
        self.items, self.broken, self.seen = [], False, []
        self.authorization, self.refuse_writes = None, False
        fake = self

        class H(BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def reply(self, status, body):
                raw = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def do_GET(self):
                fake.seen.append(("GET", self.path))
                if fake.broken:
                    return self.reply(503, {"status": "down"})
                url = urlsplit(self.path)
                if url.path == "/health":
                    return self.reply(200, {"status": "ok"})
                q = parse_qs(url.query)
                items = [i for i in fake.items if i["kind"] == q.get("kind", [i["kind"]])[0]]
                if "tag" in q:
                    items = [i for i in items if q["tag"][0] in i["tags"]]
                self.reply(200, {"items": items[::-1], "count": len(items)})

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                fake.seen.append(("POST", self.path, body))
                fake.authorization = self.headers.get("Authorization")
                if fake.refuse_writes:
                    return self.reply(401, {"error": "API token not accepted"})
                if fake.broken:
                    return self.reply(503, {"status": "down"})
                if body.get("tags") == ["BAD"]:
                    return self.reply(400, {"error": "tags rejected"})
                body["id"] = len(fake.items) + 1
                fake.items.append(body)
                self.reply(201, body)

        self.srv = ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.url = f"http://127.0.0.1:{self.srv.server_address[1]}"
        threading.Thread(target=self.srv.serve_forever, daemon=True).start()

    def close(self):
        self.srv.shutdown()
        self.srv.server_close()


def call(base, method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method,
                                 headers={"Content-Type": "application/json", "Authorization": f"Bearer {TOKEN}"})
    try:
        with urllib.request.urlopen(req, timeout=5) as resp:
            raw = resp.read().decode()
            return resp.status, json.loads(raw) if raw.startswith(("{", "[")) else raw
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read().decode())


class ExperienceApiTest(unittest.TestCase):
    def setUp(self):
        self.memory = FakeMemory()
        self.app = server.create_app(self.memory.url, "0.9", Logger("experience-api", "info", StringIO()), 1.0,
                                     api_token=TOKEN)
        self.srv, _ = start_server(self.app, "127.0.0.1", 0)
        self.base = f"http://127.0.0.1:{self.srv.server_address[1]}"

    def tearDown(self):
        stop_server(self.app, self.srv, 5)
        self.memory.close()

    def test_post_stores_experience_knowledge_in_memory(self):
        status, body = call(self.base, "POST", "/experiences",
                            {"title": "rollout", "content": "rolling deploy kept traffic", "tags": ["deploy"],
                             "outcome": "Success"})
        self.assertEqual(status, 201)
        sent = self.memory.seen[-1]
        self.assertEqual(sent[:2], ("POST", "/knowledge"))
        self.assertEqual(sent[2]["kind"], "experience")
        self.assertEqual(sent[2]["metadata"]["outcome"], "success")
        self.assertEqual(self.memory.authorization, f"Bearer {TOKEN}", "writes to memory-api carry the token")
        status, listing = call(self.base, "GET", "/experiences?tag=deploy&limit=5")
        self.assertEqual(status, 200)
        self.assertEqual(listing["count"], 1)
        self.assertIn(("GET", "/knowledge?kind=experience&limit=5&tag=deploy"), self.memory.seen)

    def test_memory_refusing_our_token_is_503_not_the_callers_fault(self):
        self.memory.refuse_writes = True
        status, body = call(self.base, "POST", "/experiences", {"content": "x"})
        self.assertEqual((status, body["error"]), (503, "memory-api unavailable"))

    def test_input_errors(self):
        self.assertEqual(call(self.base, "POST", "/experiences", {"content": " "})[0], 400)
        self.assertEqual(call(self.base, "POST", "/experiences", {"content": "x", "context": []})[0], 400)
        status, body = call(self.base, "POST", "/experiences", {"content": "x", "tags": ["BAD"]})
        self.assertEqual((status, body["error"]), (400, "tags rejected"))

    def test_patterns_from_memory_data(self):
        for content, tags, outcome in [("redis restart fixed latency", ["redis"], "success"),
                                       ("redis failover was slow", ["redis", "failover"], "failure"),
                                       ("postgres vacuum fixed bloat", ["postgres"], "success")]:
            call(self.base, "POST", "/experiences", {"content": content, "tags": tags, "outcome": outcome})
        status, p = call(self.base, "GET", "/patterns")
        self.assertEqual(status, 200)
        self.assertEqual(p["experiences"], 3)
        self.assertEqual(p["top_tags"][0], {"tag": "redis", "count": 2})
        self.assertEqual(p["outcomes"], {"failure": 1, "success": 2})
        self.assertEqual(p["tag_success"], [{"tag": "redis", "success_rate": 0.5, "samples": 2}])
        self.assertIn({"term": "fixed", "count": 2}, p["top_terms"])

    def test_memory_outage_degrades_but_health_stays_200(self):
        self.assertEqual(call(self.base, "GET", "/health")[1]["status"], "ok")
        self.memory.broken = True
        status, body = call(self.base, "GET", "/health")
        self.assertEqual(status, 200)
        self.assertEqual(body["status"], "degraded")
        self.assertEqual(body["dependencies"]["memory-api"]["status"], "down")
        self.assertEqual(call(self.base, "GET", "/experiences")[0], 503)
        self.assertEqual(call(self.base, "POST", "/experiences", {"content": "x"})[0], 503)

    def test_memory_unreachable(self):
        self.memory.close()
        status, body = call(self.base, "GET", "/health")
        self.assertEqual((status, body["status"]), (200, "degraded"))
        self.assertEqual(call(self.base, "GET", "/patterns")[0], 503)
        self.memory = FakeMemory()  # tearDown closes it again

    def test_metrics_names(self):
        call(self.base, "GET", "/health")
        _, text = call(self.base, "GET", "/metrics")
        self.assertIn('http_requests_total{service="experience-api",method="GET",route="/health",status="200"} 1', text)
        self.assertIn('galaxy_service_info{service="experience-api",version="0.9"} 1', text)


class PatternsUnitTest(unittest.TestCase):
    def test_terms_drop_stopwords_and_short_words(self):
        self.assertEqual(terms("The DB was slow at 3am and it is OK"), ["slow"])

    def test_term_counted_once_per_record(self):
        p = compute_patterns([{"content": "cache cache cache"}, {"content": "cache miss"}])
        self.assertEqual(p["top_terms"][0], {"term": "cache", "count": 2})
        self.assertEqual(p["outcomes"], {"unknown": 2})


if __name__ == "__main__":
    unittest.main()
