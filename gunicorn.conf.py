"""gunicorn's settings for `make serve` and production: `gunicorn -c gunicorn.conf.py`.

Worker class: **gthread** (threads inside a few processes), not sync. A
sign-in, a resend or an enrolment step waits on Twilio Verify — usually a few
hundred milliseconds, up to TWILIO_TIMEOUT (5 s) when Twilio is slow. A sync
worker does nothing else for that time, so with 4 of them the fifth person
signing in waits in the queue, and the profile pages of everyone else with
them. A thread waiting on a socket releases the GIL (so does Argon2, which
hashes in C), so the other threads of the process keep serving. gthread is
gunicorn's own and patches nothing: gevent or eventlet would have to
monkey-patch psycopg, redis and the `requests` session the twilio package
uses, and an async worker would need every view to be async. Django is
thread-safe and gives each thread its own database connection.

Count: one process per core (templates and password hashing are CPU work
that one process can't spread over cores past the GIL) and 32 threads each.
Threads are for waiting, not for CPU: a request waiting on Twilio holds its
thread, and a request that finds every thread taken waits in gunicorn's
queue behind them, however little it needs. With 8 threads per process, 50
people signing in at once (`make bench`) kept all 16 busy, and another
user's profile waited in the queue: its p95 was 57-99 times its p95 at rest;
with 32, 27-51 times (the rest is the CPU the sign-ins take, see README
"Performance"), at the same sign-ins per second. A waiting thread costs no
CPU and little memory; more threads contending for the GIL did cost 5-10 %
more CPU per request when wrk kept 32 connections busy (the same run's best
rounds, 8 against 32). WEB_CONCURRENCY and GUNICORN_THREADS change them;
each thread may hold one database connection (CONN_MAX_AGE), so
workers × threads × servers must stay under PostgreSQL's max_connections
(README "Deploying"; `manage.py check --deploy --database default` warns,
accounts.W016, when one server alone could take half of them).
"""

import os

from core import serving

wsgi_app = "project.wsgi:application"
bind = [os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")]

worker_class = "gthread"
workers = serving.workers()
threads = serving.threads()

# A worker that hasn't reported in for 30 s is stuck, not slow: the slowest
# honest request makes two Twilio calls (TWILIO_TIMEOUT each) and one password
# check. It is killed and replaced.
timeout = 30
# On a restart or deploy, requests in flight get this long to finish.
graceful_timeout = 30
# Keep idle client (or reverse proxy) connections open this long, in seconds.
keepalive = 5
# Worker heartbeats on tmpfs: a slow disk must not make a healthy worker look stuck.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108

# The access log on standard output, one line per request with its time in
# milliseconds (%(M)s) and the client address the proxy reports.
# GUNICORN_ACCESS_LOG=off turns it off (the benchmark), a path sends it to a file.
_access_log = os.environ.get("GUNICORN_ACCESS_LOG", "-")
accesslog = None if _access_log in ("", "off") else _access_log
access_log_format = '%(h)s %({x-forwarded-for}i)s %(t)s "%(r)s" %(s)s %(B)s %(M)sms "%(f)s" "%(a)s"'
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")

# gunicorn's control socket (`gunicornc`) sits at one path per user: several
# servers on one machine (the tests, the benchmark) would take it from each
# other. Nothing here uses it.
control_socket_disable = True
