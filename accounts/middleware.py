"""`last_seen`, written at most every few minutes by a fully signed-in session."""

from django.utils import timezone

from accounts.conf import app_settings
from accounts.models import User
from core.request import is_half_signed_in


class LastSeenMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = timezone.now()
            due = (
                user.last_seen is None or now - user.last_seen >= app_settings.LAST_SEEN_RESOLUTION
            )
            # SECURITY: a half-signed-in session (password, no code yet) is not
            # the user being here. Asked only when a write is due: the answer
            # costs a query unless the navbar already asked.
            if due and not is_half_signed_in(request):
                User.objects.filter(pk=user.pk).update(last_seen=now)
                user.last_seen = now
        return response
