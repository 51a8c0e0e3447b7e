"""The auto-scaler's pure decisions: policies from labels, and one step within the bounds."""
import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from policy import Policy, decide, holds_local_state, parse_policy  # noqa: E402


def labels(**over):
    base = {"max": "3", "query": "avg(up)", "up": "0.5", "down": "0.1"}
    base.update(over)
    return {f"galaxy.autoscale.{k}": v for k, v in base.items() if v is not None}


POLICY = Policy(minimum=1, maximum=3, query="q", up=0.5, down=0.1, cooldown=60)


class ParsePolicyTest(unittest.TestCase):
    def test_no_max_means_no_policy(self):
        self.assertIsNone(parse_policy({"galaxy.autoscale.query": "x"}))

    def test_defaults_min_one_and_a_minute_of_cooldown(self):
        self.assertEqual(parse_policy(labels()), Policy(1, 3, "avg(up)", 0.5, 0.1, 60.0))

    def test_every_bad_label_is_named(self):
        cases = {
            "galaxy.autoscale.max='x' is not a whole number": labels(max="x"),
            "galaxy.autoscale.query is missing": labels(query=" "),
            "galaxy.autoscale.up is missing": labels(up=None),
            "galaxy.autoscale.down='low' is not a number": labels(down="low"),
            "galaxy.autoscale.min must be at least 1, not 0": labels(min="0"),
            "galaxy.autoscale.max must be from min (4) to 50, not 3": labels(min="4"),
            "galaxy.autoscale.max must be from min (1) to 50, not 51": labels(max="51"),
            "galaxy.autoscale.up='nan' is not a finite number": labels(up="nan"),
        }
        for expected, given in cases.items():
            with self.subTest(expected):
                self.assertEqual(parse_policy(given), expected)

    def test_down_must_be_below_up_or_the_count_would_swing(self):
        self.assertIn("must be below", parse_policy(labels(down="0.5")))


class DecideTest(unittest.TestCase):
    def test_one_step_up_above_the_threshold(self):
        d = decide(POLICY, 0.9, 1, 50, 300)
        self.assertEqual((d.replicas, d.direction), (2, "up"))

    def test_one_step_down_below_the_threshold(self):
        d = decide(POLICY, 0.01, 3, 50, 300)
        self.assertEqual((d.replicas, d.direction), (2, "down"))

    def test_holds_between_the_thresholds_and_at_the_bounds(self):
        self.assertEqual(decide(POLICY, 0.3, 2, 50, 300).direction, "hold")
        self.assertEqual(decide(POLICY, 0.9, 3, 50, 300).replicas, 3)
        self.assertEqual(decide(POLICY, 0.0, 1, 50, 300).replicas, 1)

    def test_cooldown_holds_a_step(self):
        d = decide(POLICY, 0.9, 1, 50, 10)
        self.assertEqual((d.replicas, d.direction), (1, "hold"))
        self.assertIn("cooldown", d.reason)

    def test_outside_the_bounds_goes_back_at_once_even_in_cooldown(self):
        self.assertEqual(decide(POLICY, None, 5, 50, 0).replicas, 3)
        self.assertEqual(decide(Policy(2, 3, "q", 0.5, 0.1, 60), None, 1, 50, 0).replicas, 2)

    def test_a_service_stopped_at_0_is_left_stopped(self):
        # A restore scales the writers to 0 while it writes the stores; min must not bring them back.
        for value in (None, 0.9, 0.0):
            self.assertEqual(decide(Policy(2, 3, "q", 0.5, 0.1, 60), value, 0, 50, 0), decide(POLICY, value, 0, 50, 300))
            self.assertEqual((decide(POLICY, value, 0, 50, 300).replicas, decide(POLICY, value, 0, 50, 300).direction), (0, "hold"))

    def test_no_sample_holds(self):
        self.assertEqual(decide(POLICY, None, 2, 50, 300), decide(POLICY, None, 2, 50, 300))
        self.assertEqual(decide(POLICY, None, 2, 50, 300).direction, "hold")

    def test_ceiling_of_nodes_caps_a_service_with_a_host_port(self):
        self.assertEqual(decide(POLICY, 0.9, 2, 2, 300).replicas, 2)
        self.assertEqual(decide(POLICY, None, 3, 2, 0).replicas, 2)


class LocalStateTest(unittest.TestCase):
    def test_volume_or_bind_mounts_hold_local_state(self):
        spec = lambda *types: {"TaskTemplate": {"ContainerSpec": {"Mounts": [{"Type": t} for t in types]}}}  # noqa: E731
        self.assertTrue(holds_local_state(spec("tmpfs", "volume")))
        self.assertTrue(holds_local_state(spec("bind")))
        self.assertFalse(holds_local_state(spec("tmpfs")))
        self.assertFalse(holds_local_state({}))


if __name__ == "__main__":
    unittest.main()
