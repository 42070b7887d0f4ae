"""Static rules over the project's own code (cases/, judging/, config/, templates/), each with
an allow-list that names every permitted use and why. A new use fails here until it is
justified in the list; an entry whose use is gone fails too, so the lists stay true.

- AC-06: no `csrf_exempt` but the documented ones.
- IN-01: every ModelForm and import-export resource names its fields (no `"__all__"`, no
  exclude-only); no ModelAdmin uses `"__all__"` or exclude-only, and one that leaves the
  fields to Django's default is listed.
- IN-02: no `|safe`, `|safeseq` or `{% autoescape off %}` in templates, no `mark_safe` /
  `SafeString` in Python, and `format_html` / `format_html_join` only with a literal format.
- IN-03: no `.raw(`, `.extra(`, `RawSQL(`, and no SQL passed to `execute` / `executemany`
  built by an f-string, `%` or `.format()` (directly or through a local variable).
"""

import ast
import importlib
import pkgutil
import re
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import admin
from import_export import resources

ROOT = Path(settings.BASE_DIR)
PACKAGES = ("cases", "judging", "config")


def python_files(*, migrations=True):
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if migrations or "migrations" not in path.parts:
                yield path


def relative(path):
    return path.relative_to(ROOT).as_posix()


def enclosing_functions(tree):
    """Map each node to the name of the innermost function (or class) around it."""
    owner = {}

    def visit(node, name):
        for child in ast.iter_child_nodes(node):
            inner = child.name if isinstance(child, ast.FunctionDef | ast.ClassDef) else name
            owner[child] = inner
            visit(child, inner)

    visit(tree, "<module>")
    return owner


def check_allow_list(found, allowed):
    """`found`: keys seen in the code. Fails on a key not allowed and on a stale entry."""
    unexpected = sorted(set(found) - set(allowed))
    stale = sorted(set(allowed) - set(found))
    assert unexpected == [], f"not in the allow-list (justify it there or remove it): {unexpected}"
    assert stale == [], f"allow-list entries with no use left (remove them): {stale}"


# --- AC-06 ---------------------------------------------------------------------------------
CSRF_EXEMPT_ALLOWED = {
    ("judging/urls_public.py", 'rate_limited("language")(csrf_exempt(set_language)),'): (
        "The cached public results pages are the same for every visitor, so they carry no "
        "CSRF token; their language switch posts here. It only sets the language cookie, "
        "`next` is checked by Django's set_language (same host only), and it is rate-limited. "
        "Forging it changes nobody's data."
    ),
}


def test_ac06_csrf_exempt_only_where_documented():
    found = []
    for path in python_files():
        for line in path.read_text(encoding="utf-8").splitlines():
            stripped = line.strip()
            if "csrf_exempt" in stripped and not stripped.startswith(("import", "from")):
                found.append((relative(path), stripped))
    check_allow_list(found, CSRF_EXEMPT_ALLOWED)


def test_ac06_csrf_middleware_is_on():
    assert "django.middleware.csrf.CsrfViewMiddleware" in settings.MIDDLEWARE


# --- IN-01 ---------------------------------------------------------------------------------
def _import_everything():
    for package in PACKAGES:
        module = importlib.import_module(package)
        for info in pkgutil.walk_packages(module.__path__, f"{package}."):
            if ".migrations" not in info.name and ".tests" not in info.name:
                importlib.import_module(info.name)


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def _ours(cls):
    return cls.__module__.split(".")[0] in PACKAGES


def test_in01_every_model_form_names_its_fields():
    _import_everything()
    problems = []
    checked = 0
    for form in sorted(set(_subclasses(forms.ModelForm)), key=lambda c: c.__qualname__):
        meta = getattr(form, "Meta", None)
        if not _ours(form) or meta is None or getattr(meta, "model", None) is None:
            continue  # a mixin or a form whose Meta the admin builds from its fieldsets
        checked += 1
        fields = getattr(meta, "fields", None)
        if fields == forms.ALL_FIELDS:
            problems.append(f"{form.__module__}.{form.__qualname__}: fields = '__all__'")
        elif fields is None:
            problems.append(f"{form.__module__}.{form.__qualname__}: exclude-only, no fields")
    assert problems == []
    assert checked >= 10  # the walk found the project's forms


def test_in01_every_import_export_resource_names_its_fields():
    _import_everything()
    problems = []
    checked = 0
    for resource in set(_subclasses(resources.ModelResource)):
        if not _ours(resource) or resource._meta.model is None:
            continue
        checked += 1
        if not resource._meta.fields:
            problems.append(f"{resource.__module__}.{resource.__qualname__}: no explicit fields")
    assert problems == []
    assert checked >= 4


# Admins that leave the form to Django's default (every editable model field): each is a
# back-office page reached only with the model's change permission, over a model whose
# every editable field is organiser data. A new admin must name its fields or be listed here.
ADMIN_DEFAULT_FIELDS_ALLOWED = {
    "cases.admin.editions.AwardTierAdmin",
    "cases.admin.editions.CategoryAdmin",
    "cases.admin.editions.ProgrammeAdmin",
    "cases.admin.submissions.CaseLeadUnitAdmin",
    "cases.admin.submissions.MediaCoverageAdmin",
    "cases.admin.submissions.ReferenceCounterAdmin",
    "cases.admin.units.RegionAdmin",
    "cases.admin.units.UnitAdmin",
    "cases.admin.units.UnitMembershipAdmin",
    "judging.admin.results.RoundEntryAdmin",
    "judging.heat.admin.HeatItemAdmin",
    "judging.heat.admin.HeatPeriodAdmin",
    "judging.heat.admin.HeatSeriesAdmin",
    "judging.heat.admin.OutletAdmin",
    "judging.voting.admin.PublicVoteAdmin",
}


def test_in01_no_model_admin_uses_all_fields_or_exclude_only():
    problems, default_fields = [], []
    for model_admin in admin.site._registry.values():
        cls = type(model_admin)
        if not _ours(cls):
            continue
        name = f"{cls.__module__}.{cls.__qualname__}"
        if model_admin.fields == forms.ALL_FIELDS:
            problems.append(f"{name}: fields = '__all__'")
        if model_admin.exclude and not (model_admin.fields or model_admin.fieldsets):
            problems.append(f"{name}: exclude-only")
        form_meta = getattr(model_admin.form, "Meta", None)
        if getattr(form_meta, "fields", None) == forms.ALL_FIELDS:
            problems.append(f"{name}: its form has fields = '__all__'")
        if not (model_admin.fields or model_admin.fieldsets) and form_meta is None:
            default_fields.append(name)
    assert problems == []
    check_allow_list(default_fields, ADMIN_DEFAULT_FIELDS_ALLOWED)


# --- IN-02 ---------------------------------------------------------------------------------
TEMPLATE_UNSAFE = re.compile(r"\{\{[^}]*\|\s*safe(?:seq)?\b[^}]*\}\}|\{%\s*autoescape\s+off\s*%\}")
TEMPLATE_UNSAFE_ALLOWED = {
    ("templates/judging/invitation_accept.html", "{{ field.help_text|safe }}"): (
        "The help text of Django's SetPasswordForm: the password validators' HTML list, "
        "written by us and Django, never user data."
    ),
    ("templates/admin/import_export/export.html", "{{ field.field.help_text|safe }}"): (
        "django-import-export's own export template (overridden for the layout): help texts "
        "of its export form fields, written by developers."
    ),
    ("templates/registration/password_reset_email.html", "{% autoescape off %}"): (
        "A plain-text e-mail body (Django's own password reset template does the same): "
        "HTML escaping would corrupt the link and the address in a text/plain message."
    ),
}
MARK_SAFE_ALLOWED = {
    ("cases/resources/base.py", "StyleFreeDiff"): (
        "The import preview's diff: a constant line-break marker (SafeString) joined by "
        "format_html_join, which escapes every piece of the compared text."
    ),
    ("judging/templatetags/content_html.py", "sanitized"): (
        "An article body, passed through judging.content.sanitize (nh3, an allow-list of tags "
        "and attributes; scripts, event handlers and javascript: URLs are removed)."
    ),
    ("cases/admin/base.py", "checkbox"): (
        "The change list's row checkbox (QuickActionCheckboxMixin.action_checkboxes): fixed "
        "markup around the object's text and primary key, both passed through "
        "django.utils.html.escape (format_html's steps, written out)."
    ),
    ("cases/admin/changelist.py", "_markup"): (
        "A change-list cell: fixed tags and class attributes around a value that "
        "conditional_escape escaped and a link whose URL was escaped (RowPlan.cells)."
    ),
    ("judging/content/search.py", "highlight"): (
        "A search snippet escaped with django.utils.html.escape before <mark> is put around "
        "the (also escaped) terms."
    ),
}


def test_in02_templates_mark_nothing_safe_but_the_allow_list():
    found = []
    for path in sorted((ROOT / "templates").rglob("*")):
        if path.suffix in (".html", ".txt"):
            for match in TEMPLATE_UNSAFE.finditer(path.read_text(encoding="utf-8")):
                # `.txt` templates are plain-text mail subjects and bodies (text/plain: nothing
                # in them is parsed as HTML), where escaping would corrupt names and links.
                if path.suffix == ".txt" and "autoescape" in match.group(0):
                    continue
                found.append((relative(path), match.group(0)))
    for package in PACKAGES:  # app templates, if any
        for path in sorted((ROOT / package).rglob("templates/**/*.html")):
            for match in TEMPLATE_UNSAFE.finditer(path.read_text(encoding="utf-8")):
                found.append((relative(path), match.group(0)))
    check_allow_list(found, TEMPLATE_UNSAFE_ALLOWED)


def _is_literal_format(node):
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return True
    # a translated literal: _("…"), gettext("…"), gettext_lazy("…")
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in {"_", "gettext", "gettext_lazy", "pgettext"}
        and all(isinstance(a, ast.Constant) for a in node.args)
    )


def _called_name(call):
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)


def test_in02_python_marks_nothing_safe_but_the_allow_list():
    marked, bad_formats = [], []
    for path in python_files(migrations=False):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        owner = enclosing_functions(tree)
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = _called_name(node)
            if name in {"mark_safe", "SafeString", "SafeText"}:
                marked.append((relative(path), owner[node]))
            elif name == "format_html" and not (node.args and _is_literal_format(node.args[0])):
                bad_formats.append(f"{relative(path)}:{node.lineno} format_html")
            elif name == "format_html_join" and not (
                len(node.args) > 1 and _is_literal_format(node.args[1])
            ):
                bad_formats.append(f"{relative(path)}:{node.lineno} format_html_join")
    assert bad_formats == [], "format_html needs a literal format; pass values as arguments"
    check_allow_list(marked, MARK_SAFE_ALLOWED)


# --- IN-03 ---------------------------------------------------------------------------------
SQL_ALLOWED = {
    ("cases/services/backup.py", "table_row_counts"): (
        "SELECT COUNT(*) FROM a table name taken from the installed models and quoted with "
        "connection.ops.quote_name; no value is formatted in."
    ),
    ("cases/selectors.py", "results_visible_edition_id"): (
        "The press-day embargo check: identifiers from the models' _meta, quoted; the slugs, "
        "statuses and time are parameters (%s)."
    ),
    ("cases/bulk.py", "insert_rows"): (
        "A multi-row INSERT, or on PostgreSQL a COPY … FROM STDIN: table and column names from "
        "_meta, quoted; one %s placeholder per value, values as parameters (COPY: rows sent "
        "as data, never as SQL)."
    ),
    ("judging/migrations/0012_round_data_version.py", "backward"): (
        "DROP TRIGGER / DROP FUNCTION of the migration's own trigger and function names, "
        "constants of the migration; no value from outside."
    ),
    ("judging/services/tabulation.py", "_write_scores"): (
        "UPDATE … FROM (VALUES …): table and column names from _meta, quoted; %s placeholders "
        "only, scores and ranks as parameters."
    ),
}


def _is_formatted(node):
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
        return True
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _is_formatted(node.left) or _is_formatted(node.right)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        return node.func.attr == "format" or _is_formatted(node.func.value)
    return False


def _sql_problems(tree):
    owner = enclosing_functions(tree)
    # local names bound to a formatted string, per function
    formatted_names = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and _is_formatted(node.value):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    formatted_names.setdefault(owner[node], set()).add(target.id)
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = _called_name(node)
        if name in {"raw", "extra"} and isinstance(node.func, ast.Attribute):
            yield owner[node], f".{name}("
        elif name == "RawSQL":
            yield owner[node], "RawSQL("
        elif name in {"execute", "executemany"} and node.args:
            sql = node.args[0]
            if _is_formatted(sql):
                yield owner[node], f"{name}(formatted SQL)"
            elif isinstance(sql, ast.BinOp) and isinstance(sql.left, ast.Name):
                if sql.left.id in formatted_names.get(owner[node], ()):
                    yield owner[node], f"{name}({sql.left.id} + …)"
            elif isinstance(sql, ast.Name) and sql.id in formatted_names.get(owner[node], ()):
                yield owner[node], f"{name}({sql.id})"


def test_in03_no_sql_built_by_string_formatting():
    found = []
    for path in python_files():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        found.extend((relative(path), function) for function, _ in _sql_problems(tree))
    check_allow_list(found, SQL_ALLOWED)


def test_in03_the_rule_catches_what_it_forbids():
    source = """
def a(qs, cursor, value):
    qs.raw("SELECT 1")
    qs.extra(where=["x"])
    RawSQL("y", [])
    cursor.execute(f"SELECT {value}")
    cursor.execute("SELECT %s" % value)
    cursor.execute("SELECT {}".format(value))
    sql = f"SELECT {value}"
    cursor.execute(sql)
    cursor.executemany(sql + " x", [])
    cursor.execute("SELECT %s", [value])
"""
    kinds = [kind for _, kind in _sql_problems(ast.parse(source))]
    assert sorted(kinds) == sorted(
        [
            ".raw(",
            ".extra(",
            "RawSQL(",
            "execute(formatted SQL)",
            "execute(formatted SQL)",
            "execute(formatted SQL)",
            "execute(sql)",
            "executemany(sql + …)",
        ]
    )
