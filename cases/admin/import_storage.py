"""Where an import file waits between the preview and the confirmation, and how the
confirmation names it.

django-import-export writes the uploaded file to a temporary storage at the preview, puts the
file's name in a hidden field, and reads (then deletes) whatever that field names when the
organiser confirms. Its default storage joins the name to the system's temporary folder, so a
forged field could read and delete another file there. Here:

- `TokenMediaStorage` names each file with a random token and refuses any other name before
  touching a storage: no path, no separator, nothing it did not generate. Files live in the
  default storage (private media, or the S3 bucket), so the confirmation works on any app
  server.
- The hidden field carries the token signed together with the user and the model
  (`SignedConfirmImportForm`): another organiser's token, a token of another import page or
  an edited one is refused with a message, and nothing is read.
"""

import re
import secrets

from django import forms
from django.core import signing
from django.utils.translation import gettext_lazy as _
from import_export.forms import ConfirmImportForm
from import_export.tmp_storages import MediaStorage

TOKEN = re.compile(r"[0-9a-f]{32}")
SIGNING_SALT = "cases.import-confirm"
CONFIRM_MAX_AGE = 6 * 60 * 60  # seconds between the preview and the confirmation


class InvalidImportFileName(ValueError):
    pass


class TokenMediaStorage(MediaStorage):
    def __init__(self, **kwargs):
        kwargs.setdefault("MEDIA_FOLDER", "import-pending")
        super().__init__(**kwargs)
        if self.name is not None and not TOKEN.fullmatch(self.name):
            raise InvalidImportFileName(self.name)

    def save(self, data):
        if not self.name:
            self.name = secrets.token_hex(16)
        super().save(data)


def sign_import_file_name(name, *, user, model_label):
    return signing.dumps({"name": name, "user": user.pk, "model": model_label}, salt=SIGNING_SALT)


class SignedConfirmImportForm(ConfirmImportForm):
    refused = _("导入文件已失效或不属于本次导入,请重新上传文件。")

    def __init__(self, *args, user, model_label, format_count, resource_count, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.model_label = model_label
        self.format_count = format_count
        self.resource_count = resource_count

    def clean_import_file_name(self):
        try:
            payload = signing.loads(
                self.cleaned_data["import_file_name"], salt=SIGNING_SALT, max_age=CONFIRM_MAX_AGE
            )
        except signing.BadSignature as error:
            raise forms.ValidationError(self.refused) from error
        if (
            not isinstance(payload, dict)
            or payload.get("user") != self.user.pk
            or payload.get("model") != self.model_label
            or not TOKEN.fullmatch(str(payload.get("name", "")))
        ):
            raise forms.ValidationError(self.refused)
        return payload["name"]

    def _index(self, value, count, *, required):
        if not value and not required:
            return value
        if not (value.isascii() and value.isdigit() and len(value) < 4) or int(value) >= count:
            raise forms.ValidationError(self.refused)
        return value

    def clean_format(self):
        return self._index(self.cleaned_data["format"], self.format_count, required=True)

    def clean_resource(self):
        return self._index(self.cleaned_data["resource"], self.resource_count, required=False)
