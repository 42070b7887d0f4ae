"""Background tasks (Huey). Inline in the embedded default, on a worker in production."""

from django.conf import settings
from django.core.mail import get_connection
from huey.contrib.djhuey import task


@task(retries=3, retry_delay=60)
def deliver_email(message):
    """Deliver one EmailMessage with the real backend; retried if the server refuses."""
    connection = get_connection(settings.EMAIL_DELIVERY_BACKEND, fail_silently=False)
    return connection.send_messages([message])
