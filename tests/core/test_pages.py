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


def test_top_bar_names_the_person_not_the_login(client, staff_a):
    staff_a.person.name = "王芳"
    staff_a.person.save(update_fields=["name"])
    client.force_login(staff_a)

    response = client.get("/")

    assert '<span class="navbar-text me-2 py-0" data-testid="current-user">王芳</span>' in (
        response.content.decode()
    )


def test_signed_in_user_is_loaded_with_person_and_unit_in_one_query(
    staff_a, django_assert_num_queries
):
    from apps.org.backends import UserWithPersonBackend

    with django_assert_num_queries(1):
        user = UserWithPersonBackend().get_user(staff_a.pk)
        assert user.person.unit.name == "甲单位"


def test_user_without_person_still_signs_in(client, make_user):
    user = make_user("loner")
    client.force_login(user)

    response = client.get("/")

    assert response.status_code == 200
    assert 'data-testid="current-user">loner</span>' in response.content.decode()
