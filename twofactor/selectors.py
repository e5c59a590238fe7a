"""Which factors a user has, and whether two-factor is on: the one place that
asks. (The gate reads them once per request, `session.request_factors`.)"""

from twofactor.models import SECOND_FACTOR_KINDS, Factor, Kind


def confirmed_factors(user) -> list[Factor]:
    """The user's confirmed factors, the default first."""
    if not user.is_authenticated and not getattr(user, "pk", None):
        return []
    rows = Factor.objects.confirmed().of(user)
    return sorted(rows, key=lambda f: (not f.preferred, list(Kind).index(Kind(f.kind))))


def confirmed_factor(user, kind: str) -> Factor | None:
    return Factor.objects.confirmed().of(user).filter(kind=kind).first()


def is_enabled(user) -> bool:
    """Two-factor is on: a confirmed phone or app (recovery codes alone don't count)."""
    return Factor.objects.confirmed().of(user).filter(kind__in=SECOND_FACTOR_KINDS).exists()


def second_factors(factors: list[Factor]) -> list[Factor]:
    return [f for f in factors if f.is_second_factor]


def default_factor(factors: list[Factor]) -> Factor | None:
    """The factor the code page asks for first: the chosen default, else the first."""
    second = second_factors(factors)
    return next((f for f in second if f.preferred), second[0] if second else None)


def phone(user) -> Factor | None:
    return confirmed_factor(user, Kind.SMS)
