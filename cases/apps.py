from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "cases"
    verbose_name = _("评选与案例")

    def ready(self):
        from .account_security import receivers  # noqa: F401
        from .audit import signals
        from .encryption import checks  # noqa: F401

        signals.connect()
        from .lookups import register

        register()
        from .uploads import cleanup

        cleanup.connect()
        from .services.roles import sync_roles_after_migrate

        post_migrate.connect(sync_roles_after_migrate, dispatch_uid="cases.sync_roles")
