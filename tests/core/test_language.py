"""Each language reads as its own: every page in English has no Chinese in its own words, every
page in Chinese no English words, and the catalogue's strings use each language's punctuation.

The walk opens every URL pattern (tests/fuzz fills in their parameters, and fails on a new pattern
it cannot fill), so a page added later is read in both languages without being listed here.

What is read of a page: its text (headings, labels, th, buttons, links, badges, messages, help
texts, the options of every select), the attributes people read (title, aria-label,
placeholder, alt, the value of a button, hx-confirm) and the labels and titles of the charts'
JSON data; not scripts, styles or chart settings, and not the language
switch, whose button for the other language is written in that language on purpose.

Data is not interface, and is made unable to look like a leak: before the English walk, every text
the database holds in Chinese (names of projects, units, people, user input, in the rows and their
history) is rewritten in Latin letters, and before the Chinese walk every text holding Latin
letters is rewritten in Chinese. So whatever Chinese shows on an English page, and whatever English
word on a Chinese page, came from the interface. Left as they are: stored choice values (pages must
show their labels), e-mail addresses and file names (they cannot be written in the other script;
they are removed from the page text by their exact stored value or by their shape), and the names
Django stores for permissions, which are interface text. Tests below check that the rewritten data
does show on the pages, so the rewrite hides nothing but data.
"""

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.db import models
from django.test import Client
from django.utils import translation

from apps.core.admin import permission_label
from tests.core.test_i18n import PLACEHOLDER, PO_FILES, po_id
from tests.fuzz.conftest import world  # noqa: F401  (the fixture: one row of everything)
from tests.fuzz.test_fuzz import concrete_urls, url_patterns

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]+")
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
# Latin that belongs in the Chinese interface: names of file formats and protocols, of keys on a
# keyboard and of a computer (in Django's own Chinese help for multiple selection), codes, units.
ALLOWED_LATIN = {
    *(
        "CSV",
        "XLSX",
        "csv",
        "xlsx",
        "PDF",
        "JPEG",
        "PNG",
        "WebP",
        "URL",
        "SMTP",
        "HTTP",
        "IP",
        "LDAP",
    ),
    *("Control", "Command", "Mac"),
    *("ID", "km", "m"),
}
# Addresses and links are data in any language.
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
LINK = re.compile(r"(?:https?://|/)[\w/.%?=&;:#-]*")
# "1 days", "1 targets": a count of one with a plural noun.
ONE_WITH_PLURAL = re.compile(r"(?<![\d.,])\b1\s+([a-z]*[a-rt-z]s)\b")
PLURAL_NOT_PLURAL = {"is", "was", "has", "does", "this", "status", "its", "yes", "process"}

# Commands and packages named as one types them, in the messages that tell an administrator to.
COMMANDS = ("demo_data", "manage.py load_holidays", "chinese-calendar")
# Django writes the alt text of its admin icons (yes/no/unknown, the search glass) in English
# in every language, in its code rather than its catalogue.
DJANGO_ICON = re.compile(r"/static/admin/img/(icon-yes|icon-no|icon-unknown|search)\.svg$")
# A language's name is written in that language wherever a reader picks one (the user's language).
AUTONYMS = {"简体中文", "English"}
READ_ATTRIBUTES = ("title", "aria-label", "placeholder", "alt", "hx-confirm", "data-confirm")
PUBLIC = {
    "login",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "admin:login",
}


class ReadText(HTMLParser):
    """The pieces of a page a reader reads, as (where, text)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.pieces: list[tuple[str, str]] = []
        self._skip = 0  # inside <script>, <style> or the language switch
        self._tags: list[str] = []
        self._json: str | None = None  # the data of a JSON script being read

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and attrs.get("type") == "application/json":
            self._json = ""
        if tag in ("script", "style") or (
            tag == "form" and attrs.get("data-testid") == "language-switch"
        ):
            self._skip += 1
            self._tags.append(tag)
            return
        if self._skip:
            return
        for name in READ_ATTRIBUTES:
            if name == "alt" and DJANGO_ICON.search(attrs.get("src") or ""):
                continue
            if attrs.get(name):
                self.pieces.append((f"<{tag} {name}>", attrs[name]))
        if tag == "input" and attrs.get("type") in ("submit", "button", "reset"):
            self.pieces.append((f"<{tag} value>", attrs.get("value") or ""))

    def handle_endtag(self, tag):
        if tag == "script" and self._json is not None:
            self.pieces.extend(
                ("<script json>", text) for text in chart_texts(json.loads(self._json))
            )
            self._json = None
        if self._tags and tag == self._tags[-1]:
            self._tags.pop()
            self._skip -= 1

    def handle_data(self, data):
        if self._json is not None:
            self._json += data
        if not self._skip and data.strip():
            self.pieces.append(("text", " ".join(data.split())))


def chart_texts(data) -> list[str]:
    """The words of a chart's configuration (json_script): its labels and titles, not its settings."""
    if isinstance(data, list):
        return [text for item in data for text in chart_texts(item)]
    if not isinstance(data, dict):
        return []
    texts = []
    for key, value in data.items():
        if key in ("label", "labels", "title", "text"):
            values = value if isinstance(value, list) else [value]
            texts.extend(str(item) for item in values if isinstance(item, str))
        else:
            texts.extend(chart_texts(value))
    return texts


def read(html: str) -> list[tuple[str, str]]:
    parser = ReadText()
    parser.feed(html)
    return parser.pieces


# --- The data, in the other script -------------------------------------------------------------

# Rows that are the interface's own (Django's permission names) or not text (sessions).
NOT_DATA = {Permission, ContentType, Session}


def text_fields(model):
    for field in model._meta.concrete_fields:
        if (
            isinstance(field, models.CharField | models.TextField)
            and not isinstance(field, models.EmailField | models.URLField)
            and not field.choices
            and not field.primary_key
            and field.name != "password"
        ):
            yield field


def rewrite_data(needs_rewrite: re.Pattern, word: str) -> int:
    """Rewrite every stored text that matches `needs_rewrite` as `word` and the row's id."""
    rewritten = 0
    for model in apps.get_models():
        if model in NOT_DATA or model._meta.proxy or not model._meta.managed:
            continue
        fields = list(text_fields(model))
        for row in model._base_manager.values("pk", *(field.attname for field in fields)):
            changes = {}
            for field in fields:
                value = row[field.attname]
                if value and needs_rewrite.search(value):
                    text = f"{word}{row['pk']}"
                    changes[field.attname] = text[: field.max_length] if field.max_length else text
            if changes:
                model._base_manager.filter(pk=row["pk"]).update(**changes)
                rewritten += 1
    return rewritten


def ledger_file_names() -> set[str]:
    """The ledger file's own sheet and column names, which pages quote as the file spells them."""
    from apps.ledger.resources import RESOURCES

    names = set()
    for resource_class in RESOURCES:
        resource = resource_class()
        names.add(resource.sheet_title)
        names.update(field.column_name for field in resource.get_export_fields())
    return names


def stored_file_names() -> set[str]:
    names = set()
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, models.FileField):
                names.update(
                    name
                    for name in model._base_manager.values_list(field.attname, flat=True)
                    if name
                )
    return names


# --- The walk ------------------------------------------------------------------------------------


def client_for(language: str, user=None) -> Client:
    client = Client(raise_request_exception=False)
    client.cookies["django_language"] = language
    if user is not None:
        client.force_login(user)
    return client


def pages(world, language: str):  # noqa: F811
    """(url, html) of every page of the site that answers a GET with HTML.

    The visitors sign in before the data is rewritten, as signing in records access log rows.
    """
    staff = client_for(language, world.users["staff"])
    superuser = client_for(language, world.users["superuser"])
    anonymous = client_for(language)
    if language == "en":
        assert rewrite_data(CJK, "Sample ") > 20
    else:
        assert rewrite_data(re.compile("[A-Za-z]"), "样例") > 20
    seen = set()
    for route, name in url_patterns():
        url = concrete_urls(route, name, world)[0][0]
        if url in seen:
            continue
        seen.add(url)
        if name in PUBLIC:
            client = anonymous
        elif route.startswith("admin/"):
            client = superuser
        else:
            client = staff
        response = client.get(url)
        assert response.status_code < 500, (url, response.status_code)
        if "text/html" in response.get("Content-Type", "") and response.content.strip():
            yield url, response.content.decode()


def leaks(pieces, pattern: re.Pattern, strip=(), allowed=frozenset()) -> list[tuple[str, str]]:
    found = []
    for where, text in pieces:
        if text in AUTONYMS:
            continue
        for data in strip:
            text = text.replace(data, " ")
        for command in COMMANDS:
            text = text.replace(command, " ")
        text = LINK.sub(" ", EMAIL.sub(" ", text))
        words = [word for word in pattern.findall(text) if word not in allowed]
        if words:
            found.append((where, text))
    return found


def report(found: dict) -> str:
    lines = [f"{len(found)} pages:"]
    for url, pieces in found.items():
        lines.append(url)
        lines.extend(f"    {piece}" for piece in pieces)
    return "\n".join(lines)


def test_every_page_in_english_has_no_chinese_in_its_own_words(world):  # noqa: F811
    found, read_pages, shown = {}, 0, {}
    project = world.objects["project"]
    for url, html in pages(world, "en"):
        shown[url] = html
        assert '<html lang="en"' in html or "<html" not in html, url
        read_pages += 1
        quoted = sorted(stored_file_names() | ledger_file_names(), key=len, reverse=True)
        page_leaks = leaks(read(html), CJK, strip=quoted)
        if page_leaks:
            found[url] = page_leaks
    assert read_pages > 100
    assert found == {}, report(found)
    # The rewritten data is what the pages show: the project's name, its unit's, in Latin letters.
    name, unit = f"Sample {project.pk}", f"Sample {project.responsible_unit_id}"
    assert name in shown[f"/projects/{project.pk}/"]
    assert unit in shown[f"/projects/{project.pk}/"]
    assert name in shown["/admin/projects/project/"]


def test_every_page_in_chinese_has_no_english_words_in_its_own_words(world):  # noqa: F811
    found, read_pages, shown = {}, 0, {}
    staff = world.users["staff"]
    for url, html in pages(world, "zh-hans"):
        shown[url] = html
        assert '<html lang="zh-hans"' in html or "<html" not in html, url
        read_pages += 1
        page_leaks = leaks(read(html), LATIN_WORD, strip=stored_file_names(), allowed=ALLOWED_LATIN)
        if page_leaks:
            found[url] = page_leaks
    assert read_pages > 100
    assert found == {}, report(found)
    # The rewritten data is what the pages show: the login's name, once in Latin letters.
    assert f'">样例{staff.pk}</a></th>' in shown["/admin/org/user/"]


def test_english_pages_count_one_in_the_singular(world):  # noqa: F811
    found = {}
    for url, html in pages(world, "en"):
        ones = [
            text
            for _where, text in read(html)
            for noun in ONE_WITH_PLURAL.findall(text)
            if noun not in PLURAL_NOT_PLURAL
        ]
        if ones:
            found[url] = ones
    assert found == {}, report(found)


# --- The catalogues ------------------------------------------------------------------------------

FULL_WIDTH = re.compile(r"[，。：；（）！？、【】「」《》]")
HAN = r"[\u3400-\u9fff\u3000-\u303f\uff00-\uffef]"
# An ASCII colon, comma or semicolon next to Chinese text (spaces between allowed).
ASCII_IN_CHINESE = re.compile(rf"{HAN}\s*[:,;]|[:,;]\s*{HAN}")
# A count in a Chinese string: the number, then the counter or unit that follows it.
COUNTED = re.compile(
    r"%\((count|days|days_left|days_overdue|overdue_count)\)[sd]\s*[天个条项次年月周行封名]"
)
THIRD_PARTY_ZH = Path(settings.BASE_DIR) / "locale/zh_Hans/LC_MESSAGES/django.po"


def translations(entry) -> list[str]:
    return list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]


def test_catalogue_rules_catch_what_they_are_for():
    assert FULL_WIDTH.search("Due：2024-01-01（soon）")
    assert not FULL_WIDTH.search("Due: 2024-01-01 (soon), “quoted”")
    assert ASCII_IN_CHINESE.search("到期日: %(date)s")
    assert ASCII_IN_CHINESE.search("%(a)s,计划")
    assert not ASCII_IN_CHINESE.search("到期日：%(date)s，时间 %(time)s")
    assert not ASCII_IN_CHINESE.search("seed --restore 将重建 %(count)d 条")
    assert COUNTED.search("已逾期 %(days)s 天")
    assert not COUNTED.search("%(year)s 年还没有节假日")


@pytest.mark.parametrize("path", PO_FILES, ids=po_id)
def test_english_catalogue_uses_english_punctuation(path):
    """English is written with ASCII punctuation (": ", ", ", "(...)"); curly quotes are English
    too. None of the full-width marks ，。：；（）！？、【】「」《》 may appear in a translation."""
    wrong = [
        (entry.msgid, text)
        for entry in polib.pofile(str(path))
        for text in translations(entry)
        if FULL_WIDTH.search(text)
    ]
    assert wrong == []


@pytest.mark.parametrize("path", PO_FILES, ids=po_id)
def test_chinese_source_strings_use_chinese_punctuation(path):
    """Chinese running text takes the full-width colon, comma and semicolon (：，；). The rule is
    an ASCII one directly beside a Chinese character: "到期日: %(date)s" is wrong, while ASCII
    punctuation among Latin text, numbers and placeholders ("seed --restore", "H:i", "%(a)s, %(b)s")
    is not running Chinese text and is left alone."""
    wrong = [
        text
        for entry in polib.pofile(str(path))
        for text in (entry.msgid, entry.msgid_plural)
        if text and ASCII_IN_CHINESE.search(text)
    ]
    assert wrong == []


@pytest.mark.parametrize("path", PO_FILES, ids=po_id)
def test_counted_strings_have_english_singular_and_plural(path):
    """A string that counts (a count placeholder followed by a counter: 天, 个, 条, 项 ...) is a plural
    entry, so English can say "1 day" and "2 days"; Chinese keeps its counter in both forms."""
    po = polib.pofile(str(path))
    assert po.metadata["Plural-Forms"] == "nplurals=2; plural=(n != 1);"
    singular_only = [e.msgid for e in po if not e.msgid_plural and COUNTED.search(e.msgid)]
    assert singular_only == []
    assert [e.msgid for e in po if e.msgid_plural and sorted(e.msgstr_plural) != [0, 1]] == []


def test_library_strings_catalogue_is_chinese():
    """locale/zh_Hans gives Chinese for the libraries' strings their catalogues leave in English."""
    po = polib.pofile(str(THIRD_PARTY_ZH))
    assert len(po) >= 30
    wrong = [
        (entry.msgid, entry.msgstr)
        for entry in po
        if not CJK.search(entry.msgstr)
        or entry.fuzzy
        or ASCII_IN_CHINESE.search(entry.msgstr)
        or sorted(PLACEHOLDER.findall(entry.msgid)) != sorted(PLACEHOLDER.findall(entry.msgstr))
    ]
    assert wrong == []


def test_library_strings_in_chinese_admin(client, superuser):
    client.force_login(superuser)

    html = client.get("/admin/axes/accessattempt/").content.decode()

    assert "登录尝试" in html
    assert "Access attempts" not in html


@pytest.mark.parametrize(
    ("language", "expected"),
    [("zh-hans", "重点项目 | 可修改项目节点"), ("en", "Key projects | Can change Milestone")],
)
def test_permission_label_in_reader_language(language, expected):
    permission = Permission.objects.get(codename="change_milestone")

    with translation.override(language):
        assert permission_label(permission) == expected


def test_permission_label_of_history_model_names_its_model():
    permission = Permission.objects.get(codename="view_historicalmilestone")

    with translation.override("en"):
        assert permission_label(permission) == "Key projects | Can view history of Milestone"
