"""The admin: the user list and page, and the admin site named after SITE_NAME."""

from django.conf import settings
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.forms import AdminLoginForm
from accounts.models import SecurityEvent, User

# The admin's sign-in page gets the same failed sign-in limits as the site's.
admin.site.login_form = AdminLoginForm


def _site_header() -> str:
    return gettext("%(site_name)s administration") % {"site_name": settings.SITE_NAME}


# The admin's <title> and header name the site, not "Django administration"; read
# when a page is drawn, not at import, so SITE_NAME from the environment (or a
# test's settings) is the one shown.
admin.site.site_title = lazy(lambda: settings.SITE_NAME, str)()
admin.site.site_header = lazy(_site_header, str)()


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    # One name column, not two: with the navigation and the filters beside it, the
    # list (two-factor column included) fits a 1280 px screen (static/css/admin.css).
    list_display = ("username", "email", "full_name", "is_staff", "last_seen")
    list_filter = ("is_staff", "is_superuser", "is_active", "groups")
    search_fields = ("username", "email", "first_name", "last_name")
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        (_("Profile"), {"fields": ("about_me", "last_seen")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "email", "password1", "password2")}),
    )
    readonly_fields = ("last_seen", "last_login", "date_joined")

    @admin.display(description=_("name"), ordering="last_name")
    def full_name(self, obj) -> str:
        return obj.get_full_name()


@admin.register(SecurityEvent)
class SecurityEventAdmin(admin.ModelAdmin):
    """The security activity log, read-only: written by `accounts.security.record`,
    pruned by `manage.py prune_security_events`."""

    list_display = ("at", "kind", "user", "ip", "actor", "short_user_agent")
    list_filter = ("kind", ("at", admin.DateFieldListFilter), ("actor", admin.EmptyFieldListFilter))
    search_fields = ("user__username", "user__email", "ip", "actor__username")
    date_hierarchy = "at"
    list_select_related = ("user", "actor")
    fields = ("at", "kind", "user", "actor", "ip", "user_agent", "details")
    readonly_fields = fields
    list_per_page = 50

    @admin.display(description=_("user agent"))
    def short_user_agent(self, event: SecurityEvent) -> str:
        return event.user_agent[:60]

    # SECURITY: the log is evidence: nobody edits or deletes entries by hand.
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
