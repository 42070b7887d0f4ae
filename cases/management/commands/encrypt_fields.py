"""Encrypt the phone numbers at rest (DATA-02): report, encrypt what is still plain text,
re-encrypt with a new first key after a rotation, or print a new key."""

from django.core.management.base import BaseCommand, CommandError

from cases.encryption import cipher, new_key
from cases.encryption.stored import count, encrypted_fields, reencrypt


class Command(BaseCommand):
    help = (
        "Encrypt the stored phone numbers with the first of FIELD_ENCRYPTION_KEYS "
        "(plain values and values under an older key); --check only reports."
    )

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="report, change nothing")
        parser.add_argument("--new-key", action="store_true", help="print a new Fernet key")

    def handle(self, *args, check=False, **options):
        if options.get("new_key"):
            self.stdout.write(new_key())
            return
        fields = encrypted_fields()
        if check:
            counts = [count(model, field) for model, field in fields]
            for counted in counts:
                self.stdout.write(str(counted))
            plain_left = sum(counted.plain for counted in counts)
            if cipher() is not None and plain_left:
                raise CommandError(f"{plain_left} values are not encrypted", returncode=1)
            return
        if cipher() is None:
            raise CommandError("FIELD_ENCRYPTION_KEYS is not set: nothing to encrypt with.")
        for model, field in fields:
            written = reencrypt(model, field)
            self.stdout.write(f"{model._meta.label}.{field.name}: {written} rows written")
