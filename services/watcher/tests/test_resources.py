"""Per-container resources: stats answers of both cgroup versions, the lines /metrics shows, and
the watcher reading every running container once per STATS_SECONDS and counting OOM kills."""
import io
import sys
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "pylib"))
from galaxy_http import Logger  # noqa: E402
from policy import Counters, RateLimiter, render_metrics, ContainerView  # noqa: E402
from resources import Usage, parse_stats  # noqa: E402
from watcher import Watcher  # noqa: E402

# Trimmed from real one-shot answers of Docker 26 (cgroup v1 on this machine) and of cgroup v2.
V1 = {"cpu_stats": {"cpu_usage": {"total_usage": 2_500_000_000}},
      "memory_stats": {"usage": 60_000_000, "limit": 100_663_296, "stats": {"total_inactive_file": 10_000_000, "cache": 12_000_000}},
      "networks": {"eth0": {"rx_bytes": 1000, "tx_bytes": 200}, "eth1": {"rx_bytes": 24, "tx_bytes": 6}}}
V2 = {"cpu_stats": {"cpu_usage": {"total_usage": 1_000_000}},
      "memory_stats": {"usage": 5_000_000, "limit": 67_108_864, "stats": {"inactive_file": 1_000_000}}}
STOPPED = {"cpu_stats": {"cpu_usage": {}}, "memory_stats": {}}


class ParseTest(unittest.TestCase):
    def test_both_cgroup_versions_give_the_working_set(self):
        self.assertEqual(parse_stats(V1), Usage(cpu_seconds=2.5, memory_bytes=50_000_000, rx_bytes=1024, tx_bytes=206))
        self.assertEqual(parse_stats(V2), Usage(cpu_seconds=0.001, memory_bytes=4_000_000, rx_bytes=0, tx_bytes=0))

    def test_a_stopped_containers_empty_answer_is_no_sample(self):
        self.assertIsNone(parse_stats(STOPPED))
        self.assertIsNone(parse_stats({}))


def view(cid, service, status="running", cpu=0.5, memory=100_663_296):
    return ContainerView(id=cid, name=f"galaxy-{service}-1", service=service, project="galaxy", status=status, health="healthy",
                         restart_count=0, autoheal=False, cpu_limit=cpu, memory_limit=memory)


class RenderTest(unittest.TestCase):
    def test_every_container_has_its_limits_and_oom_counter_and_running_ones_their_usage(self):
        counters = Counters()
        counters.count_oom("galaxy-redis-1")
        text = render_metrics([view("a", "backend"), view("b", "redis", status="exited", cpu=0, memory=0)], counters,
                              {"a": parse_stats(V1), "b": parse_stats(V2)})
        lines = text.splitlines()
        self.assertIn('galaxy_container_cpu_seconds_total{service="backend",container="galaxy-backend-1"} 2.500000', lines)
        self.assertIn('galaxy_container_memory_bytes{service="backend",container="galaxy-backend-1"} 50000000', lines)
        self.assertIn('galaxy_container_memory_limit_bytes{service="backend",container="galaxy-backend-1"} 100663296', lines)
        self.assertIn('galaxy_container_cpu_limit_cores{service="backend",container="galaxy-backend-1"} 0.5', lines)
        self.assertIn('galaxy_container_network_receive_bytes_total{service="backend",container="galaxy-backend-1"} 1024', lines)
        self.assertIn('galaxy_container_oom_kills_total{service="backend",container="galaxy-backend-1"} 0', lines)
        self.assertIn('galaxy_container_oom_kills_total{service="redis",container="galaxy-redis-1"} 1', lines)
        # A stopped container shows no usage (its old sample would be a lie), and no limit it does not have.
        self.assertFalse([line for line in lines if "redis" in line and ("memory_bytes" in line or "limit" in line)])
        self.assertIn("# TYPE galaxy_container_cpu_seconds_total counter", lines)


class FakeDocker:
    def __init__(self, raws, stats):
        self.raws, self.stats_answers, self.stats_calls = raws, stats, []

    def list_ids(self, _project):
        return list(self.raws)

    def inspect(self, cid):
        return self.raws.get(cid)

    def stats(self, cid):
        self.stats_calls.append(cid)
        answer = self.stats_answers.get(cid)
        if isinstance(answer, Exception):
            raise answer
        return answer


def raw(cid, service, status="running"):
    return {"Id": cid, "Name": f"/galaxy-{service}-1", "RestartCount": 0,
            "Config": {"Labels": {"com.docker.compose.project": "galaxy", "com.docker.compose.service": service}},
            "HostConfig": {"NanoCpus": 250_000_000, "Memory": 67_108_864},
            "State": {"Status": status, "Health": {"Status": "healthy"}}}


class WatcherUsageTest(unittest.TestCase):
    def test_running_containers_are_read_once_per_interval_and_a_failed_read_is_skipped(self):
        now = [100.0]
        docker = FakeDocker({"a": raw("a", "backend"), "b": raw("b", "redis"), "c": raw("c", "old", status="exited")},
                            {"a": V1, "b": OSError("engine slow")})
        w = Watcher(docker, "galaxy", RateLimiter(3, 600), Logger("watcher", stream=io.StringIO()), clock=lambda: now[0],
                    stats_seconds=10)
        w.refresh()
        w.read_usage()
        self.assertEqual(sorted(docker.stats_calls), ["a", "b"], "only running containers")
        self.assertEqual(set(w.usage), {"a"})
        self.assertIn('galaxy_container_cpu_limit_cores{service="backend",container="galaxy-backend-1"} 0.25', w.metrics_text())
        now[0] += 5
        w.read_usage()
        self.assertEqual(len(docker.stats_calls), 2, "not again within STATS_SECONDS")
        now[0] += 6
        w.read_usage()
        self.assertEqual(len(docker.stats_calls), 4)

    def test_oom_events_are_counted_per_container(self):
        w = Watcher(FakeDocker({"a": raw("a", "backend")}, {}), "galaxy", RateLimiter(3, 600), Logger("watcher", stream=io.StringIO()))
        w.refresh()
        event = {"Type": "container", "Action": "oom", "id": "a",
                 "Actor": {"ID": "a", "Attributes": {"name": "galaxy-backend-1", "com.docker.compose.service": "backend"}}}
        self.assertEqual(w.handle_event(event), "oom")
        w.handle_event(event)
        self.assertIn('galaxy_container_oom_kills_total{service="backend",container="galaxy-backend-1"} 2', w.metrics_text())


if __name__ == "__main__":
    unittest.main()
