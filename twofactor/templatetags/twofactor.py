"""`{% twofactor_panel %}`: the two-factor panel on the owner's profile page;
`{% passkey_sign_in %}`: "Sign in with a passkey" on the sign-in page.

The profile and the sign-in page (in `accounts`) get these through tags, so
`accounts` never imports `twofactor`.
"""

from django import template
from django.template.loader import render_to_string

register = template.Library()


@register.simple_tag(takes_context=True)
def twofactor_panel(context) -> str:
    from twofactor.panel import panel_context

    request = context["request"]
    return render_to_string(
        "twofactor/settings.html#panel", panel_context(request), request=request
    )


@register.inclusion_tag("twofactor/passkey_sign_in.html", takes_context=True)
def passkey_sign_in(context) -> dict:
    """The passkey button and the username field's autofill, unless
    WEBAUTHN_PASSWORDLESS turns them off. An inclusion tag: rendered in the
    page's context, without running the context processors a second time
    (render_to_string with the request did, on every sign-in page)."""
    from twofactor.conf import app_settings

    return {"show": app_settings.WEBAUTHN_PASSWORDLESS, "next": context.get("next", "")}
