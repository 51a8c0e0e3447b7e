"""The liveness watch: its decisions (liveness.py), the watcher's rounds against a fake engine, and
what counts as an answer against real sockets on 127.0.0.1."""
import io
import socket
import sys
import threading
import unittest
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "pylib"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from galaxy_http import Logger  # noqa: E402
from liveness import ANSWERED, CLOSED, SILENT, MissCounter, Target, liveness_skip_reason, watch_targets  # noqa: E402
from outbound import ask_liveness  # noqa: E402
from policy import ContainerView, RateLimiter  # noqa: E402
from test_watcher import FakeDocker, raw, with_health  # noqa: E402
from watcher import Watcher  # noqa: E402

NET = "galaxy_public"


def guarded(cid, health="healthy", started="2026-12-03T09:00:00Z", ip="172.18.0.5", **labels):
    c = with_health(raw(cid, health=health), "/health", NET, ip, exposed=["3000/tcp"])
    c["State"]["StartedAt"] = started
    c["Config"]["Labels"].update(labels)
    return c


def view(c) -> ContainerView:
    return ContainerView.from_inspect(c)


class DecisionsTest(unittest.TestCase):
    def targets(self, containers, stopping=(), saturated=False):
        return watch_targets([view(c) for c in containers], "galaxy", {NET}, set(stopping), 5.0, 2, saturated)

    def test_only_judged_running_guarded_reachable_containers_are_asked(self):
        asked = self.targets([
            guarded("ok"), guarded("sick", health="unhealthy"), guarded("starting", health="starting"),
            guarded("paused") | {"State": {"Status": "paused", "Health": {"Status": "healthy"}}},
            guarded("optout", **{"galaxy.autoheal": "false"}), guarded("other", ip="") ,
            with_health(raw("elsewhere", health="healthy"), "/health", "galaxy_data", "172.19.0.2", exposed=["5432/tcp"]),
        ])
        self.assertEqual([t.view.id for t in asked], ["ok", "sick"])
        self.assertEqual(asked[0].url, "http://172.18.0.5:3000/health")

    def test_a_proxy_is_asked_its_own_path_not_the_upstreams(self):
        edge = guarded("edge", **{"galaxy.autoheal.path": "/edge/health"})
        self.assertEqual(self.targets([edge])[0].url, "http://172.18.0.5:3000/edge/health")

    def test_a_container_docker_is_stopping_is_not_asked(self):
        self.assertEqual(self.targets([guarded("a"), guarded("b")], stopping={"a"})[0].view.id, "b")

    def test_labels_set_the_wait_and_the_misses_and_a_saturated_machine_waits_longer(self):
        c = guarded("a", **{"galaxy.autoheal.probe-seconds": "1.5", "galaxy.autoheal.probe-attempts": "3"})
        t = self.targets([c])[0]
        self.assertEqual((t.seconds, t.misses_needed), (1.5, 3))
        self.assertEqual(self.targets([c], saturated=True)[0].seconds, 4.5)
        self.assertEqual((self.targets([guarded("b")])[0].seconds, self.targets([guarded("b")])[0].misses_needed), (5.0, 2))

    def test_misses_in_a_row_make_a_restart_due_and_an_answer_resets_them(self):
        t = Target(view(guarded("a")), "http://x/health", 2.0, 2)
        counter = MissCounter()
        self.assertEqual(counter.record([(t, ANSWERED)]), [])
        self.assertEqual(counter.record([(t, SILENT)]), [])
        self.assertEqual(counter.record([(t, ANSWERED)]), [], "an answer in between starts the count again")
        self.assertEqual(counter.record([(t, SILENT)]), [])
        self.assertEqual(counter.record([(t, CLOSED)]), [], "a closed port is not silence")
        self.assertEqual(counter.record([(t, SILENT)]), [])
        self.assertEqual(counter.record([(t, SILENT)]), [t])

    def test_a_url_that_never_answered_is_never_judged(self):
        # A wrong port (refused) or a process that hung before its first answer: Docker's checks decide.
        t = Target(view(guarded("a")), "http://x/health", 2.0, 2)
        counter = MissCounter()
        for outcome in (CLOSED, SILENT, SILENT, SILENT, CLOSED, SILENT, SILENT):
            self.assertEqual(counter.record([(t, outcome)]), [])
        self.assertFalse(counter.armed(t.key))

    def test_a_restarted_container_starts_from_zero_and_the_gone_are_forgotten(self):
        first = Target(view(guarded("a")), "http://x/health", 2.0, 2)
        again = Target(view(guarded("a", started="2026-12-03T09:05:00Z")), "http://x/health", 2.0, 2)
        counter = MissCounter()
        counter.record([(first, ANSWERED)])
        counter.record([(first, SILENT)])
        self.assertEqual(counter.record([(again, ANSWERED)]), [], "a new start time is a new process")
        self.assertEqual(counter.record([(again, SILENT)]), [])
        self.assertEqual(counter.misses(first.key), 0)
        self.assertEqual(counter.misses(again.key), 1)

    def test_read_again_before_the_restart(self):
        asked = view(guarded("a"))
        self.assertIsNone(liveness_skip_reason(asked, asked))
        self.assertIsNone(liveness_skip_reason(view(guarded("a", health="unhealthy")), asked))
        self.assertEqual(liveness_skip_reason(None, asked), "gone")
        self.assertEqual(liveness_skip_reason(view(guarded("a") | {"State": {"Status": "exited"}}), asked), "not_running:exited")
        self.assertEqual(liveness_skip_reason(view(guarded("a", started="2026-12-03T09:05:00Z")), asked), "restarted_meanwhile")
        self.assertEqual(liveness_skip_reason(view(guarded("a", health="starting")), asked), "not_judged:starting")


class RoundsTest(unittest.TestCase):
    def make(self, containers, answers):
        self.asked = []

        def answer(url, _headers, seconds):
            self.asked.append((url, seconds))
            # Every container answers its first question (it is armed), then as `answers` says.
            outcome = answers(url) if url in {u for u, _ in self.asked[:-1]} else ANSWERED
            return outcome
        docker = FakeDocker(containers)
        w = Watcher(docker, "galaxy", RateLimiter(3, 600), Logger("watcher", stream=io.StringIO()), clock=lambda: 0.0,
                    networks={NET}, load=lambda: (0.5, 2), ask=answer, probe=lambda *_: self.fail("no second opinion"))
        w.refresh()
        return w, docker

    def test_a_silent_container_is_restarted_after_its_misses_without_waiting_for_docker(self):
        w, docker = self.make([guarded("hung", **{"galaxy.autoheal.probe-attempts": "2"}), guarded("fine", ip="172.18.0.6")],
                              lambda url: ANSWERED if "172.18.0.6" in url else SILENT)
        self.assertEqual(w.watch_round(), [])
        self.assertEqual(w.watch_round(), [])
        self.assertEqual(docker.restarted, [])
        self.assertEqual(w.watch_round(), ["restarted"])
        self.assertEqual(docker.restarted, ["hung"])
        metrics = w.metrics_text()
        self.assertIn('galaxy_watcher_restarts_total{service="backend",reason="no_answer"} 1', metrics)
        self.assertIn('galaxy_watcher_liveness_armed{service="backend",container="galaxy-fine"} 1', metrics)

    def test_a_container_that_answers_anything_is_left_alone(self):
        w, docker = self.make([guarded("a")], lambda _url: ANSWERED)
        for _ in range(5):
            self.assertEqual(w.watch_round(), [])
        self.assertEqual(docker.restarted, [])
        self.assertEqual(len(self.asked), 5)

    def test_a_wrong_port_is_never_restarted_and_shows_as_unarmed(self):
        w, docker = self.make([guarded("a")], lambda _url: CLOSED)
        self.asked.append(("http://172.18.0.5:3000/health", 0))  # not even the first question answered
        for _ in range(5):
            self.assertEqual(w.watch_round(), [])
        self.assertEqual(docker.restarted, [])
        self.assertIn('galaxy_watcher_liveness_armed{service="backend",container="galaxy-a"} 0', w.metrics_text())

    def test_a_kill_event_keeps_a_stopping_container_out_until_it_starts_again(self):
        outcomes = iter([ANSWERED, SILENT, SILENT])
        w, docker = self.make([guarded("a")], lambda _url: next(outcomes))
        w.watch_round()
        w.note_event({"Type": "container", "Action": "kill", "id": "a"})
        w.watch_round()
        w.watch_round()
        self.assertEqual((docker.restarted, len(self.asked)), ([], 1))
        w.note_event({"Type": "container", "Action": "start", "id": "a"})
        self.assertEqual(w.watch_round(), [], "asked again from its start: answered, armed")
        self.assertEqual(w.watch_round(), [])
        self.assertEqual(w.watch_round(), ["restarted"])

    def test_restarted_by_someone_else_meanwhile_is_not_restarted_again(self):
        w, docker = self.make([guarded("a")], lambda _url: SILENT)
        w.watch_round()
        w.watch_round()
        docker.containers["a"]["State"]["StartedAt"] = "2026-12-03T09:07:00Z"
        self.assertEqual(w.watch_round(), ["skip:restarted_meanwhile"])
        self.assertEqual(docker.restarted, [])


class SilentHandler(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (http.server's name)
        if self.path == "/hang":
            self.server.release.wait(5)
            return
        self.send_response(503 if self.path == "/down" else 200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *_args):
        pass


class AnswerTest(unittest.TestCase):
    """What counts as an answer, on real sockets: only silence is a miss."""

    @classmethod
    def setUpClass(cls):
        cls.server = ThreadingHTTPServer(("127.0.0.1", 0), SilentHandler)
        cls.server.release = threading.Event()
        threading.Thread(target=cls.server.serve_forever, daemon=True).start()
        cls.base = f"http://127.0.0.1:{cls.server.server_address[1]}"

    @classmethod
    def tearDownClass(cls):
        cls.server.release.set()
        cls.server.shutdown()

    def test_any_status_is_an_answer(self):
        self.assertEqual(ask_liveness(self.base + "/health", {}, 2), ANSWERED)
        self.assertEqual(ask_liveness(self.base + "/down", {}, 2), ANSWERED, "503: a dependency is down, not a hang")

    def test_silence_is_a_miss(self):
        self.assertEqual(ask_liveness(self.base + "/hang", {}, 0.3), SILENT)

    def test_a_refused_connection_is_a_process_stopping_or_starting_not_a_hang(self):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        self.assertEqual(ask_liveness(f"http://127.0.0.1:{port}/health", {}, 1), CLOSED)

    def test_a_listener_that_never_accepts_is_a_miss(self):
        # A frozen process: the kernel completes the handshake into the backlog, nothing reads it.
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            s.listen(8)
            self.assertEqual(ask_liveness(f"http://127.0.0.1:{s.getsockname()[1]}/health", {}, 0.3), SILENT)


if __name__ == "__main__":
    unittest.main()
