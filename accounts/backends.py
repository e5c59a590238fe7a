"""Sign-in by username or email address."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from accounts import passwords
from accounts.models import looks_like_email

# The longest an email address can be (and more than any username).
MAX_LOGIN_LENGTH = 254


def hash_for_timing(password: str) -> None:
    """As long as checking `password` against an account's hash takes: once,
    twice when it isn't normalised (User.check_password tries it as typed too)."""
    User = get_user_model()
    User().set_password(password)
    if passwords.normalise(password) != password:
        User().set_password(password)


def find_account(login: str):
    """The account a typed login names, or None."""
    User = get_user_model()
    if len(login) > MAX_LOGIN_LENGTH:
        return None
    # SECURITY: an email-shaped login never matches a username (older
    # accounts may still have one with "@"), so nobody can take over
    # another person's email sign-in by picking it as a username.
    field = "email__iexact" if looks_like_email(login) else "username__iexact"
    matches = list(User._default_manager.filter(**{field: login})[:2])
    # Two usernames equal but for case can only predate the case check: the
    # exact one wins.
    return next((u for u in matches if u.username == login), matches[0] if matches else None)


class UsernameOrEmailBackend(ModelBackend):
    """Sign in with the username or the email address (either case).

    A login with an "@" is an email address and matches emails only; one
    without matches usernames only. Usernames can't contain "@", so no login
    can match two accounts.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None:
            return None
        if len(username) > MAX_LOGIN_LENGTH:
            # No account has one this long; on SQLite the case-insensitive
            # lookup of a huge one fails ("LIKE pattern too complex"), and the
            # admin's login form doesn't limit its length.
            # SECURITY: the hasher still runs, like for any unknown login.
            hash_for_timing(password)
            return None
        user = find_account(username)
        if user is None:
            # SECURITY: run the hasher anyway (as ModelBackend does), so that an
            # unknown login takes as long as a known one with a wrong password.
            hash_for_timing(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            user.store_normalised_password()
            return user
        return None
