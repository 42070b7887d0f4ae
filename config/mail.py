"""An e-mail backend that hands each message to the task queue.

Code sends mail the usual Django way; delivery happens in a Huey task with
`settings.EMAIL_DELIVERY_BACKEND` — inline in the embedded default, on a worker when
TASK_QUEUE_URL points at Redis, so a slow SMTP server never holds up a request.
"""

from django.core.mail.backends.base import BaseEmailBackend


class QueuedEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        from cases.tasks import deliver_email

        count = 0
        for message in email_messages:
            message.connection = None  # connections are not picklable; the task opens its own
            deliver_email(message)
            count += 1
        return count
