"""Settings of the servers `make bench` starts: the production settings as they
are, plus what only a benchmark needs, both read from the environment:

- `/bench/bare/`, a view that renders nothing, through the same middleware,
  in the same server: the baseline every page is a fraction of;
- BENCH_WITHOUT_GATE=1 takes the two-factor middleware out, to measure what
  the gate costs a page (bench/wsgi.py then skips the startup check that would
  refuse to serve without it).
"""

import os

from project.settings import *  # noqa: F403
from project.settings import MIDDLEWARE

ROOT_URLCONF = "bench.urls"
GATE = "twofactor.middleware.TwoFactorMiddleware"
WITHOUT_GATE = bool(os.environ.get("BENCH_WITHOUT_GATE"))
if WITHOUT_GATE:
    MIDDLEWARE = [name for name in MIDDLEWARE if name != GATE]
