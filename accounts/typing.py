"""Request types for the type checker: what the middleware stack adds."""

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

from accounts.models import User


class SignedInRequest(HttpRequest):
    """A request whose user is signed in (at least with the password)."""

    user: User
    htmx: HtmxDetails
