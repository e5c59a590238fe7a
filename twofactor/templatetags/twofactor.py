"""`{% twofactor_panel %}`: the two-factor panel on the owner's profile page;
`{% passkey_sign_in %}`: "Sign in with a passkey" on the sign-in page.

The profile and the sign-in page (in `accounts`) get these through tags, so
`accounts` never imports `twofactor`.
"""

from django import template

register = template.Library()


@register.inclusion_tag("twofactor/settings.html#panel", takes_context=True)
def twofactor_panel(context) -> dict:
    """An inclusion tag, like `passkey_sign_in`: the context processors don't
    run a second time. The factors are the ones the gate read for this request.
    An inclusion tag's template sees only what this returns (and the CSRF
    token), so the page-wide names the panel's templates may use come along."""
    from twofactor import session
    from twofactor.panel import panel_context

    request = context["request"]
    page = {name: context.get(name) for name in ("request", "user", "site_name", "csp_nonce")}
    return {**page, **panel_context(request, mine=session.request_factors(request))}


@register.inclusion_tag("twofactor/passkey_sign_in.html", takes_context=True)
def passkey_sign_in(context) -> dict:
    """The passkey button and the username field's autofill, unless
    WEBAUTHN_PASSWORDLESS turns them off. An inclusion tag: rendered in the
    page's context, without running the context processors a second time
    (render_to_string with the request did, on every sign-in page)."""
    from twofactor.conf import app_settings

    return {"show": app_settings.WEBAUTHN_PASSWORDLESS, "next": context.get("next", "")}
