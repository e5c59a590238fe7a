from datetime import timedelta

from django.utils import timezone

from accounts.models import User

# last_seen is informational: write it at most this often, not on every request.
LAST_SEEN_RESOLUTION = timedelta(minutes=5)


class LastSeenMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = timezone.now()
            if user.last_seen is None or now - user.last_seen >= LAST_SEEN_RESOLUTION:
                User.objects.filter(pk=user.pk).update(last_seen=now)
                user.last_seen = now
        return response
