"""The site's URLs and the benchmark's baseline view."""

from django.http import HttpResponse
from django.urls import path

from core.decorators import second_factor_exempt
from project.urls import *  # noqa: F403  (handler400 ... too)
from project.urls import urlpatterns as site_urlpatterns


@second_factor_exempt
def bare(request):
    """What Django and the middleware cost without any page: the baseline."""
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [path("bench/bare/", bare), *site_urlpatterns]
