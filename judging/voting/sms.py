"""SMS providers for the voters' one-time codes.

`PUBLIC_VOTE_SMS_PROVIDER` names a class; the interface is one method:

    class MyProvider:
        def send_code(self, *, number: str, code: str, minutes: int) -> None:
            '''Send `code` (valid `minutes`) to the 11-digit mainland `number`, or raise
            SmsError with a message the voter may read.'''

A real provider (阿里云短信, 腾讯云短信, an operator's gateway) wraps its SDK in such a class;
the template and signature it needs are its own settings. The console provider prints the
message (number masked) and keeps it in `outbox` for the demo and the tests.
"""

import sys

from django.conf import settings
from django.utils.module_loading import import_string

from .identity import mask_mobile


class SmsError(Exception):
    pass


class ConsoleSmsProvider:
    outbox = []  # (number, text) of every message sent in this process

    def send_code(self, *, number, code, minutes):
        text = f"【治理创新案例评选】您的投票验证码是 {code},{minutes} 分钟内有效。"
        type(self).outbox.append((number, text))
        sys.stdout.write(f"[SMS to {mask_mobile(number)}] {text}\n")
        sys.stdout.flush()


def sms_provider():
    return import_string(settings.PUBLIC_VOTE_SMS_PROVIDER)()
