"""The user's language: saved on the account when they switch, brought back when they sign in.

LocaleMiddleware reads the language from the cookie only (Django dropped the session key in 4.0),
so a sign-in restores the saved language by setting that cookie on the sign-in's response.
"""

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.views.i18n import LANGUAGE_QUERY_PARAMETER
from django.views.i18n import set_language as django_set_language

# Set on the request by the user_logged_in receiver, read by LoginLanguageMiddleware.
LOGIN_LANGUAGE_ATTR = "_language_after_login"


def is_offered(language: str | None) -> bool:
    return language in dict(settings.LANGUAGES)


@login_not_required
def set_language(request):
    """Django's set_language; a signed-in user's choice is also saved for emails and next sign-in."""
    response = django_set_language(request)
    language = request.POST.get(LANGUAGE_QUERY_PARAMETER) if request.method == "POST" else None
    user = request.user
    if is_offered(language) and user.is_authenticated and user.language != language:
        user.language = language
        user.save(update_fields=["language"])
    return response


def activate_saved_language(sender, request, user, **kwargs) -> None:
    """user_logged_in receiver: have the response switch to the language saved on the account."""
    language = getattr(user, "language", None)
    if request is None or not is_offered(language):
        return
    # Only marked here: the sign-in answers with a redirect, and the next request reads the
    # cookie. Activating now would also leak into callers without a request cycle (force_login).
    setattr(request, LOGIN_LANGUAGE_ATTR, language)


class LoginLanguageMiddleware:
    """Sets the language cookie on the response to a sign-in, as set_language would."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        language = getattr(request, LOGIN_LANGUAGE_ATTR, None)
        if language:
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                language,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                path=settings.LANGUAGE_COOKIE_PATH,
                domain=settings.LANGUAGE_COOKIE_DOMAIN,
                secure=settings.LANGUAGE_COOKIE_SECURE,
                httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            )
        return response
