"""django-simple-captcha, installed without its translation catalogue.

Its zh_Hans catalogue translates Django's own "This field is required." as "这个字段是必须的",
and app catalogues take precedence over Django's, so every form of the site would change
wording. Its own strings are not used here (our CAPTCHA field has its own messages and its
own widget template). `CaptchaConfig.path` points to this folder instead of the package's,
so Django finds no `locale/` for it; the package's management commands are listed under
`management/commands/` (Django imports them from `captcha.management.commands`)."""

from pathlib import Path

from django.apps import AppConfig


class CaptchaConfig(AppConfig):
    name = "captcha"
    label = "captcha"
    verbose_name = "CAPTCHA"
    default_auto_field = "django.db.models.AutoField"
    path = str(Path(__file__).resolve().parent)
