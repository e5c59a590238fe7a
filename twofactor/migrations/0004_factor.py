"""PhoneDevice becomes one kind of Factor: every confirmed number is carried
over (same number, channel, dates and token) as the user's default factor."""

import uuid

import django.db.models.deletion
import django.utils.timezone
import phonenumber_field.modelfields
from django.conf import settings
from django.db import migrations, models


def phones_to_factors(apps, schema_editor):
    PhoneDevice = apps.get_model("twofactor", "PhoneDevice")
    Factor = apps.get_model("twofactor", "Factor")
    Factor.objects.bulk_create(
        Factor(
            user_id=device.user_id,
            kind="sms",
            number=device.number,
            channel=device.channel,
            preferred=True,
            created_at=device.confirmed_at,
            confirmed_at=device.confirmed_at,
            last_used_at=device.last_used_at,
            token=device.token,
        )
        for device in PhoneDevice.objects.filter(confirmed_at__isnull=False).iterator()
    )


def factors_to_phones(apps, schema_editor):
    PhoneDevice = apps.get_model("twofactor", "PhoneDevice")
    Factor = apps.get_model("twofactor", "Factor")
    PhoneDevice.objects.bulk_create(
        PhoneDevice(
            user_id=factor.user_id,
            number=factor.number,
            channel=factor.channel,
            confirmed_at=factor.confirmed_at,
            last_used_at=factor.last_used_at,
            token=factor.token,
        )
        for factor in Factor.objects.filter(kind="sms", confirmed_at__isnull=False).iterator()
    )


class Migration(migrations.Migration):
    dependencies = [
        ("twofactor", "0003_number_one_account"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Factor",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("kind", models.CharField(choices=[("sms", "Phone (text message or call)"), ("totp", "Authenticator app"), ("recovery", "Recovery codes")], max_length=16, verbose_name="kind")),
                ("number", phonenumber_field.modelfields.PhoneNumberField(blank=True, max_length=128, null=True, region=None, verbose_name="phone number")),
                ("channel", models.CharField(blank=True, choices=[("sms", "Text message"), ("call", "Voice call")], default="", max_length=8, verbose_name="preferred channel")),
                ("data", models.JSONField(blank=True, default=dict, editable=False, verbose_name="data")),
                ("preferred", models.BooleanField(default=False, verbose_name="default")),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="created")),
                ("confirmed_at", models.DateTimeField(blank=True, null=True, verbose_name="confirmed")),
                ("last_used_at", models.DateTimeField(blank=True, null=True, verbose_name="last used")),
                ("token", models.UUIDField(default=uuid.uuid4, editable=False)),
                ("user", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="twofactor_factors", to=settings.AUTH_USER_MODEL, verbose_name="user")),
            ],
            options={
                "verbose_name": "second factor",
                "verbose_name_plural": "second factors",
                "constraints": [
                    models.CheckConstraint(condition=models.Q(("kind__in", ["sms", "totp", "recovery"])), name="twofactor_factor_kind_known"),
                    models.CheckConstraint(condition=models.Q(models.Q(("kind", "sms"), _negated=True), ("number__regex", "^\\+[1-9][0-9]{6,14}$"), _connector="OR"), name="twofactor_factor_sms_number_e164"),
                    models.CheckConstraint(condition=models.Q(models.Q(("kind", "sms"), _negated=True), ("channel__in", ["sms", "call"]), _connector="OR"), name="twofactor_factor_sms_channel_known"),
                    models.CheckConstraint(condition=models.Q(("kind", "sms"), ("number__isnull", True), _connector="OR"), name="twofactor_factor_number_only_sms"),
                    models.UniqueConstraint(condition=models.Q(("confirmed_at__isnull", False), ("kind", "sms")), fields=("number",), name="twofactor_factor_number_one_account"),
                    models.UniqueConstraint(fields=("user", "kind"), name="twofactor_factor_one_per_kind"),
                    models.UniqueConstraint(condition=models.Q(("preferred", True)), fields=("user",), name="twofactor_factor_one_default"),
                ],
            },
        ),
        migrations.RunPython(phones_to_factors, factors_to_phones),
        migrations.DeleteModel(name="PhoneDevice"),
    ]
