"""The language switcher's view: Django's `set_language`, open to every session.

It stores the choice in the language cookie (LANGUAGE_COOKIE_* in settings) and
redirects to `next` when that is a URL of this site, else to where the request
came from. A session halfway through signing in may use it too: it reveals
nothing and changes nothing of the account, and a signed-out visitor may use
it as well, so the two-factor gate lets it through.
"""

from django.http import HttpRequest, HttpResponse
from django.views import i18n
from django.views.decorators.http import require_POST

from core.decorators import second_factor_exempt


@second_factor_exempt
@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    return i18n.set_language(request)
