"""`python -m bench.accounts N PASSWORD`: the benchmark's accounts, straight in
the database the servers use: u0 without a second factor, u1 … u(N+2) with a
confirmed phone +1201555nnnn. One Argon2 hash is made and shared, so making
them costs one password hash, not N."""

import sys

import django

django.setup()

from django.contrib.auth.hashers import make_password  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import User  # noqa: E402
from twofactor.models import Factor  # noqa: E402


def main(count: int, password: str) -> None:
    hashed = make_password(password)
    users = User.objects.bulk_create(
        User(username=f"u{n}", email=f"u{n}@example.com", password=hashed) for n in range(count + 3)
    )
    now = timezone.now()
    Factor.objects.bulk_create(
        Factor(
            kind="sms",
            preferred=True,
            user=user,
            number=f"+1201555{n:04d}",
            channel="sms",
            confirmed_at=now,
            last_used_at=now,
        )  # fmt: skip
        for n, user in enumerate(users)
        if n
    )


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2])
