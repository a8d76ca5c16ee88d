"""Authentication backend that loads the signed-in user with their person and unit in one query.

Every page reads the user's unit (permissions) and name (top bar); joining them here saves a query
on every request instead of adding one.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class UserWithPersonBackend(ModelBackend):
    def get_user(self, user_id):
        user_model = get_user_model()
        try:
            user = user_model._default_manager.select_related("person__unit").get(pk=user_id)
        except user_model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
