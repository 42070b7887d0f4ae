"""Every link in an e-mail is built from the one SITE_URL setting (issue 13)."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.test import override_settings
from django.urls import reverse

from tests.factories import make_member, make_unit

pytestmark = pytest.mark.django_db
SITE = "http://awards.example.org:8102"


@override_settings(SITE_URL=SITE + "/")
def test_password_reset_mail_links_to_site_url_not_the_request_host(client):
    member = make_member(unit=make_unit())

    client.post(reverse("password_reset"), {"email": member.email}, HTTP_HOST="testserver")

    (message,) = mail.outbox
    links = re.findall(r"https?://\S+", message.body)
    assert links and all(link.startswith(SITE + "/") for link in links)
    assert "testserver" not in message.body


def test_no_mail_template_or_mail_code_builds_a_link_from_the_request():
    root = Path(settings.BASE_DIR)
    offenders = []
    mail_templates = [*root.glob("templates/**/*email*"), *root.glob("templates/**/email/*")]
    for path in (p for p in mail_templates if p.is_file()):
        text = path.read_text(encoding="utf-8")
        if "{{ domain" in text or "{{ protocol" in text or re.search(r"https?://\w", text):
            offenders.append(str(path))
    for path in [*root.glob("cases/**/*.py"), *root.glob("judging/**/*.py")]:
        text = path.read_text(encoding="utf-8")
        if "build_absolute_uri" in text and "mail" in text:
            offenders.append(str(path))
    assert offenders == []
