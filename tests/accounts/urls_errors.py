"""The site's URLs plus views that fail on purpose, for the error page tests."""

from importlib import import_module

from django.conf import settings
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import HttpResponse
from django.urls import path

from project.urls import handler400, handler403, handler404, handler500, urlpatterns

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]


def bad(request):
    raise SuspiciousOperation("test")


def forbidden(request):
    raise PermissionDenied


def broken(request):
    raise RuntimeError("test")


def ended_elsewhere(request):
    """Stands for a request whose session another request ends meanwhile (signing
    out in another tab): the session is deleted, then this request changes it."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    store(session_key=request.session.session_key).delete()
    request.session["seen"] = True
    return HttpResponse("never shown")


urlpatterns = [
    *urlpatterns,
    path("test-errors/400/", bad),
    path("test-errors/403/", forbidden),
    path("test-errors/500/", broken),
    path("test-errors/session-ended/", ended_elsewhere),
]
