from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JudgingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "judging"
    verbose_name = _("评审与发布")

    def ready(self):
        from cases.models import EditionStatus
        from cases.services import register_edition_precondition

        from .services.rounds import deciding_blockers

        register_edition_precondition(EditionStatus.DECIDING, deciding_blockers)
