"""UP-04: case files are stored under random names outside anything the web server serves, and
go out only through permission-checked views as downloads. Every file of the URL-matrix world
(case attachments, verification evidence, vote images, article files and images) is 404 at
MEDIA_URL + its stored path, with DEBUG off and on; each download view answers
`Content-Disposition: attachment` and `X-Content-Type-Options: nosniff` to a user who may read
it and 404 (or the login page) to one who may not. The full role × URL answer of every
download is in tests/security/test_url_matrix.py; the web server side (no media location) in
tests/security/test_uploads_limits.py."""

from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.urls import reverse

from cases.models import Attachment
from judging.content.models import ArticleAttachment, ArticleImage
from judging.models import VerificationEvidence
from tests.security.url_world import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_world()


def stored_names():
    names = []
    for model in (Attachment, VerificationEvidence, ArticleAttachment, ArticleImage):
        names += [name for name in model.objects.values_list("file", flat=True) if name]
    return names


def as_user(user):
    client = Client(raise_request_exception=False)
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.parametrize("debug", [False, True])
def test_no_stored_file_is_reachable_by_its_media_path(world, debug):
    names = stored_names()
    client = as_user(world.users["superuser"])
    assert len(names) >= 6

    with override_settings(DEBUG=debug):
        answers = {
            prefix + name: client.get(prefix + name).status_code
            for name in names
            for prefix in (settings.MEDIA_URL, "/media/", "/")
        }

    assert set(answers.values()) == {404}, answers


def test_files_are_stored_under_random_names_outside_the_static_folders(world):
    media = Path(settings.MEDIA_ROOT).resolve()
    served = [Path(settings.STATIC_ROOT), *map(Path, settings.STATICFILES_DIRS)]

    for attachment in Attachment.objects.all():
        assert attachment.original_name not in attachment.file.name
        assert Path(attachment.file.path).resolve().is_relative_to(media)
    for folder in served:
        folder = folder.resolve()
        assert not media.is_relative_to(folder) and not folder.is_relative_to(media)
    assert settings.MEDIA_URL not in ("/", settings.STATIC_URL)


def downloads(world):
    o = world.objects
    in_round = {"round_pk": o["round"].pk, "case_pk": o["case"].pk}
    return [
        # (url, a user who may read it, users who may not)
        (
            reverse("portal:attachment-download", args=[o["attachment"].pk]),
            "member",
            ["other_unit", "judge", "staff_no_perms"],
        ),
        (
            reverse(
                "judging:attachment-download",
                kwargs={**in_round, "attachment_pk": o["attachment"].pk},
            ),
            "judge",
            ["other_judge", "conflicted_judge", "member", "staff_no_perms"],
        ),
        (
            reverse("judging:evidence-download", args=[o["evidence"].pk]),
            "judge",
            ["other_judge", "member", "staff_no_perms"],
        ),
        (reverse("content:attachment-download", args=[o["article_attachment"].pk]), None, []),
    ]


def test_downloads_are_attachments_with_nosniff(world):
    for url, reader, _ in downloads(world):
        response = as_user(world.users.get(reader)).get(url)

        assert response.status_code == 200, url
        assert response["Content-Disposition"].startswith("attachment;"), url
        assert response["X-Content-Type-Options"] == "nosniff", url
        assert "html" not in response["Content-Type"], url


def test_downloads_refuse_who_may_not_read_them(world):
    refused = {}
    for url, _, others in downloads(world):
        for role in [*others, "anonymous"] if others else []:
            response = as_user(world.users[role]).get(url)
            if role == "anonymous":
                ok = response.status_code == 302 and "/login/" in response["Location"]
            else:
                ok = response.status_code in (403, 404)
            if not ok or "Content-Disposition" in response:
                refused[f"{url} as {role}"] = response.status_code

    assert refused == {}
