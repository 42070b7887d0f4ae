"""E-mail from the judging services: rendered from templates, sent only after the
transaction that decided it commits (a rolled-back decision never mails anybody)."""

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string


def site_url(path=""):
    return settings.SITE_URL.rstrip("/") + path


def mail_after_commit(*, template, context, to):
    """Render `<template>_subject.txt` and `<template>_body.txt` now, send after commit.

    One message per recipient, so that no address is disclosed to the others.
    """
    recipients = sorted({address.strip().lower() for address in to if address and address.strip()})
    if not recipients:
        return 0
    context = {"site_url": site_url(), **context}
    subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
    body = render_to_string(f"{template}_body.txt", context)

    def send():
        for address in recipients:
            send_mail(subject, body, None, [address])

    transaction.on_commit(send)
    return len(recipients)
