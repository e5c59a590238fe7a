"""`/dev/outbox/`: with DEBUG on, the codes and emails the console backends
"sent", so a person can try the site without a phone or a mail server."""

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from core import outbox
from core.decorators import second_factor_exempt


@second_factor_exempt
@never_cache
def outbox_view(request: HttpRequest) -> HttpResponse:
    # SECURITY: never in production, whatever the backend; and even with DEBUG
    # on (a staging site, say) only for this machine: it lists everyone's codes.
    if not settings.DEBUG or request.META.get("REMOTE_ADDR") not in settings.INTERNAL_IPS:
        raise Http404
    return render(
        request,
        "dev/outbox.html",
        {"codes": outbox.recent(outbox.CODES), "emails": outbox.recent(outbox.EMAILS)},
    )
