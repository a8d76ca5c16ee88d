"""Chinese by default, English complete: the catalogues, pages in both languages, the saved language."""

import gettext
import re
import shutil
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from apps.org.models import Person, Unit, User
from apps.safety.models import HazardStatus

pytestmark = pytest.mark.django_db

BASE_DIR = Path(settings.BASE_DIR)
# Every English catalogue: the project's, and those apps keep beside their code.
PO_FILES = sorted(
    [BASE_DIR / "locale/en/LC_MESSAGES/django.po"]
    + list(BASE_DIR.glob("apps/*/locale/en/LC_MESSAGES/django.po"))
)
# What makemessages reads, as README and the translators run it.
SOURCE_DIRS = ["apps", "templates", "zonetracker"]
IGNORE = ["tests", "var", "static/vendor", "node_modules", ".venv", "__pycache__"]
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd%]|\{\w*\}")
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
NAV_LINK = re.compile(r'<a class="nav-link[^"]*" href="[^"]*"[^>]*>([^<]*)</a>')


def po_id(path: Path) -> str:
    return str(path.relative_to(BASE_DIR))


def problems(po: polib.POFile) -> list[str]:
    untranslated = [f"untranslated: {e.msgid}" for e in po.untranslated_entries()]
    fuzzy = [f"fuzzy: {e.msgid}" for e in po.fuzzy_entries()]
    return untranslated + fuzzy


def label_text(html: str, field_id: str) -> str:
    match = re.search(rf'<label[^>]*for="{field_id}"[^>]*>([^<]*)</label>', html)
    assert match, f"no label for {field_id}"
    return match.group(1).strip()


def without_language_switch(html: str) -> str:
    """The page without the switch, whose button for Chinese is always written in Chinese."""
    return re.sub(r'<form[^>]*data-testid="language-switch".*?</form>', "", html, flags=re.S)


# The catalogues


def test_catalogues_found_project_and_app_level():
    assert BASE_DIR / "locale/en/LC_MESSAGES/django.po" in PO_FILES
    assert all(path.exists() for path in PO_FILES)


@pytest.mark.parametrize("path", PO_FILES, ids=po_id)
def test_po_file_every_entry_translated_none_fuzzy(path):
    assert problems(polib.pofile(str(path))) == []


@pytest.mark.parametrize("path", PO_FILES, ids=po_id)
def test_po_file_translations_keep_every_placeholder(path):
    mismatched = []
    for entry in polib.pofile(str(path)).translated_entries():
        translations = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
        for text in translations:
            if sorted(PLACEHOLDER.findall(entry.msgid)) != sorted(PLACEHOLDER.findall(text)):
                mismatched.append((entry.msgid, text))
    assert mismatched == []


@pytest.mark.parametrize("path", PO_FILES, ids=po_id)
def test_mo_file_matches_its_po_file(path):
    """The compiled catalogue Django loads holds exactly what the .po file says."""
    expected = {}
    for entry in polib.pofile(str(path)).translated_entries():
        key = f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt else entry.msgid
        if entry.msgid_plural:
            for index, text in entry.msgstr_plural.items():
                expected[(key, int(index))] = text
        else:
            expected[key] = entry.msgstr
    with path.with_suffix(".mo").open("rb") as mo:
        compiled = dict(gettext.GNUTranslations(mo)._catalog)
    compiled.pop("", None)  # the header

    assert compiled == expected


def test_source_strings_all_translated_after_makemessages(tmp_path, settings, monkeypatch):
    """Extract the strings of the current source, as makemessages would, into a copy of the
    catalogues: a string added without a translation shows up as untranslated or fuzzy."""
    for name in SOURCE_DIRS:
        shutil.copytree(BASE_DIR / name, tmp_path / name, ignore=shutil.ignore_patterns(*IGNORE))
    shutil.copytree(BASE_DIR / "locale", tmp_path / "locale")
    settings.LOCALE_PATHS = [tmp_path / "locale"]
    monkeypatch.chdir(tmp_path)

    call_command("makemessages", locale=["en"], ignore_patterns=IGNORE, verbosity=0)

    extracted = sorted(tmp_path.glob("**/locale/en/LC_MESSAGES/django.po"))
    assert [str(path.relative_to(tmp_path)) for path in extracted] == [
        po_id(path) for path in PO_FILES
    ]
    assert {
        str(path.relative_to(tmp_path)): problems(polib.pofile(str(path))) for path in extracted
    } == {po_id(path): [] for path in PO_FILES}


# Models


def test_model_names_and_choices_english_under_override():
    with translation.override("en"):
        assert str(Unit._meta.verbose_name) == "Responsible unit"
        assert str(Person._meta.get_field("role").verbose_name) == "Role"
        assert str(Person.Role.OFFICIAL.label) == "Leading official"
        assert str(HazardStatus.CLOSED.label) == "Verified and closed"


def test_model_names_and_choices_chinese_by_default():
    assert str(Unit._meta.verbose_name) == "责任单位"
    assert str(Person.Role.OFFICIAL.label) == "牵头领导"
    assert str(HazardStatus.CLOSED.label) == "已验收销号"


# Pages


def test_login_page_english_labels(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    html = client.get(reverse("login")).content.decode()

    assert '<html lang="en">' in html
    assert label_text(html, "id_username") == "Username"
    assert label_text(html, "id_password") == "Password"
    assert CJK.findall(without_language_switch(html)) == []


def test_login_page_chinese_labels_by_default(client):
    html = client.get(reverse("login")).content.decode()

    assert '<html lang="zh-hans">' in html
    assert label_text(html, "id_username") == "用户名"
    assert label_text(html, "id_password") == "密码"


@pytest.fixture
def english_reader(make_user):
    """A signed-in user whose own names are ASCII, so any Chinese on a page is interface text."""
    return make_user("ada", unit=Unit.objects.create(name="Unit A"))


def test_nav_english_when_language_english(client, english_reader):
    client.force_login(english_reader)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    links = NAV_LINK.findall(client.get(reverse("dashboard")).content.decode())

    assert links[0] == "Overview"
    assert [link for link in links if CJK.search(link)] == []


def test_nav_chinese_by_default(client, english_reader):
    client.force_login(english_reader)

    links = NAV_LINK.findall(client.get(reverse("dashboard")).content.decode())

    assert links[0] == "总览"


@pytest.mark.parametrize(
    "url_name",
    [
        "dashboard",
        "my_work",
        "projects:project_list",
        "projects:milestone_list",
        "goals:target_list",
        "safety:inspection_list",
        "safety:hazard_list",
        "safety:inspection_create",
    ],
)
def test_page_in_english_has_no_chinese_interface_text(client, english_reader, url_name):
    client.force_login(english_reader)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = client.get(reverse(url_name))

    assert response.status_code == 200
    assert CJK.findall(without_language_switch(response.content.decode())) == []


# The saved language


def test_set_language_signed_in_saves_choice_on_account(client, staff_a):
    client.force_login(staff_a)

    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    staff_a.refresh_from_db()
    assert staff_a.language == "en"


def test_set_language_back_to_chinese_saved(client, make_user):
    user = make_user("bo", language="en")
    client.force_login(user)

    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})

    user.refresh_from_db()
    assert user.language == "zh-hans"


def test_set_language_unoffered_language_not_saved(client, staff_a):
    client.force_login(staff_a)

    client.post(reverse("set_language"), {"language": "fr", "next": "/"})

    staff_a.refresh_from_db()
    assert staff_a.language == "zh-hans"


def test_set_language_get_request_saves_nothing(client, staff_a):
    client.force_login(staff_a)

    response = client.get(reverse("set_language"), {"language": "en", "next": "/"})

    assert response.status_code == 302
    staff_a.refresh_from_db()
    assert staff_a.language == "zh-hans"


def test_set_language_anonymous_sets_cookie_and_saves_no_user(client, staff_a):
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("login")})

    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert list(User.objects.values_list("language", flat=True)) == ["zh-hans"]


def test_login_restores_saved_language(client, make_user):
    make_user("carol", language="en")

    response = client.post(reverse("login"), {"username": "carol", "password": "pw-Zone-2023!"})

    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    html = client.get(reverse("dashboard")).content.decode()
    assert '<html lang="en">' in html


def test_login_saved_chinese_replaces_english_cookie(client, staff_a):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = client.post(reverse("login"), {"username": "staff_a", "password": "pw-Zone-2023!"})

    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "zh-hans"
    assert '<html lang="zh-hans">' in client.get(reverse("dashboard")).content.decode()


def test_login_failed_sets_no_language_cookie(client, make_user):
    make_user("dave", language="en")

    response = client.post(reverse("login"), {"username": "dave", "password": "wrong"})

    assert response.status_code == 200
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


def test_login_outside_a_request_leaves_active_language_alone(client, make_user):
    user = make_user("erin", language="en")

    with translation.override("zh-hans"):
        client.force_login(user)

        assert translation.get_language() == "zh-hans"
