from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import Q

# The longest an email address can be (and more than any username).
MAX_LOGIN_LENGTH = 254


class UsernameOrEmailBackend(ModelBackend):
    """Sign in with the username or the email address (either case)."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None:
            return None
        User = get_user_model()
        if len(username) > MAX_LOGIN_LENGTH:
            # No account has one this long; on SQLite the case-insensitive
            # lookup of a huge one fails ("LIKE pattern too complex"), and the
            # admin's login form doesn't limit its length.
            User().set_password(password)
            return None
        users = list(
            User._default_manager.filter(Q(username__iexact=username) | Q(email__iexact=username))[
                :2
            ]
        )
        # An exact username match wins over an email match.
        user = next((u for u in users if u.username == username), users[0] if users else None)
        if user is None:
            # Run the hasher anyway so that unknown users take as long as known ones.
            User().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
