"""How many gunicorn processes and threads serve the site: the one place that
gunicorn.conf.py and the database connection check (accounts.W016) read, so
the check counts what the server will really open."""

import multiprocessing
import os

# gunicorn.conf.py says why 32 (threads are for waiting on Twilio).
DEFAULT_THREADS = 32


def workers() -> int:
    return int(os.environ.get("WEB_CONCURRENCY") or multiprocessing.cpu_count())


def threads() -> int:
    return int(os.environ.get("GUNICORN_THREADS") or DEFAULT_THREADS)
