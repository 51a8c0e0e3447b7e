"""Pure decisions of the watcher: rate limit, which containers it may touch, metrics text."""
import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from policy import ContainerView, Counters, RateLimiter, direct_health_url, is_unhealthy_event, is_saturated, positive_count, positive_seconds, probe_plan, saturation_hold, render_metrics, skip_reason, stop_timeout  # noqa: E402


def view(**over):
    base = dict(id="abc", name="galaxy-backend-1", service="backend", project="galaxy", status="running",
                health="unhealthy", restart_count=0, autoheal=True)
    base.update(over)
    return ContainerView(**base)


class RateLimiterTest(unittest.TestCase):
    def test_allows_up_to_the_limit_then_refuses_within_the_window(self):
        rl = RateLimiter(3, 600)
        self.assertEqual([rl.allow("c", t) for t in (0, 10, 20, 30)], [True, True, True, False])
        self.assertAlmostEqual(rl.retry_after("c", 30), 570)

    def test_window_slides(self):
        rl = RateLimiter(2, 100)
        self.assertTrue(rl.allow("c", 0))
        self.assertTrue(rl.allow("c", 50))
        self.assertFalse(rl.allow("c", 99))
        self.assertTrue(rl.allow("c", 100))  # the first one left the window
        self.assertFalse(rl.allow("c", 120))

    def test_keys_are_independent(self):
        rl = RateLimiter(1, 100)
        self.assertTrue(rl.allow("a", 0))
        self.assertTrue(rl.allow("b", 0))
        self.assertFalse(rl.allow("a", 1))
        self.assertEqual(rl.retry_after("b", 50), 50)


class StopTimeoutTest(unittest.TestCase):
    def test_label_then_the_containers_own_stop_timeout_then_the_engines_default(self):
        self.assertEqual(stop_timeout("3", 30), 3)
        self.assertEqual(stop_timeout(" 45 ", None), 45)
        self.assertEqual(stop_timeout("", 30), 30)
        self.assertEqual(stop_timeout("", 0), 0)
        self.assertIsNone(stop_timeout("", None))
        # A label that is not a number of seconds is ignored, not guessed at.
        for label in ("3s", "-1", "soon"):
            self.assertEqual(stop_timeout(label, 30), 30, label)
        for configured in ("30", -1, True, 2.5):
            self.assertIsNone(stop_timeout("", configured), configured)

    def test_read_from_inspect(self):
        raw = {"Id": "x", "Config": {"StopTimeout": 30, "Labels": {}}, "State": {}}
        self.assertEqual(ContainerView.from_inspect(raw).stop_timeout, 30)
        raw["Config"]["Labels"]["galaxy.autoheal.stop-seconds"] = "3"
        self.assertEqual(ContainerView.from_inspect(raw).stop_timeout, 3)
        self.assertIsNone(ContainerView.from_inspect({"Id": "y"}).stop_timeout)


class ProbePlanTest(unittest.TestCase):
    def test_labels_then_the_watchers_defaults(self):
        self.assertEqual(probe_plan(view(), 5.0, 2), (5.0, 2))
        self.assertEqual(probe_plan(view(probe_seconds=2.5, probe_attempts=1), 5.0, 2), (2.5, 1))
        self.assertEqual(probe_plan(view(), 5.0, 0), (5.0, 1), "at least one attempt")

    def test_three_times_as_long_on_a_saturated_machine(self):
        self.assertEqual(probe_plan(view(probe_seconds=2.0, probe_attempts=1), 5.0, 2, saturated=True), (6.0, 1))


class SaturationTest(unittest.TestCase):
    def test_saturated_from_load_per_core(self):
        self.assertFalse(is_saturated(3.9, 2, 2.0))
        self.assertTrue(is_saturated(4.0, 2, 2.0))
        self.assertTrue(is_saturated(4.0, 0, 4.0), "an unknown core count counts as one")
        self.assertFalse(is_saturated(100.0, 2, 0), "0 turns the guard off")

    def test_holds_until_the_streak_is_long_enough(self):
        self.assertTrue(saturation_hold(view(failing_streak=1), True, 5))
        self.assertFalse(saturation_hold(view(failing_streak=5), True, 5))
        self.assertFalse(saturation_hold(view(failing_streak=1), False, 5), "a quiet machine acts on the first event")

    def test_streak_read_from_inspect(self):
        raw = {"Id": "x", "State": {"Health": {"Status": "unhealthy", "FailingStreak": 3}}}
        self.assertEqual(ContainerView.from_inspect(raw).failing_streak, 3)

    def test_only_sensible_numbers_are_taken(self):
        self.assertEqual(positive_seconds(" 2.5 "), 2.5)
        self.assertEqual(positive_count("2"), 2)
        for label in ("", "0", "-1", "2s", "61", "nan"):
            self.assertIsNone(positive_seconds(label), label)
        for label in ("", "0", "6", "1.5", "x"):
            self.assertIsNone(positive_count(label), label)

    def test_read_from_inspect(self):
        raw = {"Id": "x", "Config": {"Labels": {"galaxy.autoheal.probe-seconds": "3", "galaxy.autoheal.probe-attempts": "1"}}}
        c = ContainerView.from_inspect(raw)
        self.assertEqual((c.probe_seconds, c.probe_attempts), (3.0, 1))
        self.assertEqual((ContainerView.from_inspect({"Id": "y"}).probe_seconds, ContainerView.from_inspect({"Id": "y"}).probe_attempts), (None, None))


class SkipReasonTest(unittest.TestCase):
    def test_running_unhealthy_opted_in_same_project_is_restarted(self):
        self.assertIsNone(skip_reason(view(), "galaxy"))

    def test_leaves_alone_what_it_must(self):
        cases = {
            "gone": None,
            "other_project": view(project="other"),
            "not_opted_in": view(autoheal=False),
            "not_running:exited": view(status="exited"),  # stopped by an operator, or crashed: restart policy's job
            "not_running:paused": view(status="paused"),
            "not_running:restarting": view(status="restarting"),
            "not_unhealthy:starting": view(health="starting"),
            "not_unhealthy:healthy": view(health="healthy"),
            "not_unhealthy:no_healthcheck": view(health=""),
        }
        for expected, c in cases.items():
            self.assertEqual(skip_reason(c, "galaxy"), expected, expected)

    def test_from_inspect_reads_labels_and_state(self):
        raw = {"Id": "x1", "Name": "/galaxy-backend-2", "RestartCount": 4,
               "Config": {"Labels": {"com.docker.compose.project": "galaxy", "com.docker.compose.service": "backend", "galaxy.autoheal": "True"}},
               "State": {"Status": "running", "Health": {"Status": "unhealthy"}}}
        self.assertEqual(ContainerView.from_inspect(raw), view(id="x1", name="galaxy-backend-2", restart_count=4))
        bare = ContainerView.from_inspect({"Id": "y", "Name": "/y", "Config": {"Labels": None}, "State": {"Status": "running"}})
        self.assertEqual((bare.autoheal, bare.health, bare.project), (False, "", ""))

    def test_unhealthy_event(self):
        self.assertTrue(is_unhealthy_event({"Type": "container", "Action": "health_status: unhealthy"}))
        self.assertFalse(is_unhealthy_event({"Type": "container", "Action": "health_status: healthy"}))
        self.assertFalse(is_unhealthy_event({"Type": "network", "Action": "health_status: unhealthy"}))


class MetricsTest(unittest.TestCase):
    def test_renders_contract_names(self):
        counters = Counters()
        counters.count_restart(view(), "unhealthy")
        counters.count_skip(view(), "rate_limited")
        text = render_metrics([view(restart_count=2), view(name="galaxy-redis-1", service="redis", health="healthy"),
                               view(name="galaxy-x-1", service="x", health="", status="exited")], counters)
        self.assertIn('galaxy_container_health{service="backend",container="galaxy-backend-1"} 0', text)
        self.assertIn('galaxy_container_health{service="redis",container="galaxy-redis-1"} 1', text)
        self.assertNotIn('galaxy_container_health{service="x"', text)  # no healthcheck: no health series
        self.assertIn('galaxy_container_running{service="x",container="galaxy-x-1"} 0', text)
        self.assertIn('galaxy_container_restart_count{service="backend",container="galaxy-backend-1"} 3', text)
        self.assertIn('galaxy_watcher_restarts_total{service="backend",reason="unhealthy"} 1', text)
        self.assertIn('galaxy_watcher_skipped_total{service="backend",reason="rate_limited"} 1', text)
        self.assertIn("# TYPE galaxy_watcher_restarts_total counter", text)


if __name__ == "__main__":
    unittest.main()


class DirectHealthUrlTest(unittest.TestCase):
    def view(self, labels, exposed=(), networks=None):
        raw = {"Id": "c1", "Name": "/x", "Config": {"Labels": labels, "ExposedPorts": {p: {} for p in exposed}},
               "State": {"Status": "running"}, "NetworkSettings": {"Networks": networks or {"galaxy_public": {"IPAddress": "10.1.0.7"}}}}
        return ContainerView.from_inspect(raw)

    def test_label_port_wins_over_exposed_ports(self):
        v = self.view({"galaxy.health.path": "/health", "galaxy.health.port": "8080"}, exposed=["80/tcp"])
        self.assertEqual(direct_health_url(v, {"galaxy_public"}), "http://10.1.0.7:8080/health")

    def test_lowest_exposed_tcp_port_otherwise(self):
        v = self.view({"galaxy.health.path": "/health"}, exposed=["9229/tcp", "3000/tcp", "53/udp"])
        self.assertEqual(direct_health_url(v, {"galaxy_public"}), "http://10.1.0.7:3000/health")

    def test_none_without_path_port_or_shared_network(self):
        self.assertIsNone(direct_health_url(self.view({}, exposed=["3000/tcp"]), {"galaxy_public"}))
        self.assertIsNone(direct_health_url(self.view({"galaxy.health.path": "/health"}), {"galaxy_public"}))
        self.assertIsNone(direct_health_url(self.view({"galaxy.health.path": "/health"}, exposed=["3000/tcp"]), {"galaxy_data"}))
