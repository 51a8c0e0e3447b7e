"""Prometheus's targets in swarm mode: one per running task, on a network Prometheus shares."""
import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from task_targets import metrics_port, task_targets  # noqa: E402


def svc(sid, name, labels, networks, ports=()):
    return {"ID": sid, "Spec": {"Name": f"galaxy_{name}", "Labels": labels,
                                "TaskTemplate": {"Networks": [{"Target": n} for n in networks]},
                                "EndpointSpec": {"Ports": [{"TargetPort": p} for p in ports]}}}


def task(sid, slot, node, attachments):
    return {"ServiceID": sid, "Slot": slot, "NodeID": node,
            "NetworksAttachments": [{"Network": {"ID": n}, "Addresses": [a]} for n, a in attachments]}


SERVICES = [
    svc("p", "prometheus", {"galaxy.role": "prometheus"}, ["pub", "data"]),
    svc("b", "backend", {"galaxy.metrics.path": "/metrics"}, ["pub", "data"], ports=(3000,)),
    svc("w", "worker", {"galaxy.metrics.path": "/stats", "galaxy.metrics.port": "9400"}, ["priv"]),
    svc("e", "edge", {}, ["pub"], ports=(8080,)),
]
NODES = [{"ID": "n1", "Description": {"Hostname": "vm"}}, {"ID": "n2", "Description": {"Hostname": "galaxy-node-2"}}]


class TaskTargetsTest(unittest.TestCase):
    def test_one_target_per_task_of_a_service_with_a_metrics_path(self):
        tasks = [task("b", 2, "n2", [("pub", "10.0.1.7/24")]), task("b", 1, "n1", [("other", "10.9.0.2/24"), ("data", "10.0.2.5/24")]),
                 task("e", 1, "n1", [("pub", "10.0.1.9/24")])]
        self.assertEqual(task_targets("galaxy", SERVICES, tasks, NODES), [
            {"targets": ["10.0.2.5:3000"], "labels": {"service": "backend", "tier": "app", "__metrics_path__": "/metrics", "task": "backend.1", "node": "vm"}},
            {"targets": ["10.0.1.7:3000"], "labels": {"service": "backend", "tier": "app", "__metrics_path__": "/metrics", "task": "backend.2", "node": "galaxy-node-2"}},
        ])

    def test_a_task_prometheus_cannot_reach_is_left_out(self):
        self.assertEqual(task_targets("galaxy", SERVICES, [task("w", 1, "n1", [("priv", "10.0.3.2/24")])], NODES), [])

    def test_without_prometheus_in_the_stack_there_is_nothing_to_tell(self):
        self.assertEqual(task_targets("galaxy", SERVICES[1:], [task("b", 1, "n1", [("pub", "10.0.1.7/24")])], NODES), [])

    def test_port_label_then_health_port_then_first_published(self):
        self.assertEqual(metrics_port(SERVICES[2]["Spec"]), 9400)
        self.assertEqual(metrics_port({"Labels": {"galaxy.health.port": "8081"}}), 8081)
        self.assertEqual(metrics_port(SERVICES[1]["Spec"]), 3000)
        self.assertIsNone(metrics_port({"Labels": {}}))


if __name__ == "__main__":
    unittest.main()
