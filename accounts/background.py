"""Work done after the response is sent: a background thread per job.

Why a thread and not a database queue: the one job is a password reset email,
whose worth lasts minutes and which the user can ask for again; a thread needs
no worker process, no cron and no table, so `make run` and a deployment stay
one process. What it costs: a job in flight dies with its process (logged
never; the user sees no email and asks again). The thread is not a daemon,
so a normal interpreter exit (a server's graceful restart) waits for it.

`ACCOUNTS_EMAIL_IN_BACKGROUND` off runs the job inline (the test settings do:
a test's uncommitted data is invisible to another thread's connection).
"""

import logging
import threading
from collections.abc import Callable

from django.db import close_old_connections, connections
from django.http import HttpResponse
from django.utils import translation

from accounts.conf import app_settings

logger = logging.getLogger("accounts")

# Jobs still running, so tests (and a shutdown hook) can wait for them.
_running: set[threading.Thread] = set()
_lock = threading.Lock()


def run_after_response(response: HttpResponse, job: Callable[[], None], *, name: str):
    """Run `job` once `response` has been sent, in a thread of its own.

    The thread starts from the response's `close()`, which the WSGI or ASGI
    server calls after the last byte went out: nothing of the job (not even
    competing for the interpreter) can show in the time to answer.
    """
    if not app_settings.EMAIL_IN_BACKGROUND:
        job()
        return response
    language = translation.get_language()
    close = response.close

    def close_then_start() -> None:
        close()
        _start(job, name=name, language=language)

    response.close = close_then_start  # type: ignore[method-assign]  # run after the response
    return response


def run_in_background(job: Callable[[], None], *, name: str) -> None:
    """Run `job` in a thread of its own now, for a step that has no response
    to wait for (a security email from deep inside a flow). The job must not
    need the request: pass it plain values."""
    if not app_settings.EMAIL_IN_BACKGROUND:
        job()
        return
    _start(job, name=name, language=translation.get_language())


def _start(job: Callable[[], None], *, name: str, language: str | None) -> None:
    def run() -> None:
        close_old_connections()
        try:
            with translation.override(language):
                job()
        except Exception:
            logger.exception("background job %s failed", name)
        finally:
            # The thread's own database connections, opened by the job.
            connections.close_all()
            with _lock:
                _running.discard(threading.current_thread())

    thread = threading.Thread(target=run, name=f"accounts-{name}", daemon=False)
    with _lock:
        _running.add(thread)
    thread.start()


def wait_for_jobs(timeout: float = 10.0) -> None:
    """Block until the running jobs are done (tests)."""
    with _lock:
        threads = list(_running)
    for thread in threads:
        thread.join(timeout)
