from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from twofactor import session


@receiver(user_logged_in, dispatch_uid="twofactor.start_pending")
def start_pending_on_login(sender, request, user, **kwargs):
    # SECURITY: every sign-in, by any path, starts without a "code passed"
    # mark; the middleware then asks for a code if the user has 2FA on.
    if request is not None and hasattr(request, "session"):
        session.start_pending(request, user)
