"""The app's signal receivers: every sign-in starts without the mark; a new
password forgets the user's trusted browsers."""

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_save
from django.dispatch import receiver

from twofactor import session, trust


@receiver(user_logged_in, dispatch_uid="twofactor.start_pending")
def start_pending_on_login(sender, request, user, **kwargs):
    # SECURITY: every sign-in, by any path, starts without a "code passed"
    # mark; the middleware then asks for a code if the user has 2FA on.
    if request is not None and hasattr(request, "session"):
        session.start_pending(request, user)
        trust.sign_in_started(request)


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="twofactor.trust.new_password")
def forget_trusted_browsers_on_new_password(sender, instance, created, **kwargs):
    # Django's set_password() keeps the new password on `_password` until
    # save() has run (after post_save); a hash upgrade at sign-in clears it
    # first, so only a real change counts. SECURITY: whoever knew the old
    # password loses their trusted browser (its binding names the old hash too).
    if not created and getattr(instance, "_password", None) is not None:
        trust.forget_all(instance)
