"""`manage.py twofactor_rate_limits` creates the Verify Service Rate Limits the
settings name, with buckets from the site's own limits, against the stateful fake."""

from io import StringIO

import pytest
import requests
from django.core.management import CommandError, call_command

from tests.fixtures_verify import TEST_ACCOUNT_SID, TEST_AUTH_TOKEN, TEST_SERVICE_SID

NAMES = {"user": "per_user", "ip": "per_ip"}


def run(*args: str) -> str:
    out = StringIO()
    call_command("twofactor_rate_limits", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def named(settings) -> None:
    settings.TWOFACTOR_VERIFY_RATE_LIMITS = NAMES


def on_the_service(fake_verify) -> dict[str, list[tuple[int, int]]]:
    return {
        limit["unique_name"]: [(b["max"], b["interval"]) for b in limit["buckets"]]
        for limit in fake_verify.rate_limits()
    }


def test_creates_the_named_rate_limits_with_the_sites_limits(fake_verify, named):
    output = run()
    # The defaults: 5 codes per user and 20 per address in an hour.
    assert on_the_service(fake_verify) == {"per_user": [(5, 3600)], "per_ip": [(20, 3600)]}
    assert "Created Rate Limit per_user (user)." in output
    assert "Created Rate Limit per_ip (ip)." in output
    assert "Created bucket 5 per 3600 s." in output
    assert "Created bucket 20 per 3600 s." in output
    descriptions = {limit["description"] for limit in fake_verify.rate_limits()}
    assert descriptions == {
        "Codes per user of the site (the user's id)",
        "Codes per client address of the site",
    }


def test_bucket_sizes_follow_the_settings(fake_verify, named, settings):
    settings.TWOFACTOR_SEND_LIMIT = 3
    settings.TWOFACTOR_IP_SEND_LIMIT = 9
    settings.TWOFACTOR_SEND_WINDOW = 600
    run()
    assert on_the_service(fake_verify) == {"per_user": [(3, 600)], "per_ip": [(9, 600)]}


def test_running_again_creates_nothing(fake_verify, named):
    run()
    output = run()
    assert on_the_service(fake_verify) == {"per_user": [(5, 3600)], "per_ip": [(20, 3600)]}
    assert "Created" not in output
    assert "Rate Limit per_user (user) exists (RK" in output
    assert output.count("Bucket") == 2 and "Bucket 5 per 3600 s exists." in output


def _create_on_the_fake(fake_verify, unique_name: str, bucket: tuple[int, int] | None) -> None:
    base = f"{fake_verify.url}/v2/Services/{TEST_SERVICE_SID}/RateLimits"
    auth = (TEST_ACCOUNT_SID, TEST_AUTH_TOKEN)
    sid = requests.post(base, data={"UniqueName": unique_name}, auth=auth, timeout=5).json()["sid"]
    if bucket is not None:
        requests.post(
            f"{base}/{sid}/Buckets",
            data={"Max": bucket[0], "Interval": bucket[1]},
            auth=auth,
            timeout=5,
        ).raise_for_status()


def test_only_what_is_missing_is_created(fake_verify, named):
    _create_on_the_fake(fake_verify, "per_user", None)  # a Rate Limit without a bucket
    output = run()
    assert on_the_service(fake_verify) == {"per_user": [(5, 3600)], "per_ip": [(20, 3600)]}
    assert "Rate Limit per_user (user) exists" in output
    assert "Created Rate Limit per_ip (ip)." in output


def test_a_bucket_of_another_size_is_reported_and_left(fake_verify, named):
    _create_on_the_fake(fake_verify, "per_user", (50, 3600))
    output = run()
    assert on_the_service(fake_verify)["per_user"] == [(50, 3600)]
    assert "A bucket per 3600 s exists with max 50, not 5: left as it is" in output


def test_dry_run_changes_nothing(fake_verify, named):
    _create_on_the_fake(fake_verify, "per_user", (5, 3600))
    output = run("--dry-run")
    assert on_the_service(fake_verify) == {"per_user": [(5, 3600)]}
    assert "Would create Rate Limit per_ip (ip)." in output
    assert "Would create bucket 20 per 3600 s." in output
    assert "Bucket 5 per 3600 s exists." in output
    assert "Created" not in output


def test_nothing_named_nothing_to_do(fake_verify, settings):
    settings.TWOFACTOR_VERIFY_RATE_LIMITS = {}
    assert "no Rate Limits to create" in run()
    assert fake_verify.rate_limits() == []


def test_an_unknown_fact_is_refused(fake_verify, settings):
    settings.TWOFACTOR_VERIFY_RATE_LIMITS = {"phone": "per_phone"}
    with pytest.raises(CommandError, match="unknown facts: phone"):
        run()
    assert fake_verify.rate_limits() == []


def test_a_backend_without_a_service_says_so(settings, named):
    settings.TWOFACTOR_VERIFY_BACKEND = "twofactor.factors.sms.backends.locmem.LocmemVerifyBackend"
    assert "The locmem backend has no Verify service" in run()


@pytest.mark.parametrize(
    ("fault", "said"),
    [
        ({"mode": "500"}, "Service unavailable"),
        ({"mode": "error", "status": 401, "code": 20003}, "rejected the credentials"),
    ],
    ids=["500", "401"],
)
def test_twilio_failing_is_a_clear_error(fake_verify, named, settings, fault, said):
    fake_verify.fault(**fault)
    with pytest.raises(CommandError, match=said) as excinfo:
        run()
    assert settings.TWILIO_AUTH_TOKEN not in str(excinfo.value)


def test_the_fake_refuses_a_second_rate_limit_of_the_same_name(fake_verify):
    _create_on_the_fake(fake_verify, "per_user", None)
    response = requests.post(
        f"{fake_verify.url}/v2/Services/{TEST_SERVICE_SID}/RateLimits",
        data={"UniqueName": "per_user"},
        auth=(TEST_ACCOUNT_SID, TEST_AUTH_TOKEN),
        timeout=5,
    )
    assert (response.status_code, response.json()["code"]) == (409, 60217)
