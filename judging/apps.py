from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JudgingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "judging"
    verbose_name = _("评审与发布")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from cases.models import Edition, EditionStatus, Programme
        from cases.services import register_edition_precondition

        from .cache import edition_changed, programme_changed
        from .services.rounds import deciding_blockers

        register_edition_precondition(EditionStatus.DECIDING, deciding_blockers)
        # The public pages remember which editions are visible (judging.cache).
        post_save.connect(edition_changed, sender=Edition, dispatch_uid="visibility-edition-saved")
        post_delete.connect(
            edition_changed, sender=Edition, dispatch_uid="visibility-edition-deleted"
        )
        post_save.connect(
            programme_changed, sender=Programme, dispatch_uid="visibility-programme-saved"
        )
