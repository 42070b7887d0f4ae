"""The admin's autocomplete widgets, guarded against values that are not ids.

When a change form with an autocomplete field is shown again with errors, Django's widget
looks up the posted values as they came (`pk__in=["9999-99-99"]`): a value that is not a
number, or a number beyond 64 bits, raises inside the template and the page is a 500. These
subclasses drop such values first (the field's own error already says the choice is invalid).
`cases/admin/__init__.py` installs them where Django's ModelAdmin looks them up, so every
admin with `autocomplete_fields` — ours and any added later — uses them.
"""

from django.contrib.admin import options
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import ValidationError

INT64 = range(-(2**63), 2**63)


class GuardedAutocompleteMixin:
    def _is_id(self, value):
        remote = self.field.remote_field
        opts = remote.model._meta
        target = opts.get_field(getattr(remote, "field_name", None) or opts.pk.name)
        try:
            python = target.to_python(value)
        except ValidationError:
            return False
        return not isinstance(python, int) or python in INT64

    def optgroups(self, name, value, attr=None):
        return super().optgroups(name, [item for item in value if self._is_id(item)], attr)


class GuardedAutocompleteSelect(GuardedAutocompleteMixin, AutocompleteSelect):
    pass


class GuardedAutocompleteSelectMultiple(GuardedAutocompleteMixin, AutocompleteSelectMultiple):
    pass


def install():
    options.AutocompleteSelect = GuardedAutocompleteSelect
    options.AutocompleteSelectMultiple = GuardedAutocompleteSelectMultiple
