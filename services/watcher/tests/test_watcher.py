"""The watcher against a fake engine (decisions end to end) and the client against a fake socket."""
import io
import json
import os
import socketserver
import sys
import tempfile
import threading
import unittest
from http.server import BaseHTTPRequestHandler
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "pylib"))
from docker_api import Docker  # noqa: E402
from galaxy_http import BasicAuth, Logger  # noqa: E402
from policy import RateLimiter  # noqa: E402
from runtime import build_app  # noqa: E402
from watcher import Watcher  # noqa: E402


def raw(cid, status="running", health="unhealthy", project="galaxy", autoheal="true", service="backend"):
    return {"Id": cid, "Name": f"/galaxy-{cid}", "RestartCount": 0,
            "Config": {"Labels": {"com.docker.compose.project": project, "com.docker.compose.service": service, "galaxy.autoheal": autoheal}},
            "State": {"Status": status, "Health": {"Status": health}}}


def with_health(container, path, network, ip, exposed=(), port_label=""):
    labels = container["Config"]["Labels"]
    labels["galaxy.health.path"] = path
    if port_label:
        labels["galaxy.health.port"] = port_label
    container["Config"]["ExposedPorts"] = {p: {} for p in exposed}
    container["NetworkSettings"] = {"Networks": {network: {"IPAddress": ip}}}
    return container


class FakeDocker:
    def __init__(self, containers):
        self.containers = {c["Id"]: c for c in containers}
        self.restarted = []
        self.timeouts = {}

    def inspect(self, cid):
        return self.containers.get(cid)

    def list_ids(self, _project):
        return list(self.containers)

    def restart(self, cid, timeout):
        self.restarted.append(cid)
        self.timeouts[cid] = timeout
        self.containers[cid]["State"]["Health"]["Status"] = "starting"

    def ping(self):
        return True


class WatcherTest(unittest.TestCase):
    load = (0.5, 2)  # a quiet 2-core machine unless a test says otherwise

    def make(self, containers, limit=3, clock=None, probe=None, admin=None):
        self.log = io.StringIO()
        self.alerts = []
        self.probed = []
        self.probe_headers = []
        self.probe_timeouts = []
        docker = FakeDocker(containers)
        now = clock or (lambda: 0.0)

        def record(url, headers, timeout):
            self.probed.append(url)
            self.probe_headers.append(headers)
            self.probe_timeouts.append(timeout)
            return probe(url) if probe else None
        w = Watcher(docker, "galaxy", RateLimiter(limit, 600), Logger("watcher", stream=self.log),
                    alert=lambda c, s: self.alerts.append((c.name, s)), clock=now, networks={"galaxy_public"}, probe=record,
                    admin=admin, load=lambda: self.load)
        return w, docker

    def test_unhealthy_but_answering_directly_is_not_restarted(self):
        c = with_health(raw("b1"), "/health", "galaxy_public", "172.18.0.5", exposed=["3000/tcp", "9229/tcp"])
        w, docker = self.make([c], probe=lambda _url: 0.02)
        result = w.handle_event({"Type": "container", "Action": "health_status: unhealthy", "id": "b1"})
        self.assertEqual(result, "skip:still_answering")
        self.assertEqual(docker.restarted, [])
        self.assertEqual(self.probed, ["http://172.18.0.5:3000/health"])
        self.assertIn('galaxy_watcher_skipped_total{service="backend",reason="still_answering"} 1', w.metrics_text())
        self.assertIn("answers directly", self.log.getvalue())

    def test_admin_credentials_go_only_to_services_that_ask_for_them(self):
        admin = BasicAuth("admin", "s3cret-value")
        ui = with_health(raw("p1", service="prometheus"), "/-/ready", "galaxy_public", "172.18.0.7", exposed=["9090/tcp"])
        ui["Config"]["Labels"]["galaxy.admin-auth"] = "basic"
        app = with_health(raw("b1"), "/health", "galaxy_public", "172.18.0.5", exposed=["3000/tcp"])
        w, _docker = self.make([ui, app], probe=lambda _url: 0.01, admin=admin)
        w.handle_event({"Type": "container", "Action": "health_status: unhealthy", "id": "p1"})
        w.handle_event({"Type": "container", "Action": "health_status: unhealthy", "id": "b1"})
        self.assertEqual(self.probe_headers, [admin.header(), {}])

    def test_metrics_ask_for_the_admin_credentials(self):
        admin = BasicAuth("admin", "s3cret-value")
        w, _docker = self.make([raw("b1", health="healthy")], admin=admin)
        app = build_app(w, "test")
        for headers in ({}, {"Authorization": "Basic " + "YWRtaW46d3Jvbmc="}, {"Authorization": "Basic !!"},
                        {"Authorization": "Bearer s3cret-value"}):
            _route, resp = app.dispatch("GET", "/metrics", b"", headers)
            self.assertEqual(resp.status, 401, headers)
            self.assertIn("Basic", resp.headers["WWW-Authenticate"])
        _route, resp = app.dispatch("GET", "/metrics", b"", admin.header())
        self.assertEqual(resp.status, 200)
        self.assertIn("galaxy_container_running", resp.encode().decode())
        self.assertEqual(app.dispatch("GET", "/health", b"", {})[1].status, 200, "health stays public")

    def test_unhealthy_and_silent_twice_is_restarted(self):
        c = with_health(raw("b1"), "/health", "galaxy_public", "172.18.0.5", exposed=["3000/tcp"])
        w, docker = self.make([c], probe=lambda _url: None)
        self.assertEqual(w.handle_event({"Type": "container", "Action": "health_status: unhealthy", "id": "b1"}), "restarted")
        self.assertEqual(docker.restarted, ["b1"])
        self.assertEqual(len(self.probed), 2, "two chances before a restart")
        self.assertEqual(self.probe_timeouts, [5.0, 5.0], "the watcher's defaults without labels")

    def test_a_services_labels_set_how_long_and_how_often_it_is_asked(self):
        c = with_health(raw("e1", service="experience-api"), "/health", "galaxy_public", "172.18.0.6", exposed=["5556/tcp"])
        c["Config"]["Labels"].update({"galaxy.autoheal.probe-seconds": "3.5", "galaxy.autoheal.probe-attempts": "1"})
        w, docker = self.make([c], probe=lambda _url: None)
        self.assertEqual(w.handle_event({"Type": "container", "Action": "health_status: unhealthy", "id": "e1"}), "restarted")
        self.assertEqual(self.probe_timeouts, [3.5], "one attempt of 3.5 s: a hang is restarted 3.5 s after the event")
        self.assertEqual(docker.restarted, ["e1"])

    def test_a_saturated_machine_waits_for_a_longer_failing_streak(self):
        c = raw("p1", service="postgres")
        c["State"]["Health"]["FailingStreak"] = 2
        w, docker = self.make([c])
        self.load = (9.0, 2)  # 4.5 runnable per core
        self.assertEqual(w.handle_event({"Type": "container", "Action": "health_status: unhealthy", "id": "p1"}), "skip:machine_saturated")
        self.assertEqual(docker.restarted, [])
        self.assertIn("machine saturated", self.log.getvalue())
        c["State"]["Health"]["FailingStreak"] = 5  # still failing at the next sweep: a hang after all
        self.assertEqual(w.sweep(), ["restarted"])
        self.assertEqual(docker.restarted, ["p1"])

    def test_a_saturated_machine_gives_the_direct_answer_more_time(self):
        c = with_health(raw("b1"), "/health", "galaxy_public", "172.18.0.5", exposed=["3000/tcp"])
        c["Config"]["Labels"].update({"galaxy.autoheal.probe-seconds": "3", "galaxy.autoheal.probe-attempts": "1"})
        c["State"]["Health"]["FailingStreak"] = 6
        w, _docker = self.make([c], probe=lambda _url: 7.5)
        self.load = (12.0, 2)
        self.assertEqual(w.handle_event({"Type": "container", "Action": "health_status: unhealthy", "id": "b1"}), "skip:still_answering")
        self.assertEqual(self.probe_timeouts, [9.0])

    def test_a_slow_answer_within_the_labelled_time_is_not_a_hang(self):
        c = with_health(raw("e1", service="experience-api"), "/health", "galaxy_public", "172.18.0.6", exposed=["5556/tcp"])
        c["Config"]["Labels"].update({"galaxy.autoheal.probe-seconds": "3", "galaxy.autoheal.probe-attempts": "1"})
        w, docker = self.make([c], probe=lambda _url: 2.9)
        self.assertEqual(w.handle_event({"Type": "container", "Action": "health_status: unhealthy", "id": "e1"}), "skip:still_answering")
        self.assertEqual(docker.restarted, [])

    def test_one_missed_answer_is_not_enough_to_restart(self):
        c = with_health(raw("b1"), "/health", "galaxy_public", "172.18.0.5", exposed=["3000/tcp"])
        answers = iter([None, 0.8])
        w, docker = self.make([c], probe=lambda _url: next(answers))
        self.assertEqual(w.handle_event({"Type": "container", "Action": "health_status: unhealthy", "id": "b1"}), "skip:still_answering")
        self.assertEqual(docker.restarted, [])

    def test_no_shared_network_means_no_second_opinion(self):
        c = with_health(raw("p1", service="postgres"), "/health", "galaxy_data", "172.19.0.2", exposed=["5432/tcp"])
        w, docker = self.make([c], probe=lambda _url: 0.01)
        self.assertEqual(w.handle_event({"Type": "container", "Action": "health_status: unhealthy", "id": "p1"}), "restarted")
        self.assertEqual(self.probed, [])

    def test_unhealthy_event_restarts_and_counts(self):
        w, docker = self.make([raw("b1")])
        result = w.handle_event({"Type": "container", "Action": "health_status: unhealthy", "id": "b1"})
        self.assertEqual(result, "restarted")
        self.assertEqual(docker.restarted, ["b1"])
        self.assertEqual(w.counters.restarts, {("backend", "unhealthy"): 1})
        lines = [json.loads(line) for line in self.log.getvalue().splitlines()]
        self.assertIn("restarting unhealthy container", [line["msg"] for line in lines])

    def test_sweep_restarts_only_eligible_containers(self):
        w, docker = self.make([raw("b1"), raw("stopped", status="exited"), raw("other", project="x"),
                               raw("optout", autoheal="false"), raw("ok", health="healthy")])
        w.sweep()
        self.assertEqual(docker.restarted, ["b1"])
        self.assertEqual(len(w.snapshot), 5)
        self.assertIn('galaxy_container_running{service="backend",container="galaxy-stopped"} 0', w.metrics_text())

    def test_rate_limit_stops_restarting_and_alerts_once(self):
        w, docker = self.make([raw("b1")], limit=2)
        results = []
        for _ in range(5):
            docker.containers["b1"]["State"]["Health"]["Status"] = "unhealthy"  # still broken after each restart
            results.append(w.consider("b1", "unhealthy"))
        self.assertEqual(results, ["restarted", "restarted", "skip:rate_limited", "skip:rate_limited", "skip:rate_limited"])
        self.assertEqual(len(docker.restarted), 2)
        self.assertEqual(len(self.alerts), 1)
        self.assertEqual(w.counters.skipped, {("backend", "rate_limited"): 3})
        self.assertEqual(self.log.getvalue().count("restart limit reached"), 1)

    def test_each_container_is_restarted_with_its_own_grace(self):
        # Compose's stop_grace_period reaches the engine as Config.StopTimeout: a database keeps
        # its 30 s to flush, a container labelled for a short grace gets that, and one with
        # neither is left to the engine's default (no number of the watcher's own).
        db = raw("db", service="db")
        db["Config"]["StopTimeout"] = 30
        quick = raw("quick")
        quick["Config"]["StopTimeout"] = 20
        quick["Config"]["Labels"]["galaxy.autoheal.stop-seconds"] = "3"
        plain = raw("plain", service="plain")
        w, docker = self.make([db, quick, plain])
        w.sweep()
        self.assertEqual(sorted(docker.restarted), ["db", "plain", "quick"])
        self.assertEqual(docker.timeouts, {"db": 30, "quick": 3, "plain": None})
        logged = {line["container"]: line.get("stop_timeout") for line in map(json.loads, self.log.getvalue().splitlines())
                  if line["msg"] == "restarting unhealthy container"}
        self.assertEqual(logged, {"galaxy-db": 30, "galaxy-quick": 3, "galaxy-plain": None})

    def test_die_event_is_logged_not_acted_on(self):
        w, docker = self.make([raw("b1", status="exited")])
        self.assertIsNone(w.handle_event({"Type": "container", "Action": "die", "id": "b1",
                                          "Actor": {"Attributes": {"name": "galaxy-b1", "exitCode": "137"}}}))
        self.assertEqual(docker.restarted, [])
        self.assertIn('"exit_code":"137"', self.log.getvalue())


class FakeEngine(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True


class EngineHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def address_string(self):  # unix sockets have no client address
        return "unix"

    def log_message(self, *_args):
        pass

    def do_GET(self):
        if self.path.startswith("/events"):
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for event in ({"Type": "container", "Action": "start", "id": "a"},
                          {"Type": "container", "Action": "health_status: unhealthy", "id": "a"}):
                data = (json.dumps(event) + "\n").encode()
                self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
            self.wfile.write(b"0\r\n\r\n")
            return
        body = json.dumps([{"Id": "a"}, {"Id": "b"}]).encode() if self.path.startswith("/containers/json") else b"OK"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        self.server.posts.append(self.path)
        self.send_response(204)
        self.end_headers()


class DockerClientTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.path = os.path.join(self.dir.name, "docker.sock")
        self.server = FakeEngine(self.path, EngineHandler)
        self.server.posts = []
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def tearDown(self):
        self.server.shutdown()
        self.server.server_close()
        self.dir.cleanup()

    def test_events_stream_is_read_event_by_event(self):
        events = list(Docker(self.path).events("galaxy"))
        self.assertEqual([e["Action"] for e in events], ["start", "health_status: unhealthy"])

    def test_list_restart_and_ping(self):
        d = Docker(self.path)
        self.assertEqual(d.list_ids("galaxy"), ["a", "b"])
        d.restart("a", 7)
        d.restart("b", None)  # no grace of its own: the engine applies the container's, or its default
        self.assertEqual(self.server.posts, ["/containers/a/restart?t=7", "/containers/b/restart"])
        self.assertTrue(d.ping())


if __name__ == "__main__":
    unittest.main()
