"""One round of the controller against a fake engine and a fake Prometheus answer."""
import sys
import unittest
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import autoscaler  # noqa: E402
from galaxy_log import Logger  # noqa: E402


def service(name, replicas, labels, mounts=(), updated="2026-12-03T06:00:00.123456789Z", state=None):
    spec = {"Name": f"galaxy_{name}", "Labels": labels, "Mode": {"Replicated": {"Replicas": replicas}},
            "TaskTemplate": {"ContainerSpec": {"Mounts": [{"Type": m} for m in mounts]}}}
    return {"ID": name, "Version": {"Index": 7}, "Spec": spec, "UpdatedAt": updated,
            **({"UpdateStatus": {"State": state}} if state else {})}


POLICY = {"galaxy.autoscale.max": "3", "galaxy.autoscale.query": "load", "galaxy.autoscale.up": "0.5",
          "galaxy.autoscale.down": "0.1", "galaxy.autoscale.cooldown": "30"}


class FakeApi:
    def __init__(self, services):
        self._services = services
        self.scaled = []

    def services(self, _stack):
        return self._services

    def ready_nodes(self):
        return 3

    def set_replicas(self, svc, replicas):
        self.scaled.append((svc["Spec"]["Name"], replicas))


class RoundTest(unittest.TestCase):
    def run_round(self, services, value, now):
        api = FakeApi(services)
        c = autoscaler.Controller(api, "galaxy", "http://prometheus:9090", None, Logger("autoscaler", "error"))
        with mock.patch.object(autoscaler, "prometheus_value", return_value=value):
            c.round(now=now)
        return api, c

    def test_scales_up_the_service_with_a_policy_and_meters_it(self):
        later = 1796277700.0  # 100 s after UpdatedAt: past the 30 s cooldown
        api, c = self.run_round([service("backend", 1, POLICY), service("edge", 1, {})], 0.9, later)
        self.assertEqual(api.scaled, [("galaxy_backend", 2)])
        self.assertIn('galaxy_autoscale_decisions_total{scaled_service="backend",direction="up"} 1', c.metrics_text())
        self.assertIn('galaxy_autoscale_replicas{scaled_service="backend"} 2', c.metrics_text())

    def test_never_scales_a_service_that_keeps_local_state(self):
        api, c = self.run_round([service("postgres", 1, POLICY, mounts=("volume",))], 0.9, 1796277700.0)
        self.assertEqual(api.scaled, [])
        self.assertIn('galaxy_autoscale_errors_total{scaled_service="postgres",reason="local-state"} 1', c.metrics_text())

    def test_holds_within_the_cooldown_and_during_an_update(self):
        soon = 1796277610.0  # 10 s after UpdatedAt
        api, _ = self.run_round([service("backend", 1, POLICY)], 0.9, soon)
        self.assertEqual(api.scaled, [])
        api, _ = self.run_round([service("backend", 1, POLICY, state="updating")], 0.9, 1796277700.0)
        self.assertEqual(api.scaled, [])

    def test_bad_labels_are_counted_not_applied(self):
        api, c = self.run_round([service("backend", 1, {**POLICY, "galaxy.autoscale.down": "0.9"})], 0.9, 1796277700.0)
        self.assertEqual(api.scaled, [])
        self.assertIn('reason="labels"', c.metrics_text())


class SecondsSinceTest(unittest.TestCase):
    def test_swarm_timestamps_with_nanoseconds(self):
        self.assertAlmostEqual(autoscaler.seconds_since("2026-12-03T06:00:00.123456789Z", 1796277700.0), 100.0)


if __name__ == "__main__":
    unittest.main()
