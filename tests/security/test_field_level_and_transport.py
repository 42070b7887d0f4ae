"""AC-03: what a unit (the applicant) sees of its own case never includes the judges' scores,
comments or names while the programme has not published them; DATA-01 and CFG-01: the
production settings force TLS (HTTPS redirect, HSTS ≥ 1 year with subdomains, secure cookies)
and refuse to start without a secret key."""

import subprocess
import sys

import pytest
from django.urls import reverse

from judging.services.reviews import review_save
from tests.judging import workspace_scenario

SECRET_COMMENT = "评语:此案例数据支撑不足-机密"


def production(*names, env=None):
    code = (
        "import os;os.environ['DJANGO_SETTINGS_MODULE']='config.settings';"
        "from django.conf import settings;"
        f"print(*[repr(getattr(settings, n)) for n in {list(names)!r}], sep='|')"
    )
    base = {"DEBUG": "0", "SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "a.example.org"}
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={"PATH": "/usr/bin:/bin", **base, **(env or {})},
        capture_output=True,
        text=True,
        check=False,
    )
    return result


@pytest.mark.django_db
def test_the_applicant_never_sees_scores_comments_or_reviewer_names(client):
    s = workspace_scenario.build()
    criteria = list(s.round.criteria.order_by("order"))
    review_save(
        assignment=s.assignment,
        values={c.pk: "7.5" for c in criteria},
        comment=SECRET_COMMENT,
        submit=True,
        expected_version=0,
        by=s.judge.user,
    )
    client.force_login(s.users["member"])
    pages = [
        reverse("portal:case-list"),
        reverse("portal:case-detail", args=[s.case.pk]),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        text = response.content.decode()
        assert s.case.title in text
        for secret in (SECRET_COMMENT, s.judge.name, "7.5", "75.0000"):
            assert secret not in text, (url, secret)


def test_production_forces_https_hsts_for_a_year_with_subdomains_and_secure_cookies():
    result = production(
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SECURE_PROXY_SSL_HEADER",
        "DEBUG",
    )
    assert result.returncode == 0, result.stderr
    values = result.stdout.strip().split("|")
    assert values[0] == "True"
    assert int(values[1]) >= 365 * 24 * 3600
    assert values[2:5] == ["True", "True", "True"]
    assert values[5] == "('HTTP_X_FORWARDED_PROTO', 'https')"
    assert values[6] == "False"


def test_production_refuses_to_start_without_a_secret_key():
    result = production("SECRET_KEY", env={"SECRET_KEY": ""})
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_the_ci_runs_the_deploy_checks_with_production_settings():
    from pathlib import Path

    ci = (Path(__file__).resolve().parents[2] / ".ci" / "run").read_text()
    assert "DEBUG=0" in ci and "check --deploy --fail-level WARNING" in ci
