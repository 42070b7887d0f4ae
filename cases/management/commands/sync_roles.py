from django.core.management.base import BaseCommand, CommandError

from cases.services.roles import RolesOutOfDate, sync_roles


class Command(BaseCommand):
    help = "Create the shipped groups (组织方管理员, 评审秘书, …) with their permissions."

    def handle(self, *args, **options):
        try:
            changed = sync_roles()
        except RolesOutOfDate as error:
            raise CommandError(f"Unknown permissions in cases/roles.py: {error}") from error
        self.stdout.write(
            f"Groups updated: {', '.join(changed)}" if changed else "Groups already up to date."
        )
