"""Hostile requests (issue #12): a bounded corpus over raw sockets to memory-api running as its
own process; no answer is a 500, refusals are JSON, /health answers afterwards, the process
lives, and its output holds no traceback or other non-JSON line."""
import os
import signal
import sys
import tempfile
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(HERE.parent / "pylib" / "tests"))
import hostile  # noqa: E402


class HostileRequestsTest(unittest.TestCase):
    def test_corpus_never_crashes_or_answers_500(self):
        with tempfile.TemporaryDirectory() as tmp:
            port = hostile.free_port()
            env = dict(os.environ, PORT=str(port), HOST="127.0.0.1", API_TOKEN=hostile.TOKEN, MEMORY_DB_PATH=os.path.join(tmp, "m.db"))
            proc = hostile.start(str(HERE / "server.py"), env, port)
            try:
                found = hostile.check_service(port, "/conversations",
                                              b'{"messages": [{"role": "user", "content": "hello"}]}',
                                              "/conversations/")
                self.assertIsNone(proc.poll(), "memory-api exited during the corpus")
            finally:
                proc.send_signal(signal.SIGTERM)
                out, err = proc.communicate(timeout=15)
            self.assertEqual(found, [], "\n".join(found))
            self.assertEqual(hostile.unstructured(err.decode()), [])
            self.assertEqual(hostile.unstructured(out.decode()), [])
            self.assertNotIn('"status":500', out.decode())


if __name__ == "__main__":
    unittest.main()
