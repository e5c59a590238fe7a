"""Sign-in, sign-out and failed sign-in, by any path (the site's page, the
admin's, the two-factor password prompts), written to the security log."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from accounts import security
from accounts.backends import find_account


def _via(request) -> str:
    path = getattr(request, "path", "") or ""
    return "admin" if path.startswith("/admin/") else "site"


# A sign-in that is not by password (a passkey) says so on the request before login().
SIGN_IN_KIND = "accounts_sign_in_kind"


@receiver(user_logged_in, dispatch_uid="accounts.security.sign_in")
def _signed_in(sender, request, user, **kwargs):
    kind = getattr(request, SIGN_IN_KIND, security.Kind.SIGN_IN)
    security.record(request=request, user=user, kind=kind, via=_via(request))


@receiver(user_logged_out, dispatch_uid="accounts.security.sign_out")
def _signed_out(sender, request, user, **kwargs):
    if user is not None and request is not None:
        security.record(request=request, user=user, kind=security.Kind.SIGN_OUT)


@receiver(user_login_failed, dispatch_uid="accounts.security.sign_in_failed")
def _sign_in_failed(sender, credentials, request=None, **kwargs):
    login = credentials.get("username") or ""
    # The typed login is not kept (people type passwords into it); the account
    # it names, if any, is the one whose log gets the failure.
    account = find_account(login) if login else None
    security.record(
        request=request,
        user=account,
        kind=security.Kind.SIGN_IN_FAILED,
        via=_via(request),
        known_account=account is not None,
    )
