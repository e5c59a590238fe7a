"""Staff need a second factor before the admin opens (`TWOFACTOR_REQUIRED_FOR_STAFF`).

Like django-otp's `OTPAdminSite` and django-two-factor-auth's
`AdminSiteOTPRequired`, but decided in the gate (twofactor/middleware.py), so it
holds for every admin page however the session was signed in, and the staff
user is sent to set a factor up with a message instead of seeing the admin's
"not authorised" login form. The two-factor pages are not admin pages, so they
stay reachable; so does the admin's own sign-out.
"""

import logging

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import resolve_url
from django.utils.translation import gettext as _

from core.responses import redirect_to
from twofactor.conf import app_settings

logger = logging.getLogger("twofactor")

# The admin site's URL namespace, and the views of it a staff user without a
# factor may still reach.
ADMIN_NAMESPACE = "admin"
ALWAYS_OPEN = {"logout"}


def is_admin_view(request: HttpRequest) -> bool:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return False
    return ADMIN_NAMESPACE in match.namespaces and match.url_name not in ALWAYS_OPEN


def refuse_admin_without_factor(request: HttpRequest) -> HttpResponse | None:
    """For a signed-in user whose two-factor is off (the gate knows): the
    answer that sends staff to set a factor up, or None to go on."""
    user = request.user
    if not user.is_staff or not app_settings.REQUIRED_FOR_STAFF:
        return None
    if not is_admin_view(request):
        return None
    # SECURITY: no admin page for a staff account that a stolen password
    # alone would open.
    logger.info("twofactor admin refused to staff user %s without a second factor", user.pk)
    messages.warning(
        request,
        _(
            "Staff accounts need two-factor authentication before the admin opens. "
            "Add a phone or an authenticator app below, then go back to the admin."
        ),
    )
    return redirect_to(request, resolve_url("twofactor:settings"))
