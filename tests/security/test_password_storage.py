"""AUTH-07: passwords are stored as PBKDF2-SHA256 with 1,000,000 iterations (Django 5.2's
default) or Argon2, never in plain text. The suite itself hashes with MD5 for speed
(tests/conftest.py), so this test reads the hashers the settings module gives production and
registers an account through the real form with them."""

import importlib

import pytest
from django.conf import global_settings
from django.contrib.auth.hashers import identify_hasher
from django.urls import reverse

from cases.models import User
from tests.cases.test_accounts import PASSWORD, registration_data

STRONG = {
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
}


def production_hashers():
    module = importlib.import_module("config.settings")
    return list(getattr(module, "PASSWORD_HASHERS", global_settings.PASSWORD_HASHERS))


def test_the_settings_hash_new_passwords_with_pbkdf2_or_argon2():
    hashers = production_hashers()

    assert hashers[0] in STRONG
    weak = {"MD5PasswordHasher", "UnsaltedMD5PasswordHasher", "UnsaltedSHA1PasswordHasher"}
    assert not [h for h in hashers if h.rsplit(".", 1)[-1] in weak | {"CryptPasswordHasher"}]


@pytest.mark.django_db
def test_a_registered_password_is_stored_as_pbkdf2_sha256_1000000(client, settings):
    settings.PASSWORD_HASHERS = production_hashers()

    response = client.post(reverse("register"), registration_data())

    assert response.status_code == 302
    stored = User.objects.get(email="liming@example.org").password
    assert stored.startswith(("pbkdf2_sha256$1000000$", "argon2"))
    assert PASSWORD not in stored
    assert identify_hasher(stored).algorithm in ("pbkdf2_sha256", "argon2")
