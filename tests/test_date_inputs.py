"""Every date and date-time input renders its stored value in the one format a browser's
native picker accepts (issue 13: 核实日期 came back empty on a reopened verification form)."""

import datetime
import re

import pytest
from django import forms
from django.utils import translation

from cases.forms.case import MediaCoverageForm
from cases.widgets import NativeDateInput, NativeDateTimeInput
from judging.forms import awards as award_forms
from judging.forms.workspace import VerificationForm
from judging.models import RoundKind
from tests.factories import make_edition, make_round

pytestmark = pytest.mark.django_db


def _value(html, name):
    return re.search(rf'name="{name}"[^>]*value="([^"]*)"|value="([^"]*)"[^>]*name="{name}"', html)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_verification_date_comes_back_on_the_reopened_form(language):
    round_ = make_round(edition=make_edition(), kind=RoundKind.VERIFICATION)
    form = VerificationForm(
        round=round_, initial={"visited_on": datetime.date(2026, 12, 2), "version": 0}
    )
    with translation.override(language):
        html = str(form["visited_on"])
    assert 'type="date"' in html
    assert 'value="2026-12-02"' in html


def test_media_coverage_date_round_trips():
    form = MediaCoverageForm(initial={"published_on": datetime.date(2026, 3, 9)})
    with translation.override("zh-hans"):
        assert 'value="2026-03-09"' in str(form["published_on"])


def test_every_date_input_of_the_project_uses_an_iso_format():
    """Each form field that takes a date or date-time, in every form module, renders ISO."""
    modules = [award_forms]
    import cases.forms.accounts
    import cases.forms.case
    import judging.forms.workspace

    modules += [cases.forms.accounts, cases.forms.case, judging.forms.workspace]
    checked = 0
    for module in modules:
        for value in vars(module).values():
            if not (isinstance(value, type) and issubclass(value, forms.BaseForm)):
                continue
            for name, field in value.base_fields.items():
                if isinstance(field, forms.DateTimeField):
                    assert isinstance(field.widget, NativeDateTimeInput), (value, name)
                    checked += 1
                elif isinstance(field, forms.DateField):
                    assert isinstance(field.widget, NativeDateInput), (value, name)
                    checked += 1
    assert checked >= 3
    moment = datetime.datetime(2026, 12, 3, 9, 30)
    with translation.override("zh-hans"):
        assert 'value="2026-12-03T09:30"' in NativeDateTimeInput().render("x", moment)
