"""The shell every page shares: login required, login page, language switch."""

import pytest

pytestmark = pytest.mark.django_db


def test_dashboard_anonymous_redirects_to_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/"


def test_login_page_renders_in_chinese_by_default(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert "登录" in response.content.decode()
    assert response.headers["Content-Security-Policy"].startswith("default-src 'self'")


def test_language_switch_works_before_login(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    assert response.status_code == 302
    assert response.cookies["django_language"].value == "en"


def test_dashboard_renders_for_signed_in_staff(client, staff_a):
    client.force_login(staff_a)
    response = client.get("/")
    assert response.status_code == 200
