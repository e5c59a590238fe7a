"""Redirects that know htmx."""

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django_htmx.http import HttpResponseClientRedirect


def redirect_to(request: HttpRequest, url: str) -> HttpResponse:
    """Go to `url`: an htmx request is told with HX-Redirect, so the page it
    came from is left whole, never a fragment of the target swapped into it."""
    if getattr(request, "htmx", False):
        return HttpResponseClientRedirect(url)
    return HttpResponseRedirect(url)
