"""Nothing a visitor sends makes a server error: hostile values through every URL pattern, every
form of the UI and the admin, every list's filters, sort, page, per_page and export parameters.

Each test sends its requests, keeps every answer >= 500 with its exception and where it was
raised, and fails at the end with the whole list, so one run shows every cause. By default each
field gets a seeded sample of the hostile values (the same ones every run); with
ZONETRACKER_FUZZ_FULL=1 every field gets all of them, as every visitor, on every variant of a path.

A new URL pattern with a parameter needs a way to fill it in `path_values` below; the walk fails
until it has one.
"""

import re

import pytest
from django.contrib import admin
from django.contrib.auth.tokens import default_token_generator
from django.contrib.contenttypes.models import ContentType
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from apps.core.views import ZoneListView

from .fuzzer import (
    FULL,
    OMIT,
    Fuzzer,
    Value,
    encode_path,
    field_values,
    parse,
    query_names,
    quiet_request_log,
    sample,
    with_value,
)

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "staff", "superuser", "leader")


@pytest.fixture
def fuzzer():
    with quiet_request_log():
        yield Fuzzer()


def _join(route1: str, route2: str) -> str:
    return route1 + (route2[1:] if route2.startswith("^") else route2)


def url_patterns(resolver=None, prefix="", namespace=""):
    """(route, name) of every pattern, the route spelt the way resolve() reports it."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        route = _join(prefix, str(entry.pattern))
        if isinstance(entry, URLResolver):
            ns = entry.namespace or ""
            full_ns = f"{namespace}:{ns}" if namespace and ns else (ns or namespace)
            yield from url_patterns(entry, route, full_ns)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
            yield route, name


# --- Filling in a pattern's parameters ---------------------------------------------------------

# Which world object a UI pattern's pk refers to, by URL name: its own unit's and another's.
OBJECT_FOR = {
    "cycle:round_detail": "round",
    "cycle:round_close": "round",
    "cycle:submission": "submission",
    "cycle:submission_return": "submission",
    "cycle:submission_accept": "submission",
    "projects:project_detail": "project",
    "projects:progress_create": "project",
    "projects:milestone_row": "milestone",
    "projects:milestone_complete": "milestone",
    "goals:target_detail": "target",
    "goals:target_checkin": "target",
    "safety:inspection_detail": "inspection",
    "safety:hazard_detail": "hazard_found",
    "safety:hazard_start": "hazard_found",
    "safety:hazard_rectified": "hazard_rectifying",
    "safety:hazard_close": "hazard_rectified",
    "safety:hazard_reject": "hazard_rectified",
    "supervision:order_detail": "order",
    "supervision:issue_project": "project",
    "supervision:issue_target": "target",
    "supervision:issue_hazard": "hazard_found",
    "supervision:order_answer": "order",
    "supervision:order_accept": "order_answered",
    "supervision:order_return": "order_answered",
    # The API answers without a token (401); tests/api fuzzes it with a token (schemathesis).
    "api:project_detail": "project",
    "api:progress_create": "project",
    "api:milestone_detail": "milestone",
    "api:target_detail": "target",
    "api:round_detail": "round",
    "api:round_submission_list": "round",
    "api:round_light_list": "round",
    "api:hazard_detail": "hazard_found",
}
HOSTILE_IDS = [
    Value("missing-id", "0"),
    Value("20-digits", "9" * 20),
    Value("2**63", str(2**63)),
]
HOSTILE_STRINGS = [
    Value("nul", "a\x00b"),
    Value("huge", "x" * 100_000),
    Value("invalid-utf8", b"\xff\xfe"),
    Value("surrogate-bytes", b"\xed\xa0\x80"),
    Value("word", "abc"),
    Value("-1", "-1"),
    Value("dotdot", "../../zonetracker/settings.py"),
    Value("percent", "%"),
]


def model_of_route(route: str):
    """The admin model whose URLs the route belongs to: admin/org/unit/... -> Unit."""
    for model in admin.site._registry:
        opts = model._meta
        if route.startswith(f"admin/{opts.app_label}/{opts.model_name}/"):
            return model
    return None


def path_values(route: str, name: str, param: str, world) -> list[Value]:
    """The values a parameter is walked with: real ones first, then hostile ones."""
    if name in OBJECT_FOR:
        own = world.objects[OBJECT_FOR[name]]
        other = world.objects["other_" + OBJECT_FOR[name]]
        return [Value("own", str(own.pk)), Value("other-unit", str(other.pk)), *HOSTILE_IDS]
    if name == "reminders:calendar_feed":
        token = world.feed_url.removeprefix("/reminders/calendar/").removesuffix(".ics")
        return [Value("own", token), Value("guess", "a" * 43), *HOSTILE_STRINGS]
    if name == "media":
        return [
            Value("own", "progress/fuzz.png"),
            Value("missing", "progress/none.png"),
            Value("nul-in-name", "progress/a\x00.png"),
            *HOSTILE_STRINGS,
        ]
    if name == "password_reset_confirm":
        user = world.users["staff"]
        if param == "uidb64":
            return [
                Value("own", urlsafe_base64_encode(force_bytes(user.pk))),
                Value("20-digit-uid", urlsafe_base64_encode(b"9" * 20)),
                Value("nul-uid", urlsafe_base64_encode(b"1\x00")),
                Value("not-base64", "!!!"),
                *HOSTILE_STRINGS,
            ]
        return [
            Value("own", default_token_generator.make_token(user)),
            Value("set-password", "set-password"),
            *HOSTILE_STRINGS,
        ]
    if name == "admin:view_on_site":
        project = world.objects["project"]
        if param == "content_type_id":
            own = ContentType.objects.get_for_model(project).pk
            return [Value("own", str(own)), *HOSTILE_IDS, *HOSTILE_STRINGS]
        return [Value("own", str(project.pk)), *HOSTILE_IDS, *HOSTILE_STRINGS]
    model = model_of_route(route)
    if model is not None and param in ("object_id", "id"):
        obj = world.admin_objects.get(model)
        real = [Value("own", str(obj.pk))] if obj is not None else []
        return [*real, *HOSTILE_IDS, *HOSTILE_STRINGS]
    raise AssertionError(f"URL {name!r} ({route}): say in path_values how to fill <{param}>")


def regex_urls(route: str, name: str, world) -> list[tuple[str, Value]]:
    """The few regex patterns: the admin's app index and catch-all, simple_history's revert form."""
    plain = [value for value in HOSTILE_STRINGS if "/" not in str(value.data)]
    if name == "admin:app_list":
        own = (reverse("admin:app_list", args=["org"]), Value("own", "org"))
        return [own] + [(f"/admin/{encode_path(v.data)}/", v) for v in plain]
    if name == "api:not_found":
        return [("/api/no/such/path", Value("unknown", "no/such/path"))] + [
            (f"/api/{encode_path(v.data)}", v) for v in plain
        ]
    if route == "admin/(?P<url>.*)$":
        return [("/admin/no/such/page/", Value("unknown", "no/such/page"))]
    if name and name.endswith("_simple_history"):
        obj = world.admin_objects[model_of_route(route)]
        history_id = obj.history.order_by("-history_id").values_list("history_id", flat=True)[0]
        base = f"/{route.split('(', 1)[0]}{obj.pk}/history/"
        urls = [(f"{base}{history_id}/", Value("own", str(history_id)))]
        return urls + [(f"{base}{encode_path(v.data)}/", v) for v in HOSTILE_IDS + plain]
    raise AssertionError(f"regex URL {name!r} ({route}): say in regex_urls how to walk it")


# The hostile path values a sampled walk tries first.
STRONG = ("nul", "20-digits", "word", "invalid-utf8")
PARAM = re.compile(r"<(?:(?P<converter>\w+):)?(?P<param>\w+)>")


def concrete_urls(route: str, name: str, world) -> list[tuple[str, Value]]:
    """The URLs a pattern is walked at: one parameter varies at a time, the others stay real."""
    if "(" in route:
        return regex_urls(route, name, world)
    params = PARAM.findall(route)
    if not params:
        return [("/" + route, Value("plain", ""))]
    choices = {param: path_values(route, name, param, world) for _conv, param in params}
    urls = []
    for param, values in choices.items():
        for value in values:
            url = route
            for converter, other in params:
                data = value.data if other == param else choices[other][0].data
                placeholder = f"<{converter}:{other}>" if converter else f"<{other}>"
                url = url.replace(placeholder, encode_path(data))
            label = value.label if len(params) == 1 else f"{param}={value.label}"
            urls.append(("/" + url, Value(label, value.data)))
    return urls


def test_every_url_pattern_answers_hostile_paths_without_server_error(world, fuzzer):
    patterns = list(url_patterns())
    for route, name in patterns:
        urls = concrete_urls(route, name, world)
        for role in ROLES:
            chosen = urls
            if not FULL:
                # The admin sends everyone but the superuser to its login page: one look is enough.
                count = 3 if not route.startswith("admin/") else 2 if role == "superuser" else 1
                key = f"walk:{route}:{role}"
                strong = [url for url in urls[1:] if url[1].label.endswith(STRONG)]
                chosen = urls[:1] + sample(strong, 1, key)
                rest = [url for url in urls if url not in chosen]
                chosen = (chosen + sample(rest, count, key))[:count]
            for url, value in chosen:
                for method, body in (("get", None), ("post", [("post", "yes")])):
                    fuzzer.send(
                        world.clients[role],
                        method,
                        url,
                        role=role,
                        body=body,
                        field="<path>",
                        value=value.label,
                    )
    assert {route for route, _name in patterns} - set(fuzzer.routes) == set()
    assert fuzzer.findings == [], fuzzer.report()


# --- Lists: filters, sort, page, per_page, export ----------------------------------------------

EXPORT_FORMATS = ["csv", "xlsx", "ods", "xls", "yaml", "json", "tsv", "latex", "html", "CSV"]
# Parameters every list reads, whether or not a link on the page uses them.
LIST_PARAMS = {"page": "number", "per_page": "number", "sort": "text", "_export": "text"}


def list_urls() -> list[str]:
    urls = []
    for route, _name in url_patterns():
        if "<" in route or "(" in route or route.startswith("admin/"):
            continue
        view_class = getattr(resolve("/" + route).func, "view_class", None)
        if view_class is not None and issubclass(view_class, ZoneListView):
            urls.append("/" + route)
    return urls


def param_kinds(parser, defaults: dict) -> dict[str, str]:
    """Each query parameter the page uses, with the kind of value it takes."""
    kinds = dict(defaults)
    for form in parser.forms:
        if form.method == "get":
            kinds.update({control.name: control.kind for control in form.fields()})
    for name in query_names(parser):
        kinds.setdefault(name, "text")
    return kinds


def test_lists_answer_hostile_parameters_without_server_error(world, fuzzer):
    client = world.clients["staff"]
    lists = list_urls()
    assert len(lists) == 6
    for url in [*lists, "/", "/my-work/"]:
        page = client.get(url)
        assert page.status_code == 200, url
        for name, kind in sorted(param_kinds(parse(page, url), LIST_PARAMS).items()):
            key = f"list:{url}:{name}"
            values = field_values(kind, key, maxlength=None, other_ids=world.other_ids)
            if name == "_export":
                values += [Value(f"format-{fmt}", fmt) for fmt in sample(EXPORT_FORMATS, 4, key)]
            for value in values:
                query = [] if value.data is OMIT else [(name, value.data)]
                response = fuzzer.send(
                    client, "get", url, role="staff", query=query, field=name, value=value.label
                )
                served = response is not None and "attachment" in response.get(
                    "Content-Disposition", ""
                )
                if name == "_export" and served and value.data not in ("csv", "xlsx"):
                    fuzzer.add("GET", url, "staff", name, value.label, "served", "", "")
                if name != "_export" and url in lists and (FULL or value is values[0]):
                    # The export runs the same filters over the whole list.
                    fmt = sample(["csv", "xlsx"], 1, f"{key}:{value.label}")[0]
                    fuzzer.send(
                        client,
                        "get",
                        url,
                        role="staff",
                        query=[*query, ("_export", fmt)],
                        field=f"{name}&_export={fmt}",
                        value=value.label,
                    )
    assert fuzzer.findings == [], fuzzer.report()


# --- The UI's forms ------------------------------------------------------------------------------


def ui_pages(world) -> dict[str, list[str]]:
    """The pages each visitor gets forms from."""
    o = world.objects
    staff = [
        f"/projects/{o['project'].pk}/",
        f"/projects/{o['project'].pk}/progress/",
        f"/projects/milestones/{o['milestone'].pk}/complete/",
        f"/projects/milestones/{o['long_milestone'].pk}/complete/",
        f"/goals/targets/{o['target'].pk}/",
        "/safety/inspections/new/",
        *(f"/safety/hazards/{o[name].pk}/" for name in o if name.startswith("hazard_")),
        "/reminders/preferences/",
        "/accounts/password_change/",
        f"/orders/{o['order'].pk}/",
    ]
    return {
        "anonymous": ["/accounts/login/", "/admin/login/", "/accounts/password_reset/"],
        "staff": staff,
        "superuser": ["/safety/inspections/new/", f"/projects/{o['project'].pk}/progress/"]
        + (staff if FULL else []),
        "leader": [
            f"/orders/new/project/{o['project'].pk}/",
            f"/orders/new/hazard/{o['hazard_found'].pk}/",
            f"/orders/{o['order_answered'].pk}/",
        ],
    }


def _other_rows(name: str) -> bool:
    """An inline's rows are alike: only the first one's fields are attacked."""
    match = INLINE_ROW.search(name)
    return match is not None and match[1] != "0"


def attack_form(
    fuzzer,
    client,
    role,
    form,
    *,
    world,
    then,
    key,
    baselines,
    budget=3,
    fill=False,
    baseline=None,
    skip=None,
):
    """Post the form as rendered (or `baseline`), then once per hostile value of each field."""
    if baseline is None:
        baseline = form.baseline(fill=fill)
    response = fuzzer.send(
        client,
        "post",
        form.action,
        role=role,
        body=baseline,
        files=form.multipart,
        field="<baseline>",
        value="",
        check_saved=True,
        then=then,
    )
    if response is not None:
        baselines.append((role, form.action, response.status_code))
    for control in form.fields():
        if skip is not None and skip(control.name):
            continue
        values = field_values(
            control.kind,
            f"{key}:{form.action}:{control.name}",
            maxlength=control.maxlength,
            other_ids=world.other_ids,
            budget=budget,
        )
        for value in values:
            fuzzer.send(
                client,
                "post",
                form.action,
                role=role,
                body=with_value(baseline, control.name, value),
                files=form.multipart or control.kind == "file",
                field=control.name,
                value=value.label,
                check_saved=True,
                then=then,
            )


def test_ui_forms_answer_hostile_values_without_server_error(world, fuzzer):
    baselines = []
    for role, pages in ui_pages(world).items():
        client = world.clients[role]
        seen = set()
        then = ("redirect", world.feed_url)
        if FULL:
            then += ("/", "/my-work/")
        for url in pages:
            page = client.get(url)
            assert page.status_code == 200, (role, url, page.status_code)
            for form in parse(page, url).forms:
                signature = (form.action, tuple(c.name for c in form.fields()))
                if form.method != "post" or signature in seen:
                    continue
                seen.add(signature)
                attack_form(
                    fuzzer,
                    client,
                    role,
                    form,
                    world=world,
                    fill=True,
                    then=then,
                    key=f"ui:{role}",
                    baselines=baselines,
                )
    refused = [b for b in baselines if b[2] != 302]
    assert fuzzer.findings == [], fuzzer.report() + f"\nBaselines refused: {refused}"


# --- The admin -----------------------------------------------------------------------------------

# Parameters every changelist reads, whether or not a link on the page uses them.
CHANGELIST_PARAMS = {
    "q": "text",
    "p": "number",
    "o": "text",
    "all": "text",
    "e": "text",
    "_facets": "text",
    "_to_field": "text",
    "_popup": "text",
    "_changelist_filters": "text",
}
INLINE_ROW = re.compile(r"-(\d+)-")


def admin_models() -> list:
    return sorted(admin.site._registry, key=lambda model: model._meta.label)


def admin_url(model, view: str, *args) -> str:
    opts = model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=args)


def changelist_kind(name: str, kind: str) -> str:
    if name == "p" or name.endswith(("__year", "__month", "__day", "__gte", "__lt")):
        return "number"
    if name.endswith(("__exact", "__isnull", "__in")):
        return "choice"
    return kind


def autocomplete_sources() -> list[tuple[str, str, str]]:
    """(app_label, model_name, field_name) of every autocomplete field of every admin and inline."""
    sources = set()
    for model, model_admin in admin.site._registry.items():
        owners = [(model, model_admin.autocomplete_fields)] + [
            (inline.model, inline.autocomplete_fields) for inline in model_admin.inlines
        ]
        for owner, fields in owners:
            opts = owner._meta
            sources.update((opts.app_label, opts.model_name, name) for name in fields)
    return sorted(sources)


def test_admin_changelists_answer_hostile_parameters_without_server_error(world, fuzzer):
    client = world.clients["superuser"]
    baselines = []
    for model in admin_models():
        url = admin_url(model, "changelist")
        page = client.get(url)
        assert page.status_code == 200, url
        parser = parse(page, url)
        for name, kind in sorted(param_kinds(parser, CHANGELIST_PARAMS).items()):
            kind = changelist_kind(name, kind)
            key = f"changelist:{url}:{name}"
            values = field_values(kind, key, maxlength=None, other_ids=world.other_ids, budget=1)
            for value in values:
                fuzzer.send(
                    client,
                    "get",
                    url,
                    role="superuser",
                    query=[] if value.data is OMIT else [(name, value.data)],
                    field=name,
                    value=value.label,
                )
        # The actions: each one on the first row, then hostile selections, indexes and actions.
        for form in parser.forms:
            if form.method != "post" or not any(c.name == "action" for c in form.controls):
                continue
            rows = [c.value for c in form.controls if c.name == "_selected_action"]
            actions = next(c.options for c in form.controls if c.name == "action")
            for action in [a for a in actions if a]:
                baseline = [("action", action), ("index", "0"), ("_selected_action", rows[0])]
                attack_form(
                    fuzzer,
                    client,
                    "superuser",
                    form,
                    world=world,
                    baseline=baseline,
                    then=(),
                    key=f"action:{action}",
                    budget=1,
                    baselines=baselines,
                )
    for app_label, model_name, field_name in autocomplete_sources():
        baseline = [
            ("app_label", app_label),
            ("model_name", model_name),
            ("field_name", field_name),
            ("term", ""),
            ("page", "1"),
        ]
        for name, kind in (
            ("term", "text"),
            ("page", "number"),
            ("app_label", "choice"),
            ("model_name", "choice"),
            ("field_name", "choice"),
        ):
            key = f"autocomplete:{app_label}.{model_name}.{field_name}:{name}"
            for value in field_values(kind, key, maxlength=None, budget=1):
                fuzzer.send(
                    client,
                    "get",
                    "/admin/autocomplete/",
                    role="superuser",
                    query=with_value(baseline, name, value),
                    field=name,
                    value=value.label,
                )
    assert fuzzer.findings == [], fuzzer.report()


def admin_form(page, url):
    """The add or change form of an admin page (the form with id "<model>_form")."""
    forms = [
        form
        for form in parse(page, url).forms
        if form.method == "post" and form.attrs.get("id", "").endswith("_form")
    ]
    assert len(forms) == 1, (url, [form.attrs for form in parse(page, url).forms])
    return forms[0]


def add_baseline(add_form, change_form) -> list:
    """An add form filled in like the change form of an existing row, its texts made unique."""
    known = {}
    for name, value in change_form.baseline(fill=False) if change_form else []:
        known.setdefault(name, value)
    pairs = []
    controls = {control.name: control for control in add_form.controls}
    for name, value in add_form.baseline(fill=False):
        control = controls.get(name)
        if not value and "-" not in name and known.get(name):
            value = known[name]
            if control is not None and control.kind == "text":
                value = f"{value} 2"
        pairs.append((name, value))
    # Fields the add form renders empty and unselected (radio buttons, check boxes).
    names = {name for name, _ in pairs}
    pairs += [(n, v) for n, v in known.items() if n in controls and n not in names and "-" not in n]
    return pairs


def test_admin_forms_answer_hostile_values_without_server_error(world, fuzzer):
    client = world.clients["superuser"]
    baselines = []
    for model in admin_models():
        obj = world.admin_objects.get(model)
        change_form = None
        if obj is not None:
            url = admin_url(model, "change", obj.pk)
            page = client.get(url)
            assert page.status_code == 200, url
            change_form = admin_form(page, url)
            # What was saved must show: on the feed, and in full on the change form and the item's page.
            shown = [world.feed_url]
            if FULL:
                shown.append(url)
                if hasattr(obj, "get_absolute_url"):
                    shown.append(obj.get_absolute_url())
            attack_form(
                fuzzer,
                client,
                "superuser",
                change_form,
                world=world,
                then=shown,
                key="admin-change",
                budget=1,
                baselines=baselines,
                skip=_other_rows,
            )
            if model._meta.model_name == "user":
                url = reverse("admin:auth_user_password_change", args=[obj.pk])
                page = client.get(url)
                assert page.status_code == 200, url
                attack_form(
                    fuzzer,
                    client,
                    "superuser",
                    admin_form(page, url),
                    world=world,
                    then=(),
                    key="admin-password",
                    budget=1,
                    baselines=baselines,
                )
        url = admin_url(model, "add")
        page = client.get(url)
        if page.status_code == 403:  # models added only by the system
            continue
        assert page.status_code == 200, url
        add_form = admin_form(page, url)
        attack_form(
            fuzzer,
            client,
            "superuser",
            add_form,
            world=world,
            baseline=add_baseline(add_form, change_form),
            then=("redirect", world.feed_url),
            key="admin-add",
            budget=1,
            baselines=baselines,
            skip=_other_rows,
        )
    refused = [b for b in baselines if b[2] != 302]
    assert fuzzer.findings == [], fuzzer.report() + f"\nBaselines refused: {refused}"
