"""Development reloader: runs a server program and restarts it when a .py file under the watched
folders changes (dev override only).

Hand-written because PyPI is unreachable here, so watchdog/hupper cannot be installed; polling
mtimes once a second is plenty for a person editing files. Usage:
    python3 devreload.py server.py [watched-dir ...]   (default: the current dir and /app/pylib)
"""
import os
import signal
import subprocess
import sys
import time


def snapshot(dirs):
    stamps = {}
    for base in dirs:
        for folder, subdirs, files in os.walk(base):
            subdirs[:] = [d for d in subdirs if d not in ("__pycache__", "tests")]
            for name in files:
                if name.endswith(".py"):
                    path = os.path.join(folder, name)
                    try:
                        stamps[path] = os.stat(path).st_mtime_ns
                    except OSError:
                        pass
    return stamps


def main() -> int:
    if len(sys.argv) < 2:
        print("usage: devreload.py PROGRAM.py [DIR ...]", file=sys.stderr)
        return 2
    program, dirs = sys.argv[1], sys.argv[2:] or [".", "/app/pylib"]
    child = None
    stopping = False

    def stop_child():
        if child and child.poll() is None:
            child.send_signal(signal.SIGTERM)
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()

    def on_signal(_signum, _frame):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    seen = snapshot(dirs)
    child = subprocess.Popen([sys.executable, program])
    while not stopping:
        time.sleep(1)
        now = snapshot(dirs)
        if now != seen:
            seen = now
            print('{"level":"info","msg":"source changed, restarting","service":"devreload"}', flush=True)
            stop_child()
            child = subprocess.Popen([sys.executable, program])
    stop_child()
    return 0


if __name__ == "__main__":
    sys.exit(main())
