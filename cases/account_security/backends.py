"""The password backend of the site: Django's ModelBackend, with the user of each request
read together with the relations named in `AUTH_USER_RELATED` (the judge's profile), so
that a judge's page does not spend a second query on "is this user a judge?"."""

from django.conf import settings
from django.contrib.auth.backends import ModelBackend, UserModel


class UserBackend(ModelBackend):
    def get_user(self, user_id):
        related = tuple(getattr(settings, "AUTH_USER_RELATED", ()))
        try:
            user = UserModel._default_manager.select_related(*related).get(pk=user_id)
        except UserModel.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
