"""`manage.py twofactor_check`: is the Verify backend configured and reachable,
and are the Verify service's settings that matter for security and cost right?

Prints the backend in use and the service it talks to, then each setting as OK
or a line saying what to switch on in the Twilio console. Exits non-zero with
the reason when the credentials or the service SID don't work, Twilio can't be
reached, or a required setting is wrong. Sends no SMS.
"""

from dataclasses import dataclass

from django.core.management.base import BaseCommand, CommandError

from twofactor.conf import app_settings
from twofactor.factors.sms.backends import get_backend
from twofactor.factors.sms.backends.base import (
    BackendConfigurationError,
    BackendUnavailable,
    ServiceSettings,
)

# NIST 800-63B-4 asks at least 6 digits of a code sent out of band.
MIN_CODE_LENGTH = 6
CONSOLE = "In the Twilio console: Verify > Services > your service > General"


@dataclass(frozen=True, slots=True)
class Finding:
    name: str  # for the failure's summary
    ok: bool
    required: bool  # wrong and required: the command fails
    line: str


def review(found: ServiceSettings) -> list[Finding]:
    """What the command says of each setting that matters.

    Required: the code length (NIST) and the "do not share" warning (the text
    itself tells a phished user not to read the code out). Recommended only:
    Lookup with "skip SMS to landlines" (each Lookup is billed).
    """
    code_ok = found.code_length >= MIN_CODE_LENGTH
    share_ok = found.do_not_share_warning_enabled
    landlines_ok = found.lookup_enabled and found.skip_sms_to_landlines
    if found.skip_sms_to_landlines and not found.lookup_enabled:
        landlines = (
            '"Skip SMS to landlines" is on but Lookup is off, so it does nothing.'
            f' {CONSOLE}, switch on "Lookup".'
        )
    elif not landlines_ok:
        switch = '"Lookup" and ' if not found.lookup_enabled else ""
        landlines = (
            "Texts to landlines are not skipped (each is paid for and never arrives)."
            f' {CONSOLE}, switch on {switch}"Skip SMS to landlines".'
        )
    else:
        landlines = "Lookup is on and texts to landlines are skipped."
    return [
        Finding(
            name="code length",
            ok=code_ok,
            required=True,
            line=f"Code length {found.code_length} (at least {MIN_CODE_LENGTH})."
            if code_ok
            else f"Code length {found.code_length}: codes need at least {MIN_CODE_LENGTH}"
            f" digits. {CONSOLE}, set Code length to {MIN_CODE_LENGTH} or more.",
        ),
        Finding(
            name="do not share warning",
            ok=share_ok,
            required=True,
            line='The "do not share this code" warning is on.'
            if share_ok
            else 'The "do not share this code" warning is off, so a phished user is not'
            f' warned. {CONSOLE}, switch on "Do not share warning".',
        ),
        Finding(name="landlines", ok=landlines_ok, required=False, line=landlines),
    ]


class Command(BaseCommand):
    help = (
        "Check that the two-factor Verify backend is configured, can reach its service, "
        "and that the service's settings are safe."
    )
    # Diagnose even when the system checks fail (they'd hide the reason behind E003).
    requires_system_checks: list[str] = []

    def handle(self, *args, **options) -> None:
        path = app_settings.VERIFY_BACKEND
        try:
            backend = get_backend(path)
        except ImportError as exc:
            raise CommandError(
                f"TWOFACTOR_VERIFY_BACKEND {path!r} cannot be imported: {exc}"
            ) from None
        self.stdout.write(f"Backend: {path} ({backend.name})")
        try:
            description = backend.describe_service()
            found = backend.service_settings()
        except BackendConfigurationError as exc:
            raise CommandError(f"Configuration problem: {exc}") from None
        except BackendUnavailable as exc:
            raise CommandError(f"Service unavailable: {exc}") from None
        self.stdout.write(self.style.SUCCESS(f"OK: {description}"))
        if found is None:
            self.stdout.write(
                f"Service settings: the {backend.name} backend has no Verify service,"
                " so there are none to check."
            )
            return
        wrong_required = []
        for finding in review(found):
            if finding.ok:
                self.stdout.write(self.style.SUCCESS(f"OK: {finding.line}"))
            elif finding.required:
                self.stdout.write(self.style.ERROR(f"ERROR: {finding.line}"))
                wrong_required.append(finding.name)
            else:
                self.stdout.write(self.style.WARNING(f"WARNING: {finding.line}"))
        if wrong_required:
            raise CommandError(
                f"The Verify service's settings need changing: {', '.join(wrong_required)}."
            )
