"""Admin: each user's factors and trusted browsers on their page (never a
secret) and as their own list, a two-factor column and filter on the user
list, "Reset two-factor authentication" (every factor, recovery codes and
trusted browsers), and the "Text message attempts" page (what codes cost, by
country)."""

from functools import partial

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.auth import get_user_model
from django.db.models import Prefetch
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.admin import UserAdmin
from twofactor import factors, flows
from twofactor.factors.sms.admin_views import attempts_view
from twofactor.models import SECOND_FACTOR_KINDS, Factor, TrustedBrowser

User = get_user_model()


def describe(factor: Factor) -> str:
    """What staff may see of a factor: a masked number, "app", how many
    recovery codes are left. Never a secret."""
    return str(factors.get(factor.kind).describe(factor))


class TwoFactorFilter(admin.SimpleListFilter):
    title = _("two-factor")
    parameter_name = "twofactor"

    def lookups(self, request, model_admin):
        return [("on", _("On")), ("off", _("Off"))]

    def queryset(self, request, queryset):
        on = Factor.objects.confirmed().filter(kind__in=SECOND_FACTOR_KINDS)
        if self.value() == "on":
            return queryset.filter(pk__in=on.values("user_id"))
        if self.value() == "off":
            return queryset.exclude(pk__in=on.values("user_id"))
        return queryset


class FactorInline(admin.TabularInline):
    model = Factor
    can_delete = False
    extra = 0
    fields = ("kind", "summary", "preferred", "created_at", "confirmed_at", "last_used_at")
    readonly_fields = fields
    verbose_name = _("second factor")
    verbose_name_plural = _("second factors")

    @admin.display(description=_("details"))
    def summary(self, obj):
        return describe(obj)

    def has_add_permission(self, request, obj=None):
        # A factor is saved only after its owner confirmed it with a code.
        return False


class TrustedBrowserInline(admin.TabularInline):
    """The browsers that skip the code (never the cookie's id: only its hash is
    kept, and not shown). The reset forgets them all."""

    model = TrustedBrowser
    can_delete = False
    extra = 0
    fields = ("label", "created_at", "last_used_at", "expires_at")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.action(description=_("Reset two-factor authentication"), permissions=["change"])
def reset_two_factor(modeladmin, request, queryset):
    """Remove every factor and end every session of the selected users, after a
    confirmation page (like Django's delete action)."""
    if request.POST.get("post") == "yes":
        actor = f"admin:{request.user.pk}"
        count = sum(
            1
            for user in queryset
            if flows.reset(user=user, actor=actor, request=request, staff=request.user)
        )
        if count:
            modeladmin.message_user(
                request,
                ngettext(
                    "Two-factor authentication was reset for %(count)d user; their sessions ended.",
                    "Two-factor authentication was reset for %(count)d users; their sessions "
                    "ended.",
                    count,
                )
                % {"count": count},
                messages.SUCCESS,
            )
        untouched = queryset.count() - count
        if untouched:
            modeladmin.message_user(
                request,
                ngettext(
                    "%(count)d user had nothing to reset; their sessions ended anyway.",
                    "%(count)d users had nothing to reset; their sessions ended anyway.",
                    untouched,
                )
                % {"count": untouched},
                messages.INFO,
            )
        return None
    # The user list's queryset already brings each user's confirmed factors.
    users = queryset
    return TemplateResponse(
        request,
        "admin/twofactor/reset_confirmation.html",
        {
            **modeladmin.admin_site.each_context(request),
            "title": _("Reset two-factor authentication?"),
            "users": [
                (user, [describe(f) for f in user.twofactor_factors.all()]) for user in users
            ],
            "queryset": queryset,
            "opts": modeladmin.model._meta,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "action_name": "reset_two_factor",
        },
    )


class TwoFactorUserAdmin(UserAdmin):
    inlines = [*UserAdmin.inlines, FactorInline, TrustedBrowserInline]
    list_display = (*UserAdmin.list_display, "two_factor")  # type: ignore[assignment]
    list_filter = (*UserAdmin.list_filter, TwoFactorFilter)  # type: ignore[assignment]
    actions = [reset_two_factor]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related(Prefetch("twofactor_factors", queryset=Factor.objects.confirmed()))
        )

    @admin.display(description=_("two-factor"))
    def two_factor(self, obj):
        mine = list(obj.twofactor_factors.all())
        if not any(f.is_second_factor for f in mine):
            return _("Off")
        return ", ".join(describe(f) for f in mine)


admin.site.unregister(User)
admin.site.register(User, TwoFactorUserAdmin)


@admin.register(Factor)
class FactorAdmin(admin.ModelAdmin):
    list_display = ("user", "kind", "summary", "preferred", "confirmed_at", "last_used_at")
    list_filter = ("kind",)
    search_fields = ("user__username", "user__email")
    list_select_related = ("user",)
    fields = ("user", "kind", "summary", "preferred", "confirmed_at", "last_used_at")
    readonly_fields = fields

    @admin.display(description=_("details"))
    def summary(self, obj):
        return describe(obj)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_urls(self):
        # "Text message attempts": an admin page (so the admin's staff check
        # and the gate's admin rule hold), under the factors' URLs.
        view = partial(attempts_view, admin_site=self.admin_site)
        return [
            path("attempts/", self.admin_site.admin_view(view), name="twofactor_attempts"),
            *super().get_urls(),
        ]

    def delete_model(self, request, obj):
        flows.reset(
            user=obj.user, actor=f"admin:{request.user.pk}", request=request, staff=request.user
        )

    def delete_queryset(self, request, queryset):
        for user in {factor.user for factor in queryset.select_related("user")}:
            flows.reset(
                user=user, actor=f"admin:{request.user.pk}", request=request, staff=request.user
            )


def _with_attempts_page(get_app_list):
    """The admin site's app list with "Text message attempts" in the two-factor
    app (the index and the sidebar list it like a model, view only)."""

    def app_list(request, app_label=None):
        apps = get_app_list(request, app_label)
        for app in apps:
            if app["app_label"] == Factor._meta.app_label:
                app["models"].append(
                    {
                        "name": _("Text message attempts"),
                        "object_name": "TextMessageAttempts",
                        "perms": {"view": True},
                        "admin_url": reverse("admin:twofactor_attempts"),
                        "add_url": None,
                        "view_only": True,
                    }
                )
        return apps

    return app_list


admin.site.get_app_list = _with_attempts_page(admin.site.get_app_list)  # type: ignore[method-assign]
