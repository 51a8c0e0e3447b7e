"""Hostile requests (issue #12): a bounded corpus over raw sockets to experience-api running as
its own process, in front of a real memory-api process; no answer is a 500, refusals are JSON,
/health answers afterwards, both processes live, and neither writes a non-JSON line."""
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
            memory_port, port = hostile.free_port(), hostile.free_port()
            memory = hostile.start(str(HERE.parent / "memory-api" / "server.py"),
                                   dict(os.environ, PORT=str(memory_port), HOST="127.0.0.1", API_TOKEN=hostile.TOKEN,
                                        MEMORY_DB_PATH=os.path.join(tmp, "m.db")), memory_port)
            procs = [memory]
            try:
                procs.append(hostile.start(str(HERE / "server.py"),
                                           dict(os.environ, PORT=str(port), HOST="127.0.0.1", API_TOKEN=hostile.TOKEN,
                                                MEMORY_API_URL=f"http://127.0.0.1:{memory_port}"), port))
                found = hostile.check_service(port, "/experiences", b'{"content": "a rolling deploy", "tags": ["deploy"]}')
                self.assertEqual([p.poll() for p in procs], [None, None], "a service exited during the corpus")
            finally:
                outputs = []
                for proc in procs:
                    proc.send_signal(signal.SIGTERM)
                    outputs.append(proc.communicate(timeout=15))
            self.assertEqual(found, [], "\n".join(found))
            for out, err in outputs:
                self.assertEqual(hostile.unstructured(err.decode()), [])
                self.assertEqual(hostile.unstructured(out.decode()), [])
                self.assertNotIn('"status":500', out.decode())


if __name__ == "__main__":
    unittest.main()
