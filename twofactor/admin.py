"""Admin: the device on the user page and as its own list, a two-factor column
and filter on the user list, and "Reset two-factor authentication"."""

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.auth import get_user_model
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.admin import UserAdmin
from twofactor import flows
from twofactor.models import PhoneDevice

User = get_user_model()


class TwoFactorFilter(admin.SimpleListFilter):
    title = _("two-factor")
    parameter_name = "twofactor"

    def lookups(self, request, model_admin):
        return [("on", _("On")), ("off", _("Off"))]

    def queryset(self, request, queryset):
        if self.value() == "on":
            return queryset.filter(phone_device__confirmed_at__isnull=False)
        if self.value() == "off":
            return queryset.exclude(phone_device__confirmed_at__isnull=False)
        return queryset


class PhoneDeviceInline(admin.StackedInline):
    model = PhoneDevice
    can_delete = False
    extra = 0
    max_num = 1
    fields = ("masked", "channel", "confirmed_at", "last_used_at")
    readonly_fields = fields
    verbose_name = _("two-factor phone")

    @admin.display(description=_("phone number"))
    def masked(self, obj):
        return obj.masked_number

    def has_add_permission(self, request, obj=None):
        # A number is saved only after its owner confirmed it with a code.
        return False


@admin.action(description=_("Reset two-factor authentication"), permissions=["change"])
def reset_two_factor(modeladmin, request, queryset):
    """Remove the phone and end every session of the selected users, after a
    confirmation page (like Django's delete action)."""
    if request.POST.get("post") == "yes":
        count = 0
        for user in queryset:
            flows.reset(user=user, actor=f"admin:{request.user.pk}")
            count += 1
        modeladmin.message_user(
            request,
            ngettext(
                "Two-factor authentication was reset for %(count)d user; their sessions ended.",
                "Two-factor authentication was reset for %(count)d users; their sessions ended.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )
        return None
    return TemplateResponse(
        request,
        "admin/twofactor/reset_confirmation.html",
        {
            **modeladmin.admin_site.each_context(request),
            "title": _("Reset two-factor authentication?"),
            "users": queryset,
            "opts": modeladmin.model._meta,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "action_name": "reset_two_factor",
        },
    )


class TwoFactorUserAdmin(UserAdmin):
    inlines = [*UserAdmin.inlines, PhoneDeviceInline]
    list_display = (*UserAdmin.list_display, "two_factor")
    list_filter = (*UserAdmin.list_filter, TwoFactorFilter)
    actions = [*(UserAdmin.actions or []), reset_two_factor]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("phone_device")

    @admin.display(description=_("two-factor"), boolean=False)
    def two_factor(self, obj):
        device = getattr(obj, "phone_device", None)
        if device is None or not device.is_confirmed:
            return _("Off")
        return device.masked_number


admin.site.unregister(User)
admin.site.register(User, TwoFactorUserAdmin)


@admin.register(PhoneDevice)
class PhoneDeviceAdmin(admin.ModelAdmin):
    list_display = ("user", "masked", "channel", "confirmed_at", "last_used_at")
    list_filter = ("channel",)
    search_fields = ("user__username", "user__email")
    list_select_related = ("user",)
    fields = ("user", "masked", "channel", "confirmed_at", "last_used_at")
    readonly_fields = ("user", "masked", "confirmed_at", "last_used_at")

    @admin.display(description=_("phone number"))
    def masked(self, obj):
        return obj.masked_number

    def has_add_permission(self, request):
        return False

    def delete_model(self, request, obj):
        flows.reset(user=obj.user, actor=f"admin:{request.user.pk}")

    def delete_queryset(self, request, queryset):
        for device in queryset.select_related("user"):
            flows.reset(user=device.user, actor=f"admin:{request.user.pk}")
