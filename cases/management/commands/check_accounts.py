from django.core.management.base import BaseCommand, CommandError

from cases.account_security.checks import DEFAULT_ACCOUNT_NAMES, default_accounts_active


class Command(BaseCommand):
    help = (
        "Fail when an active account is a default or shared one (e-mail local part "
        f"{', '.join(DEFAULT_ACCOUNT_NAMES)}): run it when deploying (AUTH-01)."
    )

    def handle(self, *args, **options):
        found = default_accounts_active()
        if found:
            raise CommandError(
                "Active default accounts: "
                + ", ".join(user.email for user in found)
                + ". Rename them to a person's address or disable them."
            )
        self.stdout.write("No active default account.")
