"""Changing and resetting a password in the app's pages; reset mails link to SITE_URL."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from tests.factories import UserFactory
from tests.factories.org import PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-new-Passphrase-7"
LINK = re.compile(r"(https://zt\.example\.org)(/accounts/reset/[^/\s]+/[^/\s\"]+/)")


@pytest.fixture(autouse=True)
def reset_settings(settings, tmp_path):
    settings.SITE_URL = "https://zt.example.org"
    settings.CACHES = settings.CACHES | {
        settings.PASSWORD_RESET_CACHE: {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path / "throttle"),
        }
    }
    settings.PASSWORD_RESET_LIMIT_PER_EMAIL = 3
    settings.PASSWORD_RESET_LIMIT_PER_CLIENT = 10


@pytest.fixture
def alice(unit_a):
    return UserFactory(username="alice", email="alice@example.org", unit=unit_a)


def main(response) -> str:
    """The page's own content, without the tokens (CSRF, CSP nonce) that differ on every page."""
    return re.search(r"<main.*</main>", response.content.decode(), re.S).group()


def can_sign_in(username, password) -> bool:
    return get_user_model().objects.get(username=username).check_password(password)


@pytest.mark.parametrize(
    ("language", "heading"), [("zh-hans", "修改密码"), ("en", "Change password")]
)
def test_password_change_page_is_the_apps_in_each_language(client, alice, language, heading):
    client.force_login(alice)

    response = client.get(reverse("password_change"), headers={"accept-language": language})

    content = response.content.decode()
    assert response.status_code == 200
    assert f'<h1 class="h4 mb-3">{heading}</h1>' in content
    assert 'class="navbar-brand"' in content
    assert 'class="form-control' in content


def test_password_change_sets_the_new_password(client, alice):
    client.force_login(alice)

    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("password_change_done")
    assert can_sign_in("alice", NEW_PASSWORD)
    assert "您的新密码已生效" in client.get(response["Location"]).content.decode()


def test_password_change_with_a_wrong_old_password_changes_nothing(client, alice):
    client.force_login(alice)

    response = client.post(
        reverse("password_change"),
        {"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == 200
    assert can_sign_in("alice", PASSWORD)


def test_login_page_links_to_the_reset(client):
    response = client.get(reverse("login"))

    assert f'<a href="{reverse("password_reset")}">忘记密码？</a>' in response.content.decode()


def test_reset_mail_links_to_site_url_and_the_link_sets_a_new_password(client, alice):
    response = client.post(reverse("password_reset"), {"email": "alice@example.org"})

    assert response.status_code == 302
    assert response["Location"] == reverse("password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["alice@example.org"]
    assert message.subject == "【开发区重点工作】重新设置密码"
    site, link = LINK.search(message.body).groups()
    html = message.alternatives[0].content
    assert f'href="{site}{link}"' in html

    confirm = client.get(link)
    assert confirm.status_code == 302  # to the same page without the token in the address
    form = client.get(confirm["Location"])
    assert 'data-testid="password-set"' in form.content.decode()
    done = client.post(
        confirm["Location"], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert done.status_code == 302
    assert done["Location"] == reverse("password_reset_complete")
    assert can_sign_in("alice", NEW_PASSWORD)
    # The link works once.
    again = client.get(link, follow=True)
    assert 'data-testid="invalid-link"' in again.content.decode()


def test_reset_mail_ignores_the_host_the_request_named(client, alice, settings):
    settings.ALLOWED_HOSTS = ["testserver", "other.example"]

    client.post(
        reverse("password_reset"), {"email": "alice@example.org"}, headers={"host": "other.example"}
    )

    assert "other.example" not in mail.outbox[0].body
    assert LINK.search(mail.outbox[0].body) is not None


def test_reset_mail_in_english(client, alice):
    client.post(
        reverse("password_reset"),
        {"email": "alice@example.org"},
        headers={"accept-language": "en"},
    )

    message = mail.outbox[0]
    assert message.subject == "[Development zone key work] Set a new password"
    assert message.body.startswith("Hello alice,\n")
    assert LINK.search(message.body) is not None


def test_reset_for_an_unknown_address_reads_the_same_and_sends_nothing(client, alice):
    known = client.post(reverse("password_reset"), {"email": "alice@example.org"}, follow=True)
    unknown = client.post(reverse("password_reset"), {"email": "nobody@example.org"}, follow=True)

    assert len(mail.outbox) == 1
    assert unknown.redirect_chain == known.redirect_chain == [(reverse("password_reset_done"), 302)]
    assert main(unknown) == main(known)


def test_reset_requests_for_one_address_are_throttled_quietly(client, alice):
    answers = [
        client.post(reverse("password_reset"), {"email": "Alice@example.org"})["Location"]
        for _ in range(5)
    ]

    assert answers == [reverse("password_reset_done")] * 5
    assert len(mail.outbox) == 3


def test_reset_requests_from_one_client_are_throttled_across_addresses(client, unit_a, settings):
    settings.PASSWORD_RESET_LIMIT_PER_CLIENT = 4
    for n in range(6):
        UserFactory(username=f"user{n}", email=f"user{n}@example.org", unit=unit_a)

    for n in range(6):
        client.post(reverse("password_reset"), {"email": f"user{n}@example.org"})

    assert [message.to for message in mail.outbox] == [[f"user{n}@example.org"] for n in range(4)]


def test_reset_throttle_ends_after_its_window(client, alice, time_machine):
    time_machine.move_to("2025-03-13 09:00 +08:00", tick=False)
    for _ in range(4):
        client.post(reverse("password_reset"), {"email": "alice@example.org"})
    assert len(mail.outbox) == 3

    time_machine.move_to("2025-03-13 10:01 +08:00", tick=False)
    client.post(reverse("password_reset"), {"email": "alice@example.org"})

    assert len(mail.outbox) == 4
