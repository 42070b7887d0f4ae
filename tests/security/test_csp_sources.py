"""The strict CSP (SECURITY.md CFG-02) at the source: no template of the project and none of
its own scripts writes what `script-src 'self'; style-src 'self'` refuses — an inline
<script> (one without src), a <style> element, a style="" attribute, an on…= handler
attribute or a javascript: URL — so the browser test (test_csp_browser.py) is not the only
guard. And Django's change list, which writes an inline <style> when a ModelAdmin has no
action bar, is rendered without it (templates/admin/change_list.html)."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib import admin

from cases.models import Region
from tests.factories import make_user

ROOT = Path(settings.BASE_DIR)
TEMPLATE_DIRS = [ROOT / "templates", ROOT / "judging" / "templates", ROOT / "cases" / "templates"]
SCRIPTS = ROOT / "static" / "js"

# <script> elements a browser does not run are data, which CSP does not govern.
DATA_SCRIPT = re.compile(r"""\btype\s*=\s*["']?application/(ld\+)?json""", re.I)
TAG = re.compile(r"<[a-zA-Z][^>]*>", re.S)
IN_TEMPLATES = {
    "inline <script>": lambda tag: tag.lower().startswith("<script")
    and not re.search(r"\ssrc\s*=", tag, re.I)
    and not DATA_SCRIPT.search(tag),
    "<style> element": lambda tag: re.match(r"<style\b", tag, re.I) is not None,
    "style attribute": lambda tag: re.search(r"\sstyle\s*=", tag, re.I) is not None,
    "on… handler attribute": lambda tag: re.search(r"\son[a-z]+\s*=", tag, re.I) is not None,
    "javascript: URL": lambda tag: re.search(r"=\s*[\"']?\s*javascript:", tag, re.I) is not None,
}
# In our scripts: markup or DOM calls that make an inline script, style or handler, and
# string evaluation (script-src without 'unsafe-eval' refuses it).
IN_SCRIPTS = {
    "inline <script> or <style> markup": re.compile(r"<(script|style)\b", re.I),
    "style attribute in markup": re.compile(r"<[a-z][^<>]*\sstyle\s*=", re.I),
    "handler attribute in markup": re.compile(r"<[a-z][^<>]*\son[a-z]+\s*=", re.I),
    "setAttribute of style or a handler": re.compile(
        r"""setAttribute\(\s*["'](style|on[a-z]+)["']""", re.I
    ),
    "HTML written into the page": re.compile(
        r"\.innerHTML\s*=|\.outerHTML\s*=|insertAdjacentHTML|document\.write"
    ),
    "string evaluation": re.compile(r"\beval\(|new Function\(|set(Timeout|Interval)\(\s*[\"']"),
    "javascript: URL": re.compile(r"javascript:", re.I),
}


def _templates():
    for directory in TEMPLATE_DIRS:
        if directory.is_dir():
            yield from sorted(directory.rglob("*.html"))


# What is never sent to the browser: template comments; in scripts, comments.
TEMPLATE_COMMENT = re.compile(r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}|{#.*?#}", re.S)
SCRIPT_COMMENT = re.compile(r"/\*.*?\*/|(?:^|(?<=\s))//[^\n]*", re.S | re.M)


def _without(comments, text):
    """`text` with its comments blanked out, line numbers kept."""
    return comments.sub(lambda m: re.sub(r"[^\n]", " ", m.group()), text)


def _line(text, offset):
    return text.count("\n", 0, offset) + 1


def test_templates_have_no_inline_script_style_or_handler():
    files = list(_templates())
    assert len(files) > 100  # the scan reads the project's templates
    found = []
    for path in files:
        text = _without(TEMPLATE_COMMENT, path.read_text(encoding="utf-8"))
        for match in TAG.finditer(text):
            for what, refused in IN_TEMPLATES.items():
                if refused(match.group()):
                    where = f"{path.relative_to(ROOT)}:{_line(text, match.start())}"
                    found.append(f"{where}: {what}: {match.group()[:80]}")
    assert found == []


def test_our_scripts_make_no_inline_script_style_or_handler():
    files = sorted(SCRIPTS.glob("*.js"))
    assert len(files) >= 5
    found = []
    for path in files:
        text = _without(SCRIPT_COMMENT, path.read_text(encoding="utf-8"))
        for what, pattern in IN_SCRIPTS.items():
            for match in pattern.finditer(text):
                found.append(f"{path.relative_to(ROOT)}:{_line(text, match.start())}: {what}")
    assert found == []


@pytest.mark.parametrize(
    "markup, what",
    [
        ("<script>alert(1)</script>", "inline <script>"),
        ("<style>p{}</style>", "<style> element"),
        ('<p class="a" style="color:red">', "style attribute"),
        ('<button type="button" onclick="go()">', "on… handler attribute"),
        ('<a href="javascript:go()">', "javascript: URL"),
    ],
)
def test_the_template_scan_finds_each_kind(markup, what):
    tag = TAG.search(markup).group()
    assert IN_TEMPLATES[what](tag)
    assert not any(
        refused('<script src="/static/js/a.js" defer>') for refused in IN_TEMPLATES.values()
    )
    assert not IN_TEMPLATES["inline <script>"]('<script type="application/json" id="d">')


@pytest.mark.django_db
def test_a_change_list_without_action_bar_has_no_inline_style(client, monkeypatch):
    """Django 5.2 writes `<style>#changelist table thead th:first-child {width: inherit}`
    when actions_on_top and actions_on_bottom are both off; ours links the same rule."""
    region_admin = admin.site._registry[Region]
    monkeypatch.setattr(region_admin, "actions_on_top", False)
    monkeypatch.setattr(region_admin, "actions_on_bottom", False)
    client.force_login(make_user(is_staff=True, is_superuser=True))
    response = client.get("/admin/cases/region/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<style" not in html
    assert "/static/css/admin-changelist-no-actions.css" in html
    assert "/static/admin/css/changelists.css" in html

    monkeypatch.setattr(region_admin, "actions_on_top", True)
    html = client.get("/admin/cases/region/").content.decode()
    assert "admin-changelist-no-actions.css" not in html


@pytest.mark.parametrize(
    "code, what",
    [
        ('el.innerHTML = "<p>"', "HTML written into the page"),
        ('const s = "<style>p{}</style>"', "inline <script> or <style> markup"),
        ("row = '<td style=\"width:1px\">'", "style attribute in markup"),
        ("html = '<a onclick=\"go()\">'", "handler attribute in markup"),
        ('el.setAttribute("style", "color:red")', "setAttribute of style or a handler"),
        ('setTimeout("go()", 10)', "string evaluation"),
    ],
)
def test_the_script_scan_finds_each_kind(code, what):
    assert IN_SCRIPTS[what].search(code)
    assert not any(
        pattern.search('let style = ""; el.style.width = "1px"; el.onclick = go')
        for pattern in IN_SCRIPTS.values()
    )


@pytest.mark.django_db
def test_the_import_preview_shows_its_changes_without_inline_styles(client):
    """django-import-export's preview marks each change with diff_match_patch, which writes
    `<ins style="background:…">`; ours writes bare <ins>/<del>, escaped, coloured by CSS."""
    from tests.cases.test_import_export import UNIT_HEADERS, admin_import, xlsx_upload
    from tests.factories import make_organiser

    client.force_login(make_organiser())
    upload = xlsx_upload(UNIT_HEADERS, [["<b>潮州</b>市人民政府", "党政机关", "市州", "", "", ""]])
    html = admin_import(client, "unit", upload).content.decode()
    assert "<ins>&lt;b&gt;潮州&lt;/b&gt;市人民政府</ins>" in html
    assert re.search(r"<(ins|del|td|tr)\b[^>]*\sstyle=", html) is None
    assert " style=" not in html
    assert "/static/css/admin-import-export.css" in html
