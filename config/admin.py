"""The back office's admin site: Django's, with its app list (the navigation sidebar of every
admin page, and the index) worked out once per set of permissions instead of on every
request."""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.urls import get_script_prefix
from django.utils.translation import get_language

APP_LISTS_KEPT = 256


class BackofficeAdminSite(admin.AdminSite):
    """The app list depends on the registry and the URLs (fixed once the process runs), the
    language, and the user's permissions: our admins' has_*_permission are Django's, or a
    constant (tests/cases/test_admin.py checks the list is Django's). Built from a permission
    check and two reverse() for each of fifty models, it was a tenth of a case list page; it
    is kept per process, keyed by all of that, so a changed permission is a new key."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._app_lists = {}

    def get_app_list(self, request, app_label=None):
        user = request.user
        # An active superuser has every permission without reading them (two queries).
        everything = user.is_active and user.is_superuser
        key = (
            app_label,
            get_language(),
            get_script_prefix(),
            user.pk,
            user.is_active,
            user.is_superuser,
            None if everything else frozenset(user.get_all_permissions()),
        )
        app_list = self._app_lists.get(key)
        if app_list is None:
            if len(self._app_lists) >= APP_LISTS_KEPT:
                self._app_lists.clear()
            app_list = self._app_lists[key] = super().get_app_list(request, app_label)
        # Copies: a caller may sort or change what it is given.
        return [{**app, "models": [dict(model) for model in app["models"]]} for app in app_list]


class BackofficeAdminConfig(AdminConfig):
    default_site = "config.admin.BackofficeAdminSite"
