import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")
application = get_wsgi_application()

from project.startup import refuse_to_serve_if_misconfigured  # noqa: E402

refuse_to_serve_if_misconfigured()
