"""`python -m bench.hashers`: CPU seconds per password check, the project's
first hasher (Argon2id) and Django's default PBKDF2, alternately, 5 of each;
prints them as pairs. CPU time of the whole process, so Argon2's threads
(parallelism 8) are all counted."""

import time

import django

django.setup()

from django.conf import global_settings  # noqa: E402
from django.contrib.auth.hashers import check_password, make_password  # noqa: E402
from django.utils.module_loading import import_string  # noqa: E402

from project import settings  # noqa: E402

PASSWORD = "bench password, not a secret at all"


def cpu_per_check(encoded: str) -> float:
    start = time.process_time()
    assert check_password(PASSWORD, encoded)
    return time.process_time() - start


def main() -> None:
    ours = make_password(PASSWORD, hasher=import_string(settings.PASSWORD_HASHERS[0])())
    django_default = make_password(
        PASSWORD, hasher=import_string(global_settings.PASSWORD_HASHERS[0])()
    )
    assert ours.startswith("argon2") and django_default.startswith("pbkdf2_sha256")
    results = []
    for _ in range(5):
        results += [cpu_per_check(ours), cpu_per_check(django_default)]
    print(" ".join(f"{value:.4f}" for value in results))


if __name__ == "__main__":
    main()
