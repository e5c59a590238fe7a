"""The benchmark servers' WSGI application: project/wsgi.py, except that the
server without the gate (BENCH_WITHOUT_GATE) is allowed to start."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
application = get_wsgi_application()

if not os.environ.get("BENCH_WITHOUT_GATE"):
    from project.startup import refuse_to_serve_if_misconfigured

    refuse_to_serve_if_misconfigured()
