"""The strict Content-Security-Policy in a real browser (SECURITY.md CFG-02, issues 9 and 11):
headless Chromium logs in as each role — anonymous visitor, unit member, judge, panel chair,
organiser — and opens the pages of that role, using their scripts (typing into the case form,
the score form and the article editor, pasting from Word). On every page the browser must
report no CSP violation at all, and the answer must carry the policy's strict directives.

Violations are collected two ways: a `securitypolicyviolation` listener installed before any
page script (its directive, blocked URI and source are kept on `window`), and Chromium's
console messages mentioning "Content Security Policy" (which also report what is refused
before a listener could run, such as an inline <style> in the HTML). The pages come from the
URL × role matrix's world and rules (tests/security/url_world.py, url_rules.py), so a new page
of a role is checked here as soon as it has its rule."""

import re

import pytest
from django.contrib import admin
from django.urls import reverse
from playwright.sync_api import expect

from tests.security.url_matrix_kwargs import url_kwargs
from tests.security.url_rules import RULES
from tests.security.url_world import build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pass-1234-word"  # tests.factories.make_user's default

# Answers that are not HTML pages (files, feeds, images, JSON): nothing to render.
NOT_PAGES = {
    "content:attachment-download",
    "content:image",
    "content:programme-atom",
    "content:programme-rss",
    "django.contrib.sitemaps.views.sitemap",
    "health",
    "judging:attachment-download",
    "judging:certificate-download",
    "judging:evidence-download",
    "my-data-export",
    "portal:attachment-download",
    "portal:case-receipt-pdf",
    "voting:case-image",
}
STRICT = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "frame-ancestors": "'none'",
}

LISTENER = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (event) => {
  window.__cspViolations.push(
    `${event.violatedDirective} blocked ${event.blockedURI || '(inline)'}`
    + ` at ${event.sourceFile || event.documentURI}:${event.lineNumber}:${event.columnNumber}`
    + (event.sample ? ` "${event.sample}"` : ''));
}, true);
"""

# What Word puts on the clipboard: a <style> of its own, style="" everywhere, a file:/// image.
WORD_HTML = (
    '<html xmlns:o="urn:schemas-microsoft-com:office:office"><head><meta charset=utf-8>'
    '<link rel=File-List href="file:///C:/Users/a/AppData/Local/Temp/msohtmlclip1/filelist.xml">'
    "<style><!-- p.MsoNormal {margin:0cm; font-family:等线;} --></style></head><body>"
    '<h1 style="font-family:黑体">关于开展案例征集的通知</h1>'
    '<p class=MsoNormal><span style="font-family:仿宋;color:red"><b>各有关单位:</b></span></p>'
    "<p class=MsoNormal><span style='font-weight:bold;font-family:仿宋'>截止时间</span>为月底。"
    '<img width=20 height=20 src="file:///C:/Users/a/AppData/Local/Temp/clip_image001.png"></p>'
    "<ol><li class=MsoListParagraph>申报材料</li><li>推荐意见</li></ol>"
    '<table class=MsoTableGrid border=1><tr><td style="width:3cm"><b>类别</b></td>'
    "<td>名额</td></tr><tr><td>政府治理</td><td>10</td></tr></table></body></html>"
)
PASTE = """([html]) => {
  const target = document.querySelector('.tiptap.ProseMirror');
  target.focus();
  const data = new DataTransfer();
  data.setData('text/html', html);
  data.setData('text/plain', '关于开展案例征集的通知');
  target.dispatchEvent(new ClipboardEvent('paste', {clipboardData: data, bubbles: true,
                                                     cancelable: true}));
}"""


class CspWatch:
    """Opens pages in one browser tab and keeps, per page, what the browser refused."""

    def __init__(self, page):
        self.page = page
        self.console = []
        self.found = {}
        self.visited = []
        page.add_init_script(LISTENER)
        page.on("console", self._console)

    def _console(self, message):
        if "Content Security Policy" in message.text:
            self.console.append(message.text)

    def visit(self, path, *, expect_status=200):
        response = self.page.goto(path)
        assert response is not None, path
        assert response.status == expect_status, f"{path}: {response.status}"
        self.page.wait_for_load_state("networkidle")
        self.check(path, response)
        return response

    def check(self, label, response=None):
        """Record what the current page refused so far (and its header, given the answer)."""
        self.page.wait_for_timeout(50)  # violation events are queued as tasks
        problems = self.page.evaluate("window.__cspViolations || []") + self.console
        self.console = []
        if response is not None:
            problems += header_problems(response)
        if problems:
            self.found.setdefault(label, []).extend(problems)
        self.visited.append(label)


def header_problems(response):
    directives = {}
    policy = response.headers.get("content-security-policy", "")
    for part in policy.split(";"):
        name, _, value = part.strip().partition(" ")
        directives[name] = value.strip()
    return [
        f"header {name} is {directives.get(name)!r}, not {value!r}"
        for name, value in STRICT.items()
        if directives.get(name) != value
    ]


def answer(name, role):
    rule = RULES[name]
    return rule.get(role, rule["*"])


def role_pages(world, role):
    """The HTML pages (outside the back office) that `role` may open. For a signed-in role,
    those an anonymous visitor sees too are left to the anonymous sweep, but for the home."""
    names = [
        name
        for name in sorted(RULES)
        if name not in NOT_PAGES
        and answer(name, role) == 200
        and (role == "anonymous" or answer(name, "anonymous") != 200)
    ]
    paths = [reverse(name, kwargs=url_kwargs(name, world)) for name in names]
    return paths if role == "anonymous" else ["/", *paths]


def log_in(page, user, *, at="/accounts/login/"):
    page.goto(at)
    page.get_by_label("电子邮箱").fill(user.email)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state("networkidle")
    assert "/login/" not in page.url, f"{user.email} was not logged in"


def assert_clean(watch, *, at_least):
    assert len(watch.visited) >= at_least, watch.visited
    assert watch.found == {}, "\n".join(
        f"{page}: {problem}" for page, problems in watch.found.items() for problem in problems
    )


@pytest.fixture
def world():
    return build_world()


def test_public_pages_raise_no_csp_violation(page, world):
    watch = CspWatch(page)
    programme, published = world["programme"], world["published"]
    for path in role_pages(world, "anonymous"):
        watch.visit(path)
    for path in [
        reverse("content:search") + "?q=数字政府",
        reverse("results:archive") + "?q=治理",
        reverse(
            "results:edition-results",
            kwargs={"programme_slug": programme.slug, "edition_slug": published.slug},
        ),
    ]:
        watch.visit(path)
    watch.visit("/no-such-page/", expect_status=404)
    # A failed log-in, with its error message.
    watch.visit(reverse("login"))
    page.get_by_label("电子邮箱").fill(world.users["member"].email)
    page.get_by_label("密码").fill("not-the-password")
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state("networkidle")
    assert "/login/" in page.url
    watch.check("login (failed)")
    # The registration and password-reset forms, with their captcha, submitted empty.
    watch.visit(reverse("register"))
    page.get_by_role("button", name=re.compile("注册")).click()
    page.wait_for_load_state("networkidle")
    watch.check("register (errors)")
    assert_clean(watch, at_least=30)


def test_unit_member_pages_and_case_form_raise_no_csp_violation(page, world):
    watch = CspWatch(page)
    log_in(page, world.users["member"])
    watch.check("login → portal")
    for path in role_pages(world, "member"):
        watch.visit(path)
    # The case form in its two steps: category and title, then the full form with its scripts
    # (live character counters, the formsets' add buttons), typed into.
    watch.visit(reverse("portal:case-create", kwargs=url_kwargs("portal:case-create", world)))
    category = world["open_edition"].categories.first()
    page.get_by_label("案例类别").select_option(label=category.name)
    page.get_by_label("案例名称").fill("数字政府改革建设案例")
    page.get_by_role("button", name="创建案例草稿").click()
    page.wait_for_url(re.compile(r"/portal/cases/\d+/"))
    page.wait_for_load_state("networkidle")
    watch.check("case form (full)")
    assert page.locator("textarea").count() >= 3, page.url
    for textarea in page.locator("textarea").all()[:3]:
        textarea.fill("案例简介" * 30)
    for button in page.locator("[data-formset-add]").all():
        if button.is_visible() and button.is_enabled():
            button.click()
    watch.check("case form (typed, rows added)")
    assert_clean(watch, at_least=12)


@pytest.mark.parametrize("role", ["judge", "chair"])
def test_judge_workspace_and_score_form_raise_no_csp_violation(page, world, role):
    watch = CspWatch(page)
    log_in(page, world.users[role], at="/accounts/login/?next=/judging/")
    watch.check("login → workspace")
    for path in role_pages(world, role):
        watch.visit(path)
    if role != "judge":
        assert_clean(watch, at_least=10)
        return
    # The score form: type a score and a comment, as the workspace's script watches them.
    watch.visit(reverse("judging:case-detail", kwargs=url_kwargs("judging:case-detail", world)))
    page.get_by_role("spinbutton").first.fill("8")
    page.get_by_role("textbox").first.fill("案例创新性强,成效明显。")
    watch.check("score form (typed)")
    assert_clean(watch, at_least=12)


def _admin_pages(world, user):
    """The back office as the organiser sees it: the index and the indexes of its apps, every
    change list it may view, a change form of every such model with a row in the world, and
    the custom pages (import/export, award workflow, results, round control). Then the add
    forms of the models it may add to, which a read-only admin still refuses (403)."""
    registry = admin.site._registry
    app_labels = sorted(
        {m._meta.app_label for m in registry if user.has_module_perms(m._meta.app_label)}
    )
    pages = ["/admin/", *(f"/admin/{app}/" for app in app_labels)]
    add_forms = []
    for model in registry:
        opts = model._meta
        base = f"/admin/{opts.app_label}/{opts.model_name}/"
        if user.has_perm(f"{opts.app_label}.view_{opts.model_name}"):
            pages.append(base)
            obj = model._default_manager.order_by("pk").first()
            if obj is not None:
                pages.append(f"{base}{obj.pk}/change/")
        if user.has_perm(f"{opts.app_label}.add_{opts.model_name}"):
            add_forms.append(f"{base}add/")
    round_pk, edition = world["round"].pk, world["published"]
    pages += [
        "/admin/cases/case/import/",
        "/admin/cases/case/export/",
        "/admin/cases/unit/import/",
        "/admin/cases/unit/export/",
        "/admin/judging/judge/import/",
        "/admin/judging/award/export/",
        "/admin/judging/award/workflow/",
        f"/admin/judging/award/{world['award'].pk}/amend/",
        "/admin/judging/article/draft-from-data/",
        "/admin/judging/roundentry/results/",
        f"/admin/judging/roundentry/round/{round_pk}/ranking/",
        f"/admin/judging/roundentry/round/{round_pk}/calibration/",
        f"/admin/judging/roundentry/round/{round_pk}/exports/",
        f"/admin/judging/roundentry/round/{round_pk}/advancement/",
        f"/admin/judging/round/{round_pk}/progress/judges/",
        f"/admin/judging/round/{round_pk}/progress/cases/",
        f"/admin/judging/round/{round_pk}/conflicts/",
        f"/admin/judging/publicvote/report/{world['vote_round'].pk}/",
        f"/admin/cases/edition/{edition.pk}/clone/",
    ]
    return pages, add_forms


def test_back_office_raises_no_csp_violation(page, world, monkeypatch):
    # One change list without an action bar, where Django writes its inline <style>.
    from cases.models import Region

    monkeypatch.setattr(admin.site._registry[Region], "actions_on_top", False)
    organiser = world.users["organiser"]
    watch = CspWatch(page)
    watch.visit("/admin/login/")
    log_in(page, organiser, at="/admin/login/")
    watch.check("admin login → index")
    pages, add_forms = _admin_pages(world, organiser)
    for path in pages:
        watch.visit(path)
    refused = []
    for path in add_forms:
        response = page.goto(path)
        if response.status == 403:  # a read-only admin (audit trail, versions, files)
            refused.append(path)
            continue
        assert response.status == 200, path
        page.wait_for_load_state("networkidle")
        watch.check(path, response)
    # Change lists with an action bar, without actions (read-only admins) and without the
    # action bar were all among them.
    assert {"/admin/cases/case/", "/admin/cases/auditentry/", "/admin/cases/region/"} <= set(
        watch.visited
    )
    for path in role_pages(world, "organiser"):
        watch.visit(path)
    assert_clean(watch, at_least=120)
    assert len(refused) < len(add_forms) / 2, refused


def test_article_editor_edits_under_the_policy(page, world):
    from judging.content.models import Article

    watch = CspWatch(page)
    log_in(page, world.users["organiser"], at="/admin/login/")
    watch.visit("/admin/judging/article/add/")
    page.get_by_label("评选活动").select_option(label=str(world["programme"]))
    page.get_by_label("栏目").select_option(label="通知公告")
    page.get_by_label("标题").fill("案例征集通知")
    page.get_by_label("网址标识").fill("csp-editor")
    editor = page.locator(".tiptap.ProseMirror")
    expect(editor).to_be_visible()

    def menu(title):
        return page.locator(f".prose-menubar [title='{title}']")

    # Tiptap's base rules come from our static file, not from an injected <style>.
    assert page.locator("style").count() == 0
    assert editor.evaluate("e => getComputedStyle(e).whiteSpace") in {"break-spaces", "pre-wrap"}
    # Typing, with the editor's dialog, input rules and menu: a link, a heading, a bullet
    # list, an ordered list.
    editor.click()
    page.keyboard.type("详见官网")
    page.keyboard.press("Shift+Home")
    menu("insert link").click()
    page.get_by_label("URL").fill("https://example.org/call")
    page.locator("dialog[open] button[type=submit]").first.click()
    expect(editor.locator("a[href='https://example.org/call']")).to_have_text("详见官网")
    expect(page.locator("dialog[open]")).to_have_count(0)
    editor.focus()
    page.keyboard.press("End")
    page.wait_for_function("() => getSelection().isCollapsed")
    page.wait_for_timeout(300)  # ProseMirror reads the moved selection on `selectionchange`
    page.keyboard.press("Enter")
    expect(editor.locator("p")).to_have_count(2)
    expect(editor.locator("a[href='https://example.org/call']")).to_have_text("详见官网")
    page.keyboard.type("## 申报要求\n")
    page.keyboard.type("- 材料真实\n材料完整\n\n")
    menu("ordered list").click()
    page.keyboard.type("填写申报书\n\n")
    expect(editor.locator("h2")).to_have_text("申报要求")
    expect(editor.locator("ul > li")).to_have_count(2)
    expect(editor.locator("ol > li")).to_have_count(1)
    watch.check("editor (typed, link and list from the menu)")
    # Pasting from Word keeps the heading (标题 1, an <h1>, becomes the editor's first level),
    # the list and the table, and drops the styling; an image of ours pasted along stays.
    image = f'<p><img src="/site/images/{world["article_image"].pk}/" alt="示意图"></p>'
    word = WORD_HTML.replace("<body>", "<body>" + image)
    word = word.replace("</body>", "<p>附件见下</p></body>")
    page.evaluate(PASTE, [word])
    expect(editor.locator("h2")).to_have_count(2)
    expect(editor.locator("table")).to_have_count(1)
    expect(editor.locator("img[alt='示意图']")).to_have_count(1)
    watch.check("editor (pasted from Word)")
    # A table from the menu, typed into.
    menu("Insert table").click()
    page.locator("dialog[open] button[type=submit]").first.click()
    expect(editor.locator("table")).to_have_count(2)
    page.keyboard.type("类别")
    expect(editor.locator("table").last.locator("td, th").first).to_have_text("类别")
    watch.check("editor (table from the menu)")
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("成功")
    watch.check("article saved")
    body = Article.objects.get(slug="csp-editor").body
    assert "<h2>申报要求</h2>" in body
    assert "<ul><li><p>材料真实</p></li><li><p>材料完整</p></li></ul>" in body
    assert "<li><p>填写申报书</p></li></ol>" in body
    assert re.search(r"<a href=\"https://example.org/call\"[^>]*>详见官网</a>", body), body
    assert "<h2>关于开展案例征集的通知</h2>" in body, body
    assert "<strong>各有关单位:</strong>" in body and body.count("<table>") == 2
    assert "<strong>截止时间</strong>为月底。" in body and "file:" not in body
    assert f'src="/site/images/{world["article_image"].pk}/"' in body
    assert "style" not in body and "仿宋" not in body
    assert_clean(watch, at_least=4)


def test_second_factor_pages_raise_no_csp_violation(page, world, settings):
    settings.MFA_REQUIRED = True
    organiser = world.users["organiser"]
    watch = CspWatch(page)
    page.goto("/accounts/login/?next=/admin/")
    page.get_by_label("电子邮箱").fill(organiser.email)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.get_by_role("heading", name="设置双因素认证").wait_for()
    page.wait_for_load_state("networkidle")
    watch.check("second factor: enrol (QR code)")
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.get(user=organiser)
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=6)
    page.get_by_label("验证器应用显示的 6 位数字").fill(f"{code:06d}")
    page.get_by_role("button", name="完成设置").click()
    page.get_by_role("heading", name="双因素认证已设置").wait_for()
    watch.check("second factor: backup codes")
    backup = page.locator(".backup-codes li").first.inner_text().strip()
    page.get_by_role("link", name="我已保存备用码,继续").click()
    page.wait_for_url(re.compile(r"/admin/$"))
    watch.check("admin index after enrolment")
    page.context.clear_cookies()
    page.goto("/accounts/login/?next=/admin/")
    page.get_by_label("电子邮箱").fill(organiser.email)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.get_by_role("heading", name="双因素认证").wait_for()
    page.wait_for_load_state("networkidle")
    watch.check("second factor: verify")
    page.get_by_label("动态口令或备用码").fill(backup)
    page.get_by_role("button", name="验证并登录").click()
    page.wait_for_url(re.compile(r"/admin/$"))
    watch.check("admin index after the backup code")
    assert_clean(watch, at_least=5)


def test_import_preview_and_confirmation_raise_no_csp_violation(page, world, tmp_path):
    """The two steps of a back-office import: upload (one good file, one with an error
    line), preview, confirm."""
    from cases.models import Unit
    from tests.cases.test_import_export import UNIT_HEADERS, xlsx_upload

    watch = CspWatch(page)
    log_in(page, world.users["organiser"], at="/admin/login/")
    for name, rows in [
        ("bad.xlsx", [["", "党政机关", "市州", "", "", ""]]),
        ("good.xlsx", [["潮州市人民政府", "党政机关", "市州", "", "", ""]]),
    ]:
        path = tmp_path / name
        path.write_bytes(xlsx_upload(UNIT_HEADERS, rows).read())
        watch.visit("/admin/cases/unit/import/")
        page.locator("input[type=file]").set_input_files(str(path))
        page.locator("select[name=format]").select_option(label="xlsx")
        page.locator("form input[type=submit], form button[type=submit]").last.click()
        page.wait_for_load_state("networkidle")
        watch.check(f"unit import preview ({name})")
    page.locator("input[name=import_file_name]").wait_for(state="attached")
    page.locator("form input[type=submit], form button[type=submit]").last.click()
    page.wait_for_load_state("networkidle")
    watch.check("unit import confirmed")
    assert Unit.objects.filter(name="潮州市人民政府").exists()
    assert_clean(watch, at_least=5)


def test_admin_widgets_in_use_raise_no_csp_violation(page, world):
    """What a change-form page only runs on use: the autocomplete (select2) dropdown, the
    date picker's calendar and the inline formsets' "add another" rows."""
    watch = CspWatch(page)
    log_in(page, world.users["organiser"], at="/admin/login/")
    unit = world["winner_unit"]
    watch.visit(f"/admin/cases/unit/{unit.pk}/change/")
    page.locator(".select2-selection").first.click()
    page.locator(".select2-search__field").fill("广东")
    expect(page.locator(".select2-results__option").first).to_contain_text("广东")
    watch.check("unit form: autocomplete dropdown")
    watch.visit(f"/admin/cases/edition/{world['open_edition'].pk}/change/")
    page.locator(".datetimeshortcuts a[id^='calendarlink']").first.click()
    expect(page.locator(".calendarbox").first).to_be_visible()
    watch.check("edition form: calendar")
    add_rows = page.locator(".add-row a")
    expect(add_rows.first).to_be_visible()
    for index in range(add_rows.count()):
        add_rows.nth(index).click()
    watch.check("edition form: inline rows added")
    watch.visit("/admin/judging/article/add/")
    page.locator(".add-row a").first.click()
    watch.check("article form: attachment row added")
    assert_clean(watch, at_least=5)
