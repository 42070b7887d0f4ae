"""The URL arguments of every public, portal and workspace URL, from the matrix's world."""


def url_kwargs(name, w):
    """`kwargs` for `reverse(name)`, from the world `w` (tests/security/url_world.py)."""
    o = w.objects
    programme = {"programme_slug": o["programme"].slug}
    published = {**programme, "edition_slug": o["published"].slug}
    in_round = {"round_pk": o["round"].pk, "case_pk": o["case"].pk}
    vote = {"round_pk": o["vote_round"].pk}
    table = {
        "judging:invitation-accept": {"uidb64": "MQ", "token": "set-password"},
        "judging:round-detail": {"round_pk": o["round"].pk},
        "judging:case-detail": in_round,
        "judging:attachment-download": {**in_round, "attachment_pk": o["attachment"].pk},
        "judging:recusal-create": in_round,
        "judging:vote-list": {"round_pk": o["round"].pk},
        "judging:vote-tally": {"round_pk": o["round"].pk},
        "judging:panel-overview": {"round_pk": o["round"].pk},
        "judging:evidence-download": {"pk": o["evidence"].pk},
        "judging:evidence-delete": {"pk": o["evidence"].pk},
        "judging:commentary-update": {"pk": o["award"].pk},
        "judging:publicity-list": {
            "programme": o["programme"].slug,
            "edition": o["publicity"].slug,
        },
        "judging:objection-create": {
            "programme": o["programme"].slug,
            "edition": o["publicity"].slug,
        },
        "judging:objection-received": {
            "programme": o["programme"].slug,
            "edition": o["publicity"].slug,
        },
        "judging:certificate-download": {"pk": o["award"].pk},
        "voting:ballot": vote,
        "voting:case-vote": {**vote, "case_pk": o["vote_case"].pk},
        "voting:case-image": {
            **vote,
            "case_pk": o["vote_case"].pk,
            "attachment_pk": o["vote_image"].pk,
        },
        "voting:verify": vote,
        "voting:verify-code": vote,
        "voting:results": vote,
        "captcha-image": {"key": "0" * 40},
        "captcha-image-2x": {"key": "0" * 40},
        "captcha-audio": {"key": "0" * 40},
        "email-confirm": {"token": "not-a-token"},
        "invitation-accept": {"token": "not-a-token"},
        "password_reset_confirm": {"uidb64": "MQ", "token": "set-password"},
        "portal:case-create": {"edition_id": o["open_edition"].pk},
        "portal:case-detail": {"pk": o["portal_case"].pk},
        "portal:case-update": {"pk": o["portal_case"].pk},
        "portal:case-withdraw": {"pk": o["portal_case"].pk},
        "portal:case-receipt": {"pk": o["portal_case"].pk},
        "portal:case-receipt-pdf": {"pk": o["portal_case"].pk},
        "portal:case-history": {"pk": o["portal_case"].pk},
        "portal:attachment-download": {"pk": o["attachment"].pk},
        "content:article-preview": {"token": "not-a-token"},
        "content:article-version": {"pk": o["article"].pk, "number": 1},
        "content:attachment-download": {"pk": o["article_attachment"].pk},
        "content:image": {"pk": o["article_image"].pk},
        "content:site-article-detail": {"slug": "about"},
        "content:programme-home": programme,
        "content:programme-rss": programme,
        "content:programme-atom": programme,
        "content:article-list": {**programme, "kind": "notice"},
        "content:article-detail": {**programme, "slug": o["article"].slug},
        "results:edition-results": published,
        "results:case-detail": {**published, "pk": o["winner"].pk},
        "results:edition-statistics": published,
        "results:programme-statistics": programme,
        "results:unit-history": {"pk": o["winner_unit"].pk},
        "results:region-history": {"pk": o["region"].pk},
        "results:unit-heat": {"pk": o["heat_unit"].pk},
        "cases:programme-detail": {"slug": o["programme"].slug},
        "cases:edition-detail": {"programme": o["programme"].slug, "slug": o["published"].slug},
    }
    return table.get(name, {})
