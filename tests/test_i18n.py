"""The English catalogue: complete, compiled, faithful to its placeholders, and used on every
kind of page once a visitor switches language. Chinese stays the default."""

import ast
import gettext
import re
import shutil
import struct
import subprocess
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from cases.models import CaseStatus, EditionStatus, MembershipRole, UnitLevel
from judging.models import PanelRole, RoundStatus
from tests.factories import (
    make_assignment,
    make_award,
    make_case,
    make_category,
    make_edition,
    make_judge,
    make_member,
    make_organiser,
    make_panel,
    make_programme,
    make_region,
    make_round,
    make_tier,
    make_unit,
)

CATALOGUE = settings.BASE_DIR / "locale" / "en" / "LC_MESSAGES"
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
# The language switch names each language in itself.
LANGUAGE_AUTONYMS = {"简体中文"}


# --- The .po file, read without gettext tools ---------------------------------------------
@dataclass
class Entry:
    msgid: str = ""
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: dict = field(default_factory=dict)
    flags: set = field(default_factory=set)
    obsolete: bool = False


def read_po(path):
    entries, entry, key = [], Entry(), None
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if not line.strip():
            if key is not None or entry.obsolete:
                entries.append(entry)
            entry, key = Entry(), None
        elif line.startswith("#~"):
            entry.obsolete = True
        elif line.startswith("#,"):
            entry.flags |= {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            value = ast.literal_eval(line)
            if isinstance(key, int):
                entry.msgstr[key] += value
            else:
                setattr(entry, key, getattr(entry, key) + value)
        else:
            keyword, value = line.split(" ", 1)
            value = ast.literal_eval(value)
            if keyword.startswith("msgstr"):
                key = int(keyword[7:-1]) if "[" in keyword else 0
                entry.msgstr[key] = value
            else:
                key = keyword
                setattr(entry, key, value)
    header, *messages = entries
    assert header.msgid == "", "the catalogue starts with its header"
    return header, messages


@pytest.fixture(scope="module")
def catalogue():
    return read_po(CATALOGUE / "django.po")


def label(entry):
    return f"{entry.msgctxt}|{entry.msgid}" if entry.msgctxt else entry.msgid


PLACEHOLDER = re.compile(r"%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[sdifr]|%[sdifr]|\{\w*\}")


def placeholders(text):
    return Counter(PLACEHOLDER.findall(text.replace("%%", "")))


def assert_compiled_matches(mo_path, messages):
    """Every message of the .po reads back from the .mo with the same translation, and the .mo
    holds nothing else (header + messages)."""
    data = mo_path.read_bytes()
    magic, _revision, count = struct.unpack("<3I", data[:12])
    assert magic == 0x950412DE, f"{mo_path} is not a little-endian .mo file"
    assert count == len(messages) + 1, (
        f"{mo_path} holds {count - 1} messages, the .po {len(messages)}"
    )
    with mo_path.open("rb") as fp:
        compiled = gettext.GNUTranslations(fp)
    stale = []
    for entry in messages:
        if entry.msgid_plural is not None:
            got = (
                [
                    compiled.npgettext(entry.msgctxt, entry.msgid, entry.msgid_plural, n)
                    for n in (1, 2)
                ]
                if entry.msgctxt
                else [compiled.ngettext(entry.msgid, entry.msgid_plural, n) for n in (1, 2)]
            )
            expected = [entry.msgstr[0], entry.msgstr[1]]
        else:
            got = (
                compiled.pgettext(entry.msgctxt, entry.msgid)
                if entry.msgctxt
                else compiled.gettext(entry.msgid)
            )
            expected = entry.msgstr[0]
        if got != expected:
            stale.append(label(entry))
    assert stale == [], f"{len(stale)} messages differ between django.po and {mo_path.name}"


def test_catalogue_header_declares_english_plurals_and_utf8(catalogue):
    header, _messages = catalogue

    assert "Language: en\n" in header.msgstr[0]
    assert "Plural-Forms: nplurals=2; plural=(n != 1);\n" in header.msgstr[0]
    assert "charset=UTF-8" in header.msgstr[0]
    assert "fuzzy" not in header.flags


def test_catalogue_translates_every_message(catalogue):
    _header, messages = catalogue

    untranslated = [
        label(e)
        for e in messages
        if not e.obsolete
        and (
            not e.msgstr
            or not all(e.msgstr.values())
            or (e.msgid_plural is not None and sorted(e.msgstr) != [0, 1])
        )
    ]
    fuzzy = [label(e) for e in messages if "fuzzy" in e.flags]
    obsolete = [e for e in messages if e.obsolete]

    assert len(messages) > 1000
    assert untranslated == []
    assert fuzzy == []
    assert obsolete == []


def test_catalogue_translations_keep_every_placeholder(catalogue):
    _header, messages = catalogue

    broken = []
    for entry in messages:
        if entry.msgid_plural is None:
            pairs = [(entry.msgid, entry.msgstr[0])]
        else:
            pairs = [(entry.msgid, entry.msgstr[0]), (entry.msgid_plural, entry.msgstr[1])]
        for source, translation in pairs:
            if placeholders(source) != placeholders(translation):
                broken.append(label(entry))
            # msgfmt refuses a translation whose first or last line break differs.
            if source.startswith("\n") != translation.startswith("\n") or source.endswith(
                "\n"
            ) != translation.endswith("\n"):
                broken.append(label(entry))

    assert broken == []


def test_catalogue_translations_contain_no_chinese_but_the_quoted_import_examples(catalogue):
    # Import messages quote what a spreadsheet cell must literally contain (是/否, a region path,
    # the list separators), so those stay Chinese inside the English sentence.
    _header, messages = catalogue
    literal = re.compile(r"“[是否、]”|[\u4e00-\u9fff]+/[\u4e00-\u9fff/]+|“、”")

    chinese = [
        label(e)
        for e in messages
        if any(CJK.search(literal.sub("", text)) for text in e.msgstr.values())
    ]

    assert chinese == []


def test_compiled_catalogue_is_up_to_date_with_the_po_file(catalogue):
    _header, messages = catalogue

    assert_compiled_matches(CATALOGUE / "django.mo", messages)


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="gettext's msgfmt is not installed")
def test_catalogue_compiles_with_msgfmt_to_the_committed_catalogue(catalogue, tmp_path):
    _header, messages = catalogue
    compiled = tmp_path / "django.mo"

    result = subprocess.run(
        ["msgfmt", "--check", "-o", str(compiled), str(CATALOGUE / "django.po")],  # noqa: S607
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert_compiled_matches(compiled, messages)


# --- Pages in English ---------------------------------------------------------------------
class VisibleText(HTMLParser):
    """The text a person reads or hears: text nodes and the attributes read out or shown."""

    ATTRIBUTES = ("aria-label", "title", "placeholder", "alt", "data-text-left", "data-text-over")

    def __init__(self):
        super().__init__()
        self.parts, self.hidden = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.hidden += 1
        attrs = dict(attrs)
        self.parts += [attrs[name] for name in self.ATTRIBUTES if attrs.get(name)]

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self.hidden -= 1

    def handle_data(self, data):
        if not self.hidden and data.strip():
            self.parts.append(data.strip())


def chinese_text(html):
    parser = VisibleText()
    parser.feed(html)
    return [part for part in parser.parts if CJK.search(part) and part not in LANGUAGE_AUTONYMS]


@pytest.fixture
def world(db):
    """An English-named world, so that any Chinese on an English page is untranslated UI."""
    # 2030-03-01 09:30 UTC is 17:30 in Asia/Shanghai.
    closes = datetime(2030, 3, 1, 9, 30, tzinfo=UTC)
    region = make_region(name="Riverside")
    unit = make_unit(name="Riverside Data Bureau", region=region, level=UnitLevel.COUNTY)
    unit.verified = True
    unit.save(update_fields=["verified"])
    member = make_member(unit=unit, role=MembershipRole.ADMIN, full_name="Alex Member")
    programme = make_programme(name="Digital Governance Awards", slug="digital")

    current = make_edition(
        programme=programme, title="2030 edition", slug="2030", year=2030, closes_at=closes
    )
    category = make_category(edition=current, name="Open Government", code="OG")
    draft = make_case(
        edition=current, category=category, owner_unit=unit, title="Open budget portal"
    )
    draft.summary = "Budgets published as open data."
    draft.save()

    past = make_edition(
        programme=programme,
        title="2025 edition",
        slug="2025",
        year=2025,
        status=EditionStatus.PUBLISHED,
        results_published_at=timezone.now() - timedelta(days=30),
    )
    past_category = make_category(edition=past, name="Service Delivery", code="SD")
    best = make_tier(edition=past, name="Best Case", order=1)
    winner = make_case(
        edition=past,
        category=past_category,
        owner_unit=unit,
        status=CaseStatus.AWARDED,
        reference="2025-SD-0001",
        title="One-stop permits",
        summary="Permits in one visit.",
    )
    make_award(case=winner, tier=best, citation="A model of joined-up service.")

    reviewing = make_edition(
        programme=programme,
        title="2029 edition",
        slug="2029",
        year=2029,
        status=EditionStatus.REVIEWING,
    )
    reviewing_category = make_category(edition=reviewing, name="Smart Cities", code="SC")
    scoring = make_round(
        edition=reviewing,
        name="First round",
        status=RoundStatus.OPEN,
        closes_at=closes,
        criteria=[("Innovation", Decimal("0.5"), 10), ("Impact", Decimal("0.5"), 10)],
    )
    judge = make_judge(name="Dr Judge", title="Professor")
    make_panel(
        edition=reviewing,
        name="Panel A",
        categories=[reviewing_category],
        judges=[judge],
        role=PanelRole.MEMBER,
    )
    reviewed = make_case(
        edition=reviewing,
        category=reviewing_category,
        owner_unit=unit,
        status=CaseStatus.IN_REVIEW,
        reference="2029-SC-0001",
        title="Sensor network",
        summary="Sensors on every bridge.",
    )
    make_assignment(round=scoring, case=reviewed, judge=judge)
    organiser = make_organiser(email="organiser@example.org", full_name="Olive Organiser")
    return {
        "member": member,
        "judge": judge.user,
        "organiser": organiser,
        "draft": draft,
        "round": scoring,
        "reviewed": reviewed,
    }


def pages(world):
    """(who, url, English words the page must show) for each kind of page."""
    return [
        (None, reverse("cases:home"), ["Award archive", "1 March 2030, 17:30"]),
        (None, reverse("login"), ["Sign in", "Forgotten your password?"]),
        (None, reverse("register"), ["Register a unit account", "Unit name"]),
        (None, reverse("results:archive"), ["Search awarded cases", "1 awarded case found"]),
        (
            "member",
            reverse("portal:case-list"),
            ["Our unit’s cases", "Deadline 1 March 2030, 17:30 ("],
        ),
        (
            "member",
            reverse("portal:case-update", args=[world["draft"].pk]),
            ["Save draft", "{count} of {limit} characters, {left} left"],
        ),
        (
            "judge",
            reverse("judging:round-detail", args=[world["round"].pk]),
            ["My reviews", "Deadline: 1 March 2030, 17:30 (Beijing time)"],
        ),
        (
            "judge",
            reverse("judging:case-detail", args=[world["round"].pk, world["reviewed"].pk]),
            ["Scoring", "Max. 10 points"],
        ),
        ("organiser", reverse("admin:cases_case_changelist"), ["Select case to change"]),
        (
            "organiser",
            reverse("admin:index"),
            ["Programmes", "Cases", "Rounds", "Conflicts of interest"],
        ),
    ]


def test_pages_render_in_english_with_the_language_cookie(client, world):
    for who, url, words in pages(world):
        client.logout()  # also forgets the cookies
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        if who:
            client.force_login(world[who])
        html = client.get(url).content.decode()

        assert '<html lang="en"' in html, url
        for word in words:
            assert word in html, (url, word)
        assert chinese_text(html) == [], url


def test_chinese_is_the_default_language(client, world):
    html = client.get(reverse("cases:home")).content.decode()

    assert '<html lang="zh-hans"' in html
    assert "获奖案例库" in html
    assert "2030年3月1日 17:30" in html
    assert "Award archive" not in html


def test_set_language_switches_the_site_to_english(client, world):
    home = reverse("cases:home")

    response = client.post(reverse("set_language"), {"language": "en", "next": home})

    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    html = client.get(home).content.decode()
    assert "Award archive" in html
    assert "Sign in" in html
    assert chinese_text(html) == []


def test_browser_language_english_is_honoured(client, world):
    html = client.get(reverse("cases:home"), HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9").content
    html = html.decode()

    assert '<html lang="en"' in html
    assert "Award archive" in html
