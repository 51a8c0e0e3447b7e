import sys
import tempfile
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "pylib"))
from logstore import StoreFile, decide, enforce, positive_number  # noqa: E402

HOUR = 3600
DAY = 86400
NOW = 1_800_000_000.0


def hour_file(index: int, size: int = 100, age: float = 0) -> StoreFile:
    """The index-th hour of one day (names sort as times do), last written `age` seconds ago."""
    return StoreFile(f"2026-12-02T{index:02d}.jsonl", size, NOW - age)


class DecideTest(unittest.TestCase):
    def test_nothing_to_do_under_both_limits(self):
        files = [hour_file(0, age=2 * HOUR), hour_file(1, age=HOUR), hour_file(2)]
        self.assertEqual(decide(files, NOW, 14 * DAY, 10_000), [])

    def test_age_deletes_files_last_written_before_the_limit(self):
        files = [hour_file(0, age=3 * DAY), hour_file(1, age=2 * DAY + 1), hour_file(2, age=DAY), hour_file(3)]
        self.assertEqual(decide(files, NOW, 2 * DAY, 10_000), ["2026-12-02T00.jsonl", "2026-12-02T01.jsonl"])

    def test_size_deletes_the_oldest_until_the_rest_fits(self):
        files = [hour_file(0, 400), hour_file(1, 400), hour_file(2, 400), hour_file(3, 100)]
        # 1300 bytes against 600: the two oldest go, 500 are left.
        self.assertEqual(decide(files, NOW, 14 * DAY, 600), ["2026-12-02T00.jsonl", "2026-12-02T01.jsonl"])

    def test_age_and_size_together(self):
        files = [hour_file(0, 100, age=5 * DAY), hour_file(1, 500, age=HOUR), hour_file(2, 500, age=1), hour_file(3, 50)]
        self.assertEqual(decide(files, NOW, 2 * DAY, 600), ["2026-12-02T00.jsonl", "2026-12-02T01.jsonl"])

    def test_the_newest_hour_is_kept_whatever_its_size_or_age(self):
        files = [hour_file(0, 10, age=30 * DAY), hour_file(1, 10_000, age=30 * DAY)]
        self.assertEqual(decide(files, NOW, DAY, 100), ["2026-12-02T00.jsonl"])
        self.assertEqual(decide([hour_file(5, 10_000, age=30 * DAY)], NOW, DAY, 100), [])

    def test_order_comes_from_the_names_not_the_list(self):
        files = [hour_file(3, 50), hour_file(1, 400), hour_file(0, 400), hour_file(2, 400)]
        self.assertEqual(decide(files, NOW, 14 * DAY, 600), ["2026-12-02T00.jsonl", "2026-12-02T01.jsonl"])

    def test_other_files_are_never_touched_or_counted(self):
        files = [StoreFile("notes.txt", 10_000, NOW - 90 * DAY), hour_file(0, 100, age=HOUR), hour_file(1, 100)]
        self.assertEqual(decide(files, NOW, DAY, 300), [])


class EnforceTest(unittest.TestCase):
    def test_deletes_what_decide_chose_and_leaves_the_rest(self):
        class Quiet:
            def info(self, *_a, **_k):
                pass

        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            for name, size in [("2026-12-01T00.jsonl", 700), ("2026-12-01T01.jsonl", 700), ("2026-12-01T02.jsonl", 10), ("keep.txt", 5)]:
                (folder / name).write_bytes(b"x" * size)
            enforce(folder, 14 * DAY, 1000, Quiet())
            self.assertEqual(sorted(p.name for p in folder.iterdir()), ["2026-12-01T01.jsonl", "2026-12-01T02.jsonl", "keep.txt"])


class SettingsTest(unittest.TestCase):
    def test_default_when_unset_or_empty(self):
        self.assertEqual(positive_number({}, "LOG_MAX_AGE_DAYS", "14"), 14)
        self.assertEqual(positive_number({"LOG_MAX_AGE_DAYS": ""}, "LOG_MAX_AGE_DAYS", "14"), 14)

    def test_refuses_zero_negative_and_words(self):
        for raw in ("0", "-1", "ten"):
            with self.assertRaises(SystemExit) as caught:
                positive_number({"LOG_MAX_SIZE_MB": raw}, "LOG_MAX_SIZE_MB", "1024")
            self.assertIn("LOG_MAX_SIZE_MB", str(caught.exception))


if __name__ == "__main__":
    unittest.main()
