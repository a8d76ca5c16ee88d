"""The fuzz test's machinery: hostile values, the forms and links a page renders, raw requests
that can carry bytes no browser would send, and the findings (every server error, with its cause).

Each request runs in a savepoint that is rolled back afterwards, so every hostile value meets the
same world, a database error cannot poison the requests after it (PostgreSQL aborts the whole
transaction), and throttled logins never lock the test out.
"""

from __future__ import annotations

import copy
import io
import logging
import os
import random
import struct
import time
import traceback
import zlib
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qsl, quote, quote_from_bytes, urljoin, urlsplit

from django.conf import settings
from django.db import DatabaseError, transaction
from django.urls import Resolver404, resolve
from PIL import Image
from simple_history.models import registered_models

from tests.factories import PASSWORD

# ZONETRACKER_FUZZ_FULL=1 sends every value to every field; otherwise a seeded sample.
FULL = os.getenv("ZONETRACKER_FUZZ_FULL") == "1"
SEED = "zonetracker-fuzz"
REPO = Path(settings.BASE_DIR)


@dataclass(frozen=True)
class Upload:
    name: str | bytes
    content: bytes
    content_type: str = "application/octet-stream"


OMIT = object()  # the field is left out of the request altogether


@dataclass(frozen=True)
class Value:
    label: str
    data: object  # str, bytes (sent as is: invalid UTF-8), Upload or OMIT


def png(size=(4, 4), kind="PNG") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "red").save(buffer, kind)
    return buffer.getvalue()


def png_claiming(width: int, height: int) -> bytes:
    """A 1x1 PNG whose header claims another size (a decompression bomb, without the memory)."""
    data = bytearray(png(size=(1, 1)))
    # The IHDR chunk follows the 8-byte signature: length (4), type (4), width, height, ..., CRC.
    data[16:24] = struct.pack(">II", width, height)
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(data[12:29])))
    return bytes(data)


TWENTY_DIGITS = "9" * 20

# What every field gets, whatever it is: the values most likely to break anything.
UNIVERSAL = [
    Value("nul", "a\x00b"),
    Value("huge", "x" * 100_000),
    Value("surrogate-bytes", b"\xed\xa0\x80"),
    Value("invalid-utf8", b"\xff\xfe\xfd"),
    Value("missing", OMIT),
    Value("empty", ""),
    Value("20-digits", TWENTY_DIGITS),
    Value("1e309", "1e309"),
    Value("9999-12-31", "9999-12-31"),
    Value("word", "abc"),
]
TEXT = [
    Value("nul-only", "\x00"),
    Value("format-string", "%(x)s %s %d {0} %"),
    Value("markup", "<script>alert(1)</script>\"'&"),
    Value("emoji", "\U0001f389" * 50),
    Value("sql", "' OR 1=1 --"),
    Value("spaces", "   "),
    Value("crlf", "a\r\nb\tc"),
    Value("x256", "x" * 256),
    Value("cjk301", "长" * 301),
    Value("rtl", "\u202eevil"),
    Value("lone-surrogate-escaped", "\\ud800"),
]
NUMBER = [
    Value("inf", "inf"),
    Value("-inf", "-inf"),
    Value("nan", "nan"),
    Value("-1e309", "-1e309"),
    Value("-1", "-1"),
    Value("-2**63", str(-(2**63))),
    Value("2**63", str(2**63)),
    Value("-20-digits", "-" + TWENTY_DIGITS),
    Value("0", "0"),
    Value("1e-400", "1e-400"),
    Value("tiny", "0.00000000000000000001"),
    Value("40-digits.5", "1" + "0" * 40 + ".5"),
    Value("comma", "1,5"),
    Value("hex", "0x10"),
    Value("arabic-digits", "\u0661\u0662"),
    Value("5000-digits", "9" * 5000),
]
DATE = [
    Value("0000-00-00", "0000-00-00"),
    Value("10000-01-01", "10000-01-01"),
    Value("2023-02-30", "2023-02-30"),
    Value("0001-01-01", "0001-01-01"),
    Value("1900-01-01", "1900-01-01"),
    Value("2023-13-01", "2023-13-01"),
    Value("20-digit-year", TWENTY_DIGITS + "-01-01"),
    Value("datetime-max", "9999-12-31 23:59:59"),
    Value("slashes", "31/12/9999"),
]
TIME = [
    Value("25:61", "25:61"),
    Value("23:59:59.9999999", "23:59:59.9999999"),
    Value("-1:00", "-1:00"),
    Value("00:00", "00:00"),
]
CHOICE = [
    Value("0", "0"),
    Value("-1", "-1"),
    Value("2**63", str(2**63)),
    Value("1.5", "1.5"),
    Value("list", "[1]"),
    Value("unknown-choice", "no-such-choice"),
]
BOOLEAN = [
    Value("on", "on"),
    Value("2", "2"),
    Value("false", "false"),
]
FILE = [
    Value("not-an-image", Upload("photo.png", b"<html><script>alert(1)</script>", "image/png")),
    Value("empty-file", Upload("photo.png", b"", "image/png")),
    Value("gif", Upload("photo.gif", png(kind="GIF"), "image/gif")),
    Value("truncated-png", Upload("photo.png", png()[:40], "image/png")),
    Value("long-name", Upload("长" * 300 + ".png", png(), "image/png")),
    Value("nul-name", Upload(b"a\x00b.png", png(), "image/png")),
    Value("svg", Upload("photo.svg", b"<svg onload='alert(1)'/>", "image/svg+xml")),
    Value("huge-dimensions", Upload("bomb.png", png_claiming(100_000, 100_000), "image/png")),
]
# A formset's management form: large counts are left out, since Django then builds its
# absolute_max of forms (2,000 inline rows in the admin), which takes a minute but is no error.
MANAGEMENT_FIELDS = ("-TOTAL_FORMS", "-INITIAL_FORMS", "-MIN_NUM_FORMS", "-MAX_NUM_FORMS")
MANAGEMENT = [
    Value("nul", "a\x00b"),
    Value("huge", "x" * 100_000),
    Value("invalid-utf8", b"\xff\xfe\xfd"),
    Value("missing", OMIT),
    Value("empty", ""),
    Value("1e309", "1e309"),
    Value("-1", "-1"),
    Value("-2**63", str(-(2**63))),
    Value("5000-digits", "9" * 5000),
]
# The value a field of this kind is sampled from first: the ones known to have broken things.
PRIORITY = {
    "text": ["nul", "huge", "maxlength"],
    "number": ["20-digits", "inf", "-2**63"],
    "date": ["9999-12-31", "0001-01-01", "2023-02-30"],
    "time": ["25:61"],
    "choice": ["word", "20-digits", "other-ids"],
    "boolean": ["nul"],
    "file": ["not-an-image"],
    "hidden": ["20-digits", "nul"],
    "management": ["nul", "-1"],
}
SPECIFIC = {
    "text": TEXT,
    "number": NUMBER,
    "date": DATE,
    "time": TIME,
    "choice": CHOICE,
    "boolean": BOOLEAN,
    "file": FILE,
    "hidden": NUMBER[:8] + TEXT[:3],
    "management": MANAGEMENT,
}


def field_values(
    kind: str, key: str, *, maxlength: int | None, other_ids=(), budget: int = 2
) -> list[Value]:
    """The hostile values for one field of `kind`: all of them in full mode, else `budget` of
    them drawn with a seed from `key`, the first among the kind's priority values."""
    values = list(SPECIFIC.get(kind, TEXT))
    if kind not in ("file", "management"):
        values = UNIVERSAL + values
    if maxlength:
        values.append(Value("maxlength", "长" * maxlength))
    if kind in ("choice", "hidden"):
        values.extend(Value("other-ids", str(pk)) for pk in other_ids)
    if FULL:
        return values
    rng = random.Random(f"{SEED}:{key}")
    priority = [value for value in values if value.label in PRIORITY.get(kind, ())]
    chosen = [rng.choice(priority)] if priority else []
    rest = [value for value in values if value not in chosen]
    return chosen + rng.sample(rest, min(budget - len(chosen), len(rest)))


def sample(items: list, count: int, key: str) -> list:
    """All of `items` in full mode, else `count` of them drawn with a seed."""
    if FULL or len(items) <= count:
        return list(items)
    return random.Random(f"{SEED}:{key}").sample(items, count)


# --- Reading a rendered page ---------------------------------------------------------------


@dataclass
class Control:
    name: str
    tag: str  # input, select, textarea
    type: str = "text"
    value: str = ""
    options: list[str] = field(default_factory=list)
    selected: list[str] = field(default_factory=list)
    multiple: bool = False
    checked: bool = False
    required: bool = False
    maxlength: int | None = None
    classes: frozenset = frozenset()
    attrs: dict = field(default_factory=dict)

    @property
    def kind(self) -> str:
        """What sort of value the field takes, which decides the hostile values it gets."""
        if self.tag == "select":
            return "choice"
        if self.tag == "textarea":
            return "text"
        if self.type == "file":
            return "file"
        if self.type in ("checkbox", "radio"):
            return "boolean" if self.type == "checkbox" else "choice"
        if self.type == "hidden":
            return "management" if self.name.endswith(MANAGEMENT_FIELDS) else "hidden"
        if self.type == "date" or "vDateField" in self.classes:
            return "date"
        if self.type == "time" or "vTimeField" in self.classes:
            return "time"
        if self.type == "number" or {"vIntegerField", "vBigIntegerField"} & self.classes:
            return "number"
        if "vForeignKeyRawIdAdminField" in self.classes or "vManyToManyRawIdAdminField" in (
            self.classes
        ):
            return "choice"
        return "text"


@dataclass
class Form:
    action: str
    method: str
    multipart: bool
    attrs: dict
    controls: list[Control] = field(default_factory=list)

    def fields(self) -> list[Control]:
        """The controls a user fills in, each name once (radios and check boxes share names)."""
        seen, result = set(), []
        for control in self.controls:
            if control.type in ("submit", "button", "reset", "image") or control.name in seen:
                continue
            if control.name == "csrfmiddlewaretoken" or "__prefix__" in control.name:
                continue
            seen.add(control.name)
            result.append(control)
        return result

    def baseline(self, *, fill: bool) -> list[tuple[str, object]]:
        """What the browser would send as rendered; with `fill`, empty text and dates filled in."""
        pairs: list[tuple[str, object]] = []
        for control in self.controls:
            name = control.name
            if not name or "__prefix__" in name:
                continue
            if control.type in ("submit", "button", "reset", "image"):
                continue
            if control.tag == "select":
                chosen = control.selected or control.options[:1]
                if fill and control.required and not any(chosen):
                    chosen = [option for option in control.options if option][:1]
                pairs.extend(
                    (name, value) for value in (chosen if control.multiple else chosen[:1])
                )
            elif control.type in ("checkbox", "radio"):
                if control.checked:
                    pairs.append((name, control.value or "on"))
            elif control.type == "file":
                if fill:
                    pairs.append((name, Upload("photo.png", png(), "image/png")))
            else:
                value = control.value
                if fill and not value and control.type != "hidden":
                    value = filler(control)
                pairs.append((name, value))
        return pairs


def filler(control: Control) -> str:
    kind = control.kind
    if kind == "date":
        return date.today().isoformat()
    if kind == "number":
        return "1" if control.required else ""
    if control.type == "email":
        return "fuzz@example.org"
    if control.type == "password":
        return PASSWORD  # the test logins' own, so a password change can go through
    return "模糊测试"


class PageParser(HTMLParser):
    """The forms of a page with their controls, the links, and the admin's autocomplete selects."""

    def __init__(self, url: str):
        super().__init__(convert_charrefs=True)
        self.url = url
        self.forms: list[Form] = []
        self.links: list[str] = []
        self.autocompletes: list[dict] = []
        self._form: Form | None = None
        self._select: Control | None = None
        self._option: dict | None = None
        self._textarea: Control | None = None

    def handle_starttag(self, tag, attrs):
        attrs = {key: (value if value is not None else "") for key, value in attrs}
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        if tag == "form":
            action = attrs.get("hx-post") or attrs.get("action") or self.url
            self._form = Form(
                action=urljoin(self.url, action),
                method=(attrs.get("method") or "get").lower(),
                multipart="multipart" in attrs.get("enctype", ""),
                attrs=attrs,
            )
            self.forms.append(self._form)
            return
        if tag in ("input", "select", "textarea", "button") and attrs.get("name"):
            control = Control(
                name=attrs["name"],
                tag=tag,
                type=attrs.get("type", "text" if tag == "input" else tag).lower(),
                value=attrs.get("value", ""),
                multiple="multiple" in attrs,
                checked="checked" in attrs,
                required="required" in attrs,
                maxlength=int(attrs["maxlength"]) if attrs.get("maxlength", "").isdigit() else None,
                classes=frozenset(attrs.get("class", "").split()),
                attrs=attrs,
            )
            if tag == "button":
                control.type = attrs.get("type", "submit")
            if self._form is not None:
                self._form.controls.append(control)
            if tag == "select":
                self._select = control
                if "data-app-label" in attrs:
                    self.autocompletes.append(attrs)
            elif tag == "textarea":
                self._textarea = control
        elif tag == "option" and self._select is not None:
            self._option = {
                "value": attrs.get("value"),
                "selected": "selected" in attrs,
                "text": "",
            }

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea.value += data
        if self._option is not None:
            self._option["text"] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "textarea":
            if self._textarea is not None:
                # The browser drops the newline right after <textarea>.
                self._textarea.value = self._textarea.value.removeprefix("\n")
            self._textarea = None
        elif tag == "option" and self._option is not None and self._select is not None:
            self._close_option()
        elif tag == "select":
            if self._option is not None:
                self._close_option()
            self._select = None

    def _close_option(self):
        option = self._option
        value = option["value"] if option["value"] is not None else option["text"].strip()
        self._select.options.append(value)
        if option["selected"]:
            self._select.selected.append(value)
        self._option = None


def parse(response, url: str) -> PageParser:
    parser = PageParser(url)
    content_type = response.get("Content-Type", "")
    if "html" in content_type:
        parser.feed(response.content.decode(response.charset or "utf-8", "replace"))
    return parser


def query_names(parser: PageParser) -> set[str]:
    """The query parameters the page's links and GET forms use."""
    names = set()
    for href in parser.links:
        query = urlsplit(href).query
        names.update(name for name, _ in parse_qsl(query, keep_blank_values=True))
    for form in parser.forms:
        if form.method == "get":
            names.update(control.name for control in form.fields())
    return names


# --- Sending raw requests --------------------------------------------------------------------


def _quote(value) -> str:
    if isinstance(value, bytes):
        return quote_from_bytes(value, safe="")
    return quote(str(value), safe="")


def encode_path(value) -> str:
    """A path segment: text percent-encoded as UTF-8, bytes as they are."""
    return _quote(value)


def urlencoded(pairs) -> str:
    return "&".join(f"{_quote(name)}={_quote(value)}" for name, value in pairs)


BOUNDARY = "FuzzBoundaryZonetracker7MA4YWxkTrZu0gW"


def multipart(pairs) -> bytes:
    def header_value(value) -> bytes:
        return value if isinstance(value, bytes) else str(value).encode()

    chunks = []
    for name, value in pairs:
        chunks.append(f"--{BOUNDARY}\r\n".encode())
        disposition = b'Content-Disposition: form-data; name="' + header_value(name) + b'"'
        if isinstance(value, Upload):
            disposition += b'; filename="' + header_value(value.name) + b'"'
            chunks.append(disposition + b"\r\n")
            chunks.append(f"Content-Type: {value.content_type}\r\n\r\n".encode())
            chunks.append(value.content)
        else:
            chunks.append(disposition + b"\r\n\r\n")
            chunks.append(header_value(value))
        chunks.append(b"\r\n")
    chunks.append(f"--{BOUNDARY}--\r\n".encode())
    return b"".join(chunks)


def with_value(pairs, name: str, value: Value) -> list[tuple[str, object]]:
    """The baseline with every occurrence of `name` replaced by the hostile value (or left out)."""
    result = [(key, data) for key, data in pairs if key != name]
    if value.data is OMIT:
        return result
    position = next((i for i, (key, _) in enumerate(pairs) if key == name), len(result))
    result.insert(min(position, len(result)), (name, value.data))
    return result


def history_rows() -> int:
    return sum(model.history.model.objects.count() for model in registered_models.values())


@dataclass
class Finding:
    method: str
    url: str
    role: str
    field: str
    value: str
    status: int | str
    exception: str
    where: str

    def __str__(self):
        url = self.url if len(self.url) < 160 else self.url[:150] + "…"
        return (
            f"{self.status} {self.method} {url} as {self.role} [{self.field}={self.value}]: "
            f"{self.exception} at {self.where}"
        )


def _where(exc_info) -> str:
    """The innermost frame in the project's code, else in a library other than Django's own
    plumbing (the admin, axes, simple_history), else the innermost frame at all."""
    if not exc_info:
        return "?"
    frames = traceback.extract_tb(exc_info[2])
    plumbing = ("/django/db/", "/django/core/", "/django/utils/", "/django/forms/", "/psycopg/")

    def ours(frame):
        return frame.filename.startswith(str(REPO)) and "/.venv/" not in frame.filename

    def library(frame):
        return not any(part in frame.filename for part in plumbing)

    frame = ([f for f in frames if ours(f)] or [f for f in frames if library(f)] or frames)[-1]
    path = Path(frame.filename)
    try:
        path = path.relative_to(REPO)
    except ValueError:
        pass
    if "site-packages" in path.parts:
        path = Path(*path.parts[path.parts.index("site-packages") + 1 :])
    return f"{path}:{frame.lineno}"


def _describe(exc_info) -> str:
    if not exc_info:
        return "(no exception)"
    exc = exc_info[1]
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text[:160]}"


class Fuzzer:
    """Sends the requests and keeps the findings, the statuses seen and the routes walked."""

    def __init__(self):
        self.findings: list[Finding] = []
        self.statuses: Counter = Counter()
        self.routes: Counter = Counter()
        self.requests = 0
        self.slowest: list[tuple[float, str]] = []
        self._history_rows: int | None = None

    def send(
        self,
        client,
        method: str,
        url: str,
        *,
        role: str,
        query=None,
        body=None,
        files: bool = False,
        field: str = "",
        value: str = "",
        check_saved: bool = False,
        then=(),
        headers=None,
    ):
        """One request, rolled back afterwards; `then` are GETs made before the rollback, to see
        that what was saved can be shown. Returns the response (None if the database broke)."""
        full_url = url
        if query:
            full_url += ("&" if "?" in url else "?") + urlencoded(query)
        kwargs = {}
        if body is not None:
            if files:
                kwargs = {
                    "data": multipart(body),
                    "content_type": f"multipart/form-data; boundary={BOUNDARY}",
                }
            else:
                kwargs = {
                    "data": urlencoded(body).encode("ascii"),
                    "content_type": "application/x-www-form-urlencoded",
                }
        self.requests += 1
        self._route(url)
        response = None
        # A logout, a sign-in or a language switch must not change who the next request is from.
        cookies = copy.deepcopy(client.cookies)
        started = time.perf_counter()
        try:
            if check_saved and self._history_rows is None:
                # Every request is rolled back, so this count holds before each of them.
                self._history_rows = history_rows()
            with transaction.atomic():
                response = client.generic(method.upper(), full_url, headers=headers, **kwargs)
                self._record(response, method, full_url, role, field, value)
                refused = check_saved and response.status_code == 200
                if refused and history_rows() != self._history_rows:
                    self.add(method, full_url, role, field, value, "half-saved", "", "")
                if response.status_code in (301, 302) and then:
                    for follow in then:
                        target = response["Location"] if follow == "redirect" else follow
                        if target.startswith("/") or target.startswith("http"):
                            followed = client.get(target)
                            self._record(followed, "GET", target, role, field, value, after=url)
                transaction.set_rollback(True)
        except DatabaseError as error:
            self.add(
                method, full_url, role, field, value, "db", f"{type(error).__name__}: {error}", ""
            )
        finally:
            client.cookies = cookies
            elapsed = time.perf_counter() - started
            self.slowest.append((elapsed, f"{method} {full_url[:100]} [{field}={value}]"))
            if len(self.slowest) > 200:
                self.slowest = sorted(self.slowest, reverse=True)[:40]
        return response

    def _route(self, url: str) -> None:
        try:
            match = resolve(urlsplit(url).path)
        except Resolver404:
            return
        self.routes[match.route] += 1

    def _record(self, response, method, url, role, field, value, after=None):
        self.statuses[response.status_code] += 1
        if response.status_code >= 500:
            exc_info = getattr(response, "exc_info", None)
            label = f"{value} (then GET after {after})" if after else value
            self.add(
                method,
                url,
                role,
                field,
                label,
                response.status_code,
                _describe(exc_info),
                _where(exc_info),
            )

    def add(self, method, url, role, field, value, status, exception, where):
        self.findings.append(Finding(method, url, role, field, value, status, exception, where))

    def report(self) -> str:
        causes = Counter()
        examples = {}
        for finding in self.findings:
            cause = f"{finding.exception.split(':')[0] or finding.status} at {finding.where}"
            causes[cause] += 1
            examples.setdefault(cause, finding)
        lines = [
            f"{len(self.findings)} server errors in {self.requests} requests "
            f"(statuses: {dict(sorted(self.statuses.items(), key=str))})",
            "By cause, with an example:",
            *(
                f"  {count:5d}  {cause}\n           e.g. {examples[cause]}"
                for cause, count in causes.most_common()
            ),
            "Slowest:",
            *(f"  {t:6.2f}s {what}" for t, what in sorted(self.slowest, reverse=True)[:10]),
            "Every one:",
            *(f"  {finding}" for finding in self.findings),
        ]
        return "\n".join(lines)


@contextmanager
def quiet_request_log():
    """404s, 400s and 500s are the point here: keep Django from logging each of thousands."""
    loggers = [logging.getLogger(name) for name in ("django.request", "django.security")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.CRITICAL + 1)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)
