"""The database guards what no code could have confirmed, on SQLite and PostgreSQL."""

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from twofactor.models import Factor, mask_number


@pytest.mark.django_db
@pytest.mark.parametrize("number", ["+0123", "15555550100", "+1 555 555 0100", "+1555555010012345"])
def test_the_database_refuses_a_number_not_in_e164(user, number):
    device = Factor.objects.create(
        kind="sms", channel="sms", user=user, number="+12015550123", confirmed_at=timezone.now()
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Factor.objects.phones().filter(pk=device.pk).update(number=number)


@pytest.mark.django_db
def test_the_database_refuses_an_unknown_channel(user):
    with pytest.raises(IntegrityError), transaction.atomic():
        Factor.objects.create(kind="sms", user=user, number="+12015550123", channel="whatsapp")


@pytest.mark.django_db
def test_one_device_per_user(user):
    Factor.objects.create(kind="sms", channel="sms", user=user, number="+12015550123")
    with pytest.raises(IntegrityError), transaction.atomic():
        Factor.objects.create(kind="sms", channel="sms", user=user, number="+12015550124")


@pytest.mark.django_db
def test_a_valid_device_is_stored_in_e164(user):
    device = Factor.objects.create(kind="sms", user=user, number="+442079460958", channel="call")
    device.refresh_from_db()
    assert str(device.number) == "+442079460958"


def test_mask_number_keeps_the_country_code_and_last_four_digits():
    from phonenumber_field.phonenumber import to_python

    assert mask_number(to_python("+12015550123")) == "+1 ••• ••• 0123"
    assert mask_number(to_python("+442079460958")) == "+44 ••• ••• 0958"
    assert mask_number("") == ""
    # Strings too (the backends log E.164 strings).
    assert mask_number("+442079460958") == "+44 ••• ••• 0958"


@pytest.mark.django_db
def test_a_confirmed_number_belongs_to_one_account(user_factory):
    first, second = user_factory(), user_factory()
    Factor.objects.create(
        kind="sms", channel="sms", user=first, number="+12015550123", confirmed_at=timezone.now()
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Factor.objects.create(
            kind="sms",
            channel="sms",
            user=second,
            number="+12015550123",
            confirmed_at=timezone.now(),
        )
    # Unconfirmed rows don't count (none are stored today, but the rule is about
    # confirmed numbers).
    Factor.objects.create(kind="sms", channel="sms", user=second, number="+12015550123")


def test_the_model_knows_the_channels_the_backends_have():
    from twofactor.factors.sms.backends import Channel
    from twofactor.models import CHANNELS

    assert [value for value, _label in CHANNELS] == [c.value for c in Channel]
