"""The shipped groups (DESIGN.md §6, SECURITY.md AC-01): group name → its permissions as
`app_label.codename`. `cases.services.roles.sync_roles` makes the database match this table
(on every `migrate`, and with `manage.py sync_roles`).

Organiser power comes only from these permissions, never from `is_staff`: staff status just
opens the back office. A branch that adds a model or a custom permission adds it here, to
each group that should hold it; `tests/cases/test_roles.py` fails for a permission of
`cases` or `judging` that 组织方管理员 neither holds nor is refused on purpose.
"""

ORGANISER_ADMIN = "组织方管理员"
REVIEW_SECRETARY = "评审秘书"
OBSERVER = "只读观察员"
AUDITOR = "审计管理员"
SECURITY_ADMIN = "安全管理员"

CRUD = ("view", "add", "change", "delete")


def model_perms(app_label, model, actions=CRUD):
    return [f"{app_label}.{action}_{model}" for action in actions]


def _all(app_label, models, actions=CRUD):
    return [perm for model in models for perm in model_perms(app_label, model, actions)]


CASES_MODELS = (
    "user",
    "programme",
    "edition",
    "category",
    "awardtier",
    "region",
    "unit",
    "unitmembership",
    "case",
    "caseleadunit",
    "mediacoverage",
    "attachment",
    "caseversion",
    "referencecounter",
    "usersession",
    "quarantinedfile",
    "personaldatarequest",
)
JUDGING_MODELS = (
    "judge",
    "panel",
    "panelmembership",
    "round",
    "criterion",
    "conflict",
    "assignment",
    "review",
    "criterionscore",
    "verification",
    "verificationevidence",
    "vote",
    "votethreshold",
    "roundentry",
    "award",
    "objection",
    "screeningcase",
    "editioncommentary",
    "roundexport",
)
HEAT_MODELS = (
    "heatseries",
    "heatperiod",
    "heatlist",
    "heatitem",
    "outlet",
    "heatcoverage",
    "mentioncount",
    "heatresult",
)
VOTING_MODELS = ("publicvotesettings", "voter", "voterchallenge", "publicvote", "publicvotetally")
CONTENT_MODELS = (
    "article",
    "articleversion",
    "articleattachment",
    "articleimage",
    "menuitem",
    "searchdocument",
)
CUSTOM_ORGANISER_PERMS = (
    "cases.unlock_user",
    "cases.reset_second_factor",
    "judging.publish_heatperiod",
    "judging.open_publicvote",
    "judging.void_publicvote",
    "judging.submit_article",
    "judging.approve_article",
    "judging.publish_article",
    "judging.withdraw_article",
    "judging.preview_article",
)
EDITOR = "内容编辑"

# Exports of 联系人/联系电话/联系邮箱 (cases) and judges' e-mail addresses.
EXPORT_PERSONAL_DATA = "cases.export_personal_data"
VIEW_TALLY = "judging.view_tally"
VIEW_AUDIT = "cases.view_auditentry"

# Nobody holds these: the audit trail is append-only (LOG-02), for superusers too in the admin.
REFUSED_TO_EVERYONE = ("cases.add_auditentry", "cases.change_auditentry", "cases.delete_auditentry")

ROLES = {
    # Everything of an edition: every permission of cases and judging but editing the audit.
    ORGANISER_ADMIN: [
        *_all("cases", CASES_MODELS),
        *_all("judging", JUDGING_MODELS),
        *_all("judging", HEAT_MODELS + VOTING_MODELS + CONTENT_MODELS),
        *CUSTOM_ORGANISER_PERMS,
        "axes.view_accessattempt",
        "axes.delete_accessattempt",
        "axes.view_accessfailurelog",
        "axes.view_accesslog",
        EXPORT_PERSONAL_DATA,
        VIEW_TALLY,
        VIEW_AUDIT,
    ],
    # Set-up, screening, assignment, progress and reminders; no awards, no publication, no
    # exports of personal data, no accounts.
    REVIEW_SECRETARY: [
        *_all(
            "cases",
            ("programme", "edition", "awardtier", "region", "unit", "case", "caseleadunit"),
            ("view",),
        ),
        *_all("cases", ("mediacoverage", "attachment", "caseversion"), ("view",)),
        *model_perms("cases", "category", ("view", "add", "change")),
        *_all("judging", ("judge", "panel", "panelmembership", "criterion", "conflict")),
        *_all("judging", ("assignment",)),
        *model_perms("judging", "round", ("view", "add", "change")),
        *model_perms("judging", "screeningcase", ("view", "change")),
        *_all(
            "judging",
            ("review", "criterionscore", "verification", "verificationevidence", "vote"),
            ("view",),
        ),
        *_all("judging", ("votethreshold", "roundentry"), ("view",)),
        # Heat lists: data work but not publication.
        *_all(
            "judging",
            ("heatlist", "heatitem", "outlet", "heatcoverage", "mentioncount"),
            ("view", "add", "change"),
        ),
        *_all("judging", ("heatseries", "heatperiod", "heatresult"), ("view",)),
        *_all("judging", ("publicvotesettings", "publicvote"), ("view",)),
        *model_perms("judging", "publicvotesettings", ("add", "change")),
    ],
    # Writes articles and pages and submits them for review; approving and publishing are
    # 组织方管理员's (judging.content's workflow).
    EDITOR: [
        *model_perms("judging", "article", ("view", "add", "change")),
        "judging.submit_article",
        *_all("judging", ("articleattachment", "articleimage")),
        *_all("cases", ("programme", "edition"), ("view",)),
    ],
    # Reads everything of an edition; no exports of personal data, no accounts, no audit.
    OBSERVER: [
        *_all(
            "cases",
            [m for m in CASES_MODELS if m not in ("user", "personaldatarequest")],
            ("view",),
        ),
        *_all("judging", JUDGING_MODELS, ("view",)),
        *_all("judging", HEAT_MODELS + ("publicvotesettings", "publicvote"), ("view",)),
        *model_perms("judging", "article", ("view",)),
        VIEW_TALLY,
    ],
    # The audit trail, read-only, and nothing else.
    AUDITOR: [VIEW_AUDIT],
    # [L3] 三权分立: accounts, groups, lockout and second-factor resets; no case data.
    SECURITY_ADMIN: [
        *model_perms("cases", "user", ("view", "add", "change")),
        *model_perms("auth", "group", ("view", "add", "change")),
        "auth.view_permission",
        "cases.unlock_user",
        "cases.reset_second_factor",
        "axes.view_accessattempt",
        "axes.delete_accessattempt",
    ],
}
