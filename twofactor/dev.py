"""`/dev/outbox/`: with DEBUG on, the codes and emails the console backends
"sent", so a person can try the site without a phone or a mail server."""

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from accounts import mail
from twofactor.decorators import twofactor_exempt


@twofactor_exempt
@never_cache
def outbox(request: HttpRequest) -> HttpResponse:
    # SECURITY: never in production, whatever the backend.
    if not settings.DEBUG:
        raise Http404
    from twofactor.backends import local

    return render(
        request,
        "twofactor/dev_outbox.html",
        {
            "codes": local.recent_messages(),
            "emails": list(reversed(list(mail.recent_messages))),
        },
    )
