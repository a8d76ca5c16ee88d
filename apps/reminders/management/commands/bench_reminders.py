"""Time one dispatch tick with 10,000 and 100,000 open deadlines and the same number due.

Everything the benchmark creates is written inside one transaction that is rolled back at the
end, so the database is left exactly as it was (and no send task is ever queued).
"""

import statistics
import time
from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.org.models import Person, Unit
from apps.reminders import services
from apps.reminders.models import Deadline, Delivery

BENCH_OBJECT_ID_BASE = 10**15  # far above any real primary key
BENCH_KIND = "bench"  # no area registers it: the rows are never mistaken for real items


class _Rollback(Exception):
    pass


class Command(BaseCommand):
    help = "Benchmark the reminder dispatch tick at two database sizes (rolled back afterwards)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--sizes", default="10000,100000", help="Open deadlines, comma-separated."
        )
        parser.add_argument("--due", type=int, default=100, help="Deadlines due in each tick.")
        parser.add_argument("--repeat", type=int, default=3, help="Ticks timed at each size.")

    def handle(self, *args, sizes, due, repeat, **options):
        sizes = sorted(int(size) for size in sizes.split(","))
        results = []
        try:
            with transaction.atomic():
                results = self._run(sizes, due, repeat)
                raise _Rollback
        except _Rollback:
            pass
        for size, seconds, queries in results:
            self.stdout.write(
                f"{size:>8} open deadlines, {due} due: tick {seconds * 1000:8.1f} ms, "
                f"{queries} queries"
            )
        if len(results) >= 2:
            ratio = results[-1][1] / results[0][1]
            self.stdout.write(
                f"ratio {results[-1][0]}/{results[0][0]}: {ratio:.2f}x "
                f"for {results[-1][0] / results[0][0]:.0f}x the deadlines"
            )
        self.stdout.write("all benchmark rows rolled back")

    def _run(self, sizes, due, repeat):
        now = timezone.now()
        today = timezone.localdate(now)
        services.policy_get()
        unit = Unit.objects.create(name=f"bench-unit-{now.timestamp()}")
        Person.objects.create(name="bench", unit=unit, email="bench@example.org")
        created, results = 0, []
        for size in sizes:
            batch = []
            for n in range(created, size):
                is_due = n < due
                batch.append(
                    Deadline(
                        kind=BENCH_KIND,
                        object_id=BENCH_OBJECT_ID_BASE + n,
                        title=f"bench {n}",
                        due_date=today + timedelta(days=1 if is_due else 40 + n % 300),
                        responsible_unit=unit,
                        next_reminder_at=now - timedelta(minutes=1)
                        if is_due
                        else now + timedelta(days=10 + n % 300),
                    )
                )
            Deadline.objects.bulk_create(batch, batch_size=5000)
            created = size
            self._analyze()
            timings, queries = [], 0
            for _ in range(repeat):
                self._reset(unit, due, now)
                with CaptureQueriesContext(connection) as captured:
                    started = time.perf_counter()
                    result = services.dispatch(now=now, hold=True)
                    timings.append(time.perf_counter() - started)
                queries = len(captured)
                if result.deadlines != due:
                    raise CommandError(
                        f"expected {due} deadlines due, dispatch saw {result.deadlines}"
                    )
            results.append((size, statistics.median(timings), queries))
        return results

    def _reset(self, unit, due, now):
        Delivery.objects.filter(deadline__responsible_unit=unit).delete()
        Deadline.objects.filter(
            responsible_unit=unit, object_id__lt=BENCH_OBJECT_ID_BASE + due
        ).update(next_reminder_at=now - timedelta(minutes=1), last_dispatched_at=None)

    def _analyze(self):
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {Deadline._meta.db_table}")
