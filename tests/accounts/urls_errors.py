"""The site's URLs plus views that fail on purpose, for the error page tests."""

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.urls import path

from project.urls import handler400, handler403, handler404, handler500, urlpatterns

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]


def bad(request):
    raise SuspiciousOperation("test")


def forbidden(request):
    raise PermissionDenied


def broken(request):
    raise RuntimeError("test")


urlpatterns = [
    *urlpatterns,
    path("test-errors/400/", bad),
    path("test-errors/403/", forbidden),
    path("test-errors/500/", broken),
]
