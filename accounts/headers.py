"""Response headers that keep a signed-in user's data out of caches and
limit what the browser lets pages do.

- `Cache-Control: no-store` (Django's never-cache set) on every response to a
  signed-in request, htmx fragments included: the navbar alone names the
  user, so no such page may be kept by the browser or a shared cache.
- `Permissions-Policy` on every response (`ACCOUNTS_PERMISSIONS_POLICY`).

Signing out answers `Clear-Site-Data` (see `accounts.views.LogoutView`).
"""

from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers

from accounts.conf import app_settings


class SecurityHeadersMiddleware:
    """After AuthenticationMiddleware (it asks whether the request is signed in)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        # Asked before the view runs: a sign-out response came from a signed-in request.
        signed_in = user is not None and user.is_authenticated
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if signed_in or (user is not None and user.is_authenticated):
            # SECURITY: a signed-in user's pages must not outlive the session
            # in the browser's cache or a proxy's (ASVS 14.3).
            add_never_cache_headers(response)
        policy = app_settings.PERMISSIONS_POLICY
        if policy:
            response.headers.setdefault("Permissions-Policy", policy)
        return response
