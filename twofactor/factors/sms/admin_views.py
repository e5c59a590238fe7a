"""The admin's "Text message attempts" page (staff only): Verify's Attempts
Summary by country and prefix over a date range, last 7 days by default.

Wired into the admin by twofactor/admin.py (`FactorAdmin.get_urls`, and a line
in the two-factor app's list), so the admin's own staff check and the gate's
"staff need a second factor" hold for it like for every admin page.
"""

import re
from datetime import UTC, datetime, time, timedelta

import phonenumbers
from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from twofactor.factors.sms import attempts
from twofactor.models import Factor

DEFAULT_DAYS = 7
MAX_DAYS = 366
MAX_PREFIXES = 10
PREFIX = re.compile(r"^\+[1-9][0-9]{0,14}$")


def _words(value: str) -> list[str]:
    return [word for word in re.split(r"[\s,]+", value.strip()) if word]


class AttemptsForm(forms.Form):
    since = forms.DateField(
        label=gettext_lazy("From"), widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=gettext_lazy("To (inclusive)"), widget=forms.DateInput(attrs={"type": "date"})
    )
    countries = forms.CharField(
        label=gettext_lazy("Also these countries"),
        required=False,
        max_length=300,
        help_text=gettext_lazy("Region codes, e.g. GB, NG."),
    )
    prefixes = forms.CharField(
        label=gettext_lazy("Prefixes"),
        required=False,
        max_length=300,
        help_text=gettext_lazy("E.164 prefixes, e.g. +4470, +881."),
    )

    @classmethod
    def defaults(cls) -> dict[str, str]:
        today = timezone.now().astimezone(UTC).date()
        return {
            "since": (today - timedelta(days=DEFAULT_DAYS)).isoformat(),
            "until": today.isoformat(),
        }

    def clean_countries(self) -> list[str]:
        regions = [word.upper() for word in _words(self.cleaned_data["countries"])]
        unknown = [r for r in regions if r not in phonenumbers.SUPPORTED_REGIONS]
        if unknown:
            raise forms.ValidationError(
                _("Not a region code: %(codes)s.") % {"codes": ", ".join(unknown)},
                code="unknown_region",
            )
        return list(dict.fromkeys(regions))

    def clean_prefixes(self) -> list[str]:
        prefixes = list(dict.fromkeys(_words(self.cleaned_data["prefixes"])))
        wrong = [p for p in prefixes if not PREFIX.match(p)]
        if wrong:
            raise forms.ValidationError(
                _("Not an E.164 prefix (a + and digits): %(prefixes)s.")
                % {"prefixes": ", ".join(wrong)},
                code="bad_prefix",
            )
        if len(prefixes) > MAX_PREFIXES:
            raise forms.ValidationError(
                _("At most %(count)d prefixes at a time.") % {"count": MAX_PREFIXES},
                code="too_many_prefixes",
            )
        return prefixes

    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until:
            if since > until:
                raise forms.ValidationError(
                    _("The start date is after the end date."), code="backwards"
                )
            if (until - since).days > MAX_DAYS:
                raise forms.ValidationError(
                    _("Choose at most %(days)d days.") % {"days": MAX_DAYS}, code="too_long"
                )
            # Texts can't have been sent later than tomorrow (any time zone);
            # and a date near the calendar's end has no day after it (window()).
            if until > timezone.now().date() + timedelta(days=1):
                raise forms.ValidationError(_("The end date is in the future."), code="future")
        return cleaned

    def window(self) -> tuple[datetime, datetime]:
        """[start of `since`, end of `until`) in UTC, as Verify's filter takes it."""
        since = datetime.combine(self.cleaned_data["since"], time.min, tzinfo=UTC)
        until = datetime.combine(self.cleaned_data["until"], time.min, tzinfo=UTC)
        return since, until + timedelta(days=1)


def attempts_view(request: HttpRequest, *, admin_site: admin.AdminSite) -> TemplateResponse:
    # Staff who may see the factors' list may see what texts cost; other staff not.
    if not request.user.has_perm("twofactor.view_factor"):
        raise PermissionDenied
    form = AttemptsForm(request.GET if request.GET else AttemptsForm.defaults())
    report = None
    status = 200
    if form.is_valid():
        since, until = form.window()
        report = attempts.report(
            since=since,
            until=until,
            countries=form.cleaned_data["countries"],
            prefixes=form.cleaned_data["prefixes"],
        )
        if report.error:
            status = 503
    else:
        status = 400
    return TemplateResponse(
        request,
        "admin/twofactor/attempts.html",
        {
            **admin_site.each_context(request),
            "title": _("Text message attempts"),
            "opts": Factor._meta,
            "form": form,
            "report": report,
            "suspicious_attempts": attempts.SUSPICIOUS_ATTEMPTS,
            "suspicious_rate": int(attempts.SUSPICIOUS_RATE),
        },
        status=status,
    )
