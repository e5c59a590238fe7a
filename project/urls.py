from django.contrib import admin
from django.urls import include, path

from accounts.language import set_language
from core.dev import outbox_view

urlpatterns = [
    path("", include("accounts.urls")),
    path("", include("twofactor.urls")),
    path("admin/", admin.site.urls),
    path("language/", set_language, name="set_language"),
    path("dev/outbox/", outbox_view, name="dev_outbox"),
]

handler400 = "accounts.views.bad_request"
handler403 = "accounts.views.permission_denied"
handler404 = "accounts.views.page_not_found"
handler500 = "accounts.views.server_error"
