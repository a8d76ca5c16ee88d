"""Build the benchmark's volume and print each page's time, queries and size against the admin
changelist of the same rows and a bare view of the same rows, measured in the same run.

Run it against a database of its own (DATABASE_URL=postgres://.../zt_bench): the volume it adds
is synthetic (is_demo, named 压测...) and stays there for the next run, which adds only what is
missing. `make bench` runs it at 10,000 and 100,000 projects.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client
from django.test.utils import override_settings
from django.urls import reverse

from apps.core.views import PER_PAGE
from apps.org.models import Person, User
from apps.overview import bench, bench_import, bench_load, bench_redmine, dashboard, volume


class Command(BaseCommand):
    help = "Benchmark every list page, my work and the dashboard at generated volume."

    def add_arguments(self, parser):
        parser.add_argument(
            "--projects",
            default="10000",
            help="Project counts to build and measure at, comma-separated (e.g. 10000,100000).",
        )
        parser.add_argument("--repeat", type=int, default=5, help="Requests timed per page.")
        parser.add_argument("--deep-page", type=int, default=100, help="The deep page measured.")
        parser.add_argument(
            "--only",
            default="",
            help="Measure only pages whose label contains this text; 'import' times only the "
            "ledger import of that many projects with four milestones each.",
        )
        parser.add_argument(
            "--clients",
            default="8,64",
            help="Concurrent clients for the throughput run under gunicorn (0: skip it).",
        )
        parser.add_argument("--seconds", type=float, default=10, help="Length of each load run.")
        parser.add_argument("--workers", type=int, default=3, help="gunicorn workers.")
        parser.add_argument(
            "--redmine",
            default="",
            help="A running Redmine's URL (e.g. http://127.0.0.1:3000) to measure beside, with "
            "--redmine-database; its administrator logs in with --redmine-user/--redmine-password.",
        )
        parser.add_argument(
            "--redmine-database",
            default="",
            help="Redmine's PostgreSQL database (postgres://...), where the issues are written.",
        )
        parser.add_argument("--redmine-user", default="admin")
        parser.add_argument("--redmine-password", default="admin")

    def handle(
        self, *args, projects, repeat, deep_page, only, clients, seconds, workers, **options
    ):
        sizes = sorted(int(size) for size in projects.split(","))
        redmine = None
        if options["redmine"]:
            if not options["redmine_database"]:
                raise CommandError("--redmine needs --redmine-database.")
            redmine = bench_redmine.Redmine(
                options["redmine"],
                options["redmine_database"],
                options["redmine_user"],
                options["redmine_password"],
            )
        admin, staff = self._users()
        results = {}
        if only == "import":
            for size in sizes:
                self._import(size, admin)
            return
        for size in sizes:
            added = volume.build(size, progress=lambda line: self.stderr.write(line))
            self.stdout.write(f"== {size} projects ({added} added) on {connection.vendor}")
            self._analyze()
            results[size] = self._measure_all(admin, staff, repeat, deep_page, only)
            counts = [int(n) for n in clients.split(",") if int(n) > 0]
            if counts:
                self._throughput(admin, counts, seconds, workers)
            if redmine is not None:
                self._beside_redmine(redmine, admin, repeat, counts, seconds, workers)
        if len(sizes) >= 2:
            small, big = results[sizes[0]], results[sizes[-1]]
            self.stdout.write(f"== growth {sizes[-1]}/{sizes[0]} projects")
            for label, measured in big.items():
                if label in small:
                    self.stdout.write(f"{label:<40} {measured.ms / small[label].ms:6.2f}x")

    def _import(self, size, user):
        timing = bench_import.measure(size, user=user)
        self.stdout.write(
            f"== ledger import on {connection.vendor}: {timing.projects} projects, "
            f"{timing.milestones} milestones ({timing.bytes / 1024 / 1024:.1f} MB xlsx)"
        )
        self.stdout.write(f"preview (dry run)                 {timing.preview_s:8.1f} s")
        self.stdout.write(
            f"import with deadline sync         {timing.import_s:8.1f} s "
            f"({timing.import_cpu_s:.1f} s CPU in this process; "
            f"{timing.deadlines} deadlines, {timing.errors} errors)"
        )

    def _users(self):
        admin, _ = User.objects.get_or_create(
            username="bench-admin", defaults={"is_superuser": True, "is_staff": True}
        )
        staff, _ = User.objects.get_or_create(username="bench-staff")
        volume.build(0)  # the units and people, so that staff belongs to one
        person = Person.objects.filter(name__startswith=volume.VOLUME_PREFIX).order_by("id").first()
        if person is not None and person.user_id is None:
            person.user = staff
            person.save(update_fields=["user"])
        return admin, staff

    def _measure_all(self, admin, staff, repeat, deep_page, only):
        as_admin, as_staff = Client(), Client()
        as_admin.force_login(admin)
        as_staff.force_login(staff)
        header = f"{'page':<40} {'ms':>8} {'queries':>7} {'KB':>8} {'x admin':>8} {'x bare':>7}"
        self.stdout.write(header)
        results = {}
        for label, url, admin_url, bare_url in bench.pages(deep_page=deep_page):
            if only and only not in label:
                continue
            with bench.admin_pages_of(PER_PAGE):
                page, against_admin, against_bare = bench.measure_together(
                    as_admin, [url, admin_url, bare_url], label, repeat
                )
            self._line(page, against_admin.ms, against_bare.ms)
            results[label] = page
        others = (
            # As after a write: the figures computed, not the ones kept since the last write.
            ("dashboard computed", reverse("dashboard"), as_admin, dashboard.figures_changed),
            ("dashboard", reverse("dashboard"), as_admin, None),
            ("my work", reverse("my_work"), as_staff, None),
        )
        for label, url, client, before in others:
            if only and only not in label:
                continue
            page = bench.measure(client, url, label, repeat, before)
            self._line(page, None, None)
            results[label] = page
        return results

    def _throughput(self, admin, counts, seconds, workers):
        """The project list's first page and the bare view of its rows, under gunicorn."""
        client = Client()
        client.force_login(admin)
        session = client.cookies[settings.SESSION_COOKIE_NAME].value
        with override_settings(ROOT_URLCONF=bench.BENCH_URLCONF):
            pages = [
                ("project list", reverse("projects:project_list")),
                ("bare view", reverse("bench_bare", args=["project"])),
            ]
        # Whatever this process holds open, gunicorn's workers must be able to write.
        connection.close()
        headers = bench_load.session_headers(session)
        with bench_load.gunicorn(workers=workers, ready_path=reverse("login")) as port:
            # Every worker loads the site on its first request: not part of what is measured.
            for _label, path in pages:
                bench_load.load(port, path, headers=headers, clients=2 * workers, seconds=3)
            for n in counts:
                page, bare = bench_load.load_in_turns(
                    port,
                    [path for _label, path in pages],
                    headers=headers,
                    clients=n,
                    seconds=seconds,
                )
                share = page.per_second / bare.per_second if bare.per_second else 0
                self.stdout.write(
                    f"throughput, gunicorn {workers} workers, {n} clients: project list "
                    f"{page.per_second:.1f} req/s, bare view {bare.per_second:.1f} req/s "
                    f"({share:.2f}x), errors {page.errors + bare.errors}"
                )

    def _beside_redmine(self, redmine, admin, repeat, counts, seconds, workers):
        """The project list and Redmine's issue list of the same rows, over HTTP, in one run."""
        issues = bench_redmine.load_issues(redmine)
        redmine_headers = {"Cookie": bench_redmine.login(redmine)}
        client = Client()
        client.force_login(admin)
        ours = bench_load.session_headers(client.cookies[settings.SESSION_COOKIE_NAME].value)
        self.stdout.write(
            f"== beside Redmine at {redmine.url}: {issues} issues, one per project; "
            f"gunicorn {workers} workers"
        )
        self.stdout.write(f"{'page':<52} {'ms':>8} {'Redmine ms':>10} {'x Redmine':>9}")
        connection.close()
        pages = bench_redmine.pages()
        with bench_load.gunicorn(workers=workers, ready_path=reverse("login")) as port:
            for label, path, theirs in pages:
                ms, status, _ = bench_redmine.median_ms(port, path, ours, repeat)
                their_ms, their_status, _ = bench_redmine.median_ms(
                    redmine.port, redmine.path(theirs), redmine_headers, repeat
                )
                flag = (
                    ""
                    if (status, their_status) == (200, 200)
                    else f"  (HTTP {status}/{their_status})"
                )
                self.stdout.write(
                    f"{label:<52} {ms:8.1f} {their_ms:10.1f} {ms / their_ms:8.2f}x{flag}"
                )
            for n in counts:
                page = bench_load.load(port, pages[0][1], headers=ours, clients=n, seconds=seconds)
                theirs = bench_load.load(
                    redmine.port,
                    redmine.path(pages[0][2]),
                    headers=redmine_headers,
                    clients=n,
                    seconds=seconds,
                )
                share = page.per_second / theirs.per_second if theirs.per_second else 0
                self.stdout.write(
                    f"throughput, {n} clients: project list {page.per_second:.1f} req/s, "
                    f"Redmine's issue list {theirs.per_second:.1f} req/s ({share:.2f}x), "
                    f"errors {page.errors} / {theirs.errors}"
                )

    def _line(self, page, admin_ms, bare_ms):
        ratio = lambda ms: f"{page.ms / ms:7.2f}x" if ms else "      -"  # noqa: E731
        flag = "" if page.status == 200 else f"  (HTTP {page.status})"
        self.stdout.write(
            f"{page.label:<40} {page.ms:8.1f} {page.queries:>7} {page.size / 1024:8.1f} "
            f"{ratio(admin_ms)} {ratio(bare_ms)}{flag}"
        )

    def _analyze(self):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
