"""The app's signal receivers: every sign-in starts without the mark; signing
out cancels the codes the session had pending; a new password forgets the
user's trusted browsers."""

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.db.models.signals import post_save
from django.dispatch import receiver

from twofactor import session, trust
from twofactor.factors.sms import flows as sms_flows


@receiver(user_logged_in, dispatch_uid="twofactor.start_pending")
def start_pending_on_login(sender, request, user, **kwargs):
    # SECURITY: every sign-in, by any path, starts without a "code passed"
    # mark; the middleware then asks for a code if the user has 2FA on.
    if request is not None and hasattr(request, "session"):
        session.start_pending(request, user)
        trust.sign_in_started(request)


@receiver(user_logged_out, dispatch_uid="twofactor.cancel_pending_codes")
def cancel_pending_codes_on_logout(sender, request, user, **kwargs):
    # Sent before logout() empties the session, so the pending codes are still
    # known. Also the code page's "Cancel" (it signs out). Best effort: an
    # outage is logged, and the sign-out goes on.
    if request is not None and hasattr(request, "session") and user is not None:
        sms_flows.cancel_pending_codes(request=request, why="signed out")


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="twofactor.trust.new_password")
def forget_trusted_browsers_on_new_password(sender, instance, created, **kwargs):
    # Django's set_password() keeps the new password on `_password` until
    # save() has run (after post_save); a hash upgrade at sign-in clears it
    # first, so only a real change counts. SECURITY: whoever knew the old
    # password loses their trusted browser (its binding names the old hash too).
    if not created and getattr(instance, "_password", None) is not None:
        trust.forget_all(instance)
