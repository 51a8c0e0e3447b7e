"""Compose healthcheck for the Python services: exit 0 only when GET /health answers 200.

Slim images carry no curl, and python is already there. Usage: python healthcheck.py [url]
(default http://127.0.0.1:$PORT/health).
"""
import os
import sys
import urllib.error
import urllib.request


def main() -> int:
    url = sys.argv[1] if len(sys.argv) > 1 else f"http://127.0.0.1:{os.environ.get('PORT', '8000')}/health"
    try:
        # 6 s: below the compose healthcheck timeout (10 s) with room for a slow interpreter start
        # on a busy machine, so a slow answer is reported here instead of the probe being killed
        with urllib.request.urlopen(url, timeout=6) as resp:
            return 0 if resp.status == 200 else 1
    except urllib.error.HTTPError as err:
        print(f"unhealthy: HTTP {err.code}", file=sys.stderr)
    except OSError as err:
        print(f"unhealthy: {err}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
