// Top-level modules of the Python standard library: imports of these are not third-party dependencies.
export const PY_STDLIB = new Set(
  `__future__ abc argparse array ast asyncio atexit base64 binascii bisect builtins bz2
calendar cgi cmath codecs collections colorsys concurrent configparser contextlib contextvars copy copyreg csv
ctypes curses dataclasses datetime dbm decimal difflib dis email encodings enum errno faulthandler fcntl filecmp
fileinput fnmatch fractions ftplib functools gc getopt getpass gettext glob graphlib grp gzip hashlib heapq hmac
html http imaplib importlib inspect io ipaddress itertools json keyword linecache locale logging lzma mailbox
marshal math mimetypes mmap multiprocessing netrc numbers operator optparse os pathlib pdb pickle pkgutil
platform plistlib poplib posix pprint profile pstats pty pwd queue quopri random re readline reprlib resource
sched secrets select selectors shelve shlex shutil signal site smtplib socket socketserver sqlite3 ssl stat
statistics string stringprep struct subprocess symtable sys sysconfig syslog tarfile tempfile termios textwrap
threading time timeit tkinter token tokenize tomllib trace traceback tracemalloc tty turtle types typing
unicodedata unittest urllib uuid venv warnings wave weakref webbrowser wsgiref xml xmlrpc zipapp zipfile
zipimport zlib zoneinfo`.split(/\s+/),
);
