"""`{% twofactor_panel %}`: the two-factor panel on the owner's profile page.

The profile (in `accounts`) gets the panel through this tag, so `accounts`
never imports `twofactor`.
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
