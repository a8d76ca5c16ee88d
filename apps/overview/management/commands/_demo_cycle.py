"""Demo reporting rounds: two closed weeks and the open one, with reports and lights that change.

Built once: a round whose period exists already is left as it is, so running demo_data again adds
nothing. Every open project and target gets a report in each round; a few are late, a few missing,
one is returned and resubmitted (both versions kept), one is returned in the open round. The closed
rounds' lights are today's, changed for a few items so the board has a red streak (three rounds
running), reds that turned yellow and greens that were yellow.
"""

from datetime import datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from apps.core.rules import Light
from apps.cycle.models import (
    CycleSetting,
    ReportingRound,
    RoundLight,
    RoundState,
    Submission,
    SubmissionState,
    SubmissionVersion,
)
from apps.cycle.reminder_sources import SUBMISSIONS
from apps.cycle.services import current_lights, open_projects, open_targets
from apps.org.models import Person
from apps.reminders.services import deadlines_sync_many

PROGRESS = (
    "按计划推进，完成本周施工任务。",
    "主体结构施工中。",
    "设备安装调试中。",
    "前期手续办理中。",
)
PROBLEMS = ("施工用电接入滞后。", "用地指标尚未落实。", "", "", "")
HELP = ("请协调供电公司加快接电。", "请自然资源局协调用地指标。", "", "", "")
RETURN_REASON = "本期完成投资与台账不符，请核对后重新填报。"


class CycleDemo:
    def __init__(self, builder):
        self.today = builder.today
        self.setting = CycleSetting.current()

    def _moment(self, day, hour=9):
        return datetime.combine(day, time(hour), tzinfo=timezone.get_current_timezone())

    def build(self) -> None:
        monday = self.today - timedelta(days=self.today.weekday())
        weeks = [monday - timedelta(weeks=2), monday - timedelta(weeks=1), monday]
        periods = [self.setting.period_for(self._moment(day)) for day in weeks]
        # Rounds are built once: a rerun (a later week or month) leaves the rounds there, the
        # demo's and the office's own, as only one round may be open at a time.
        if ReportingRound.objects.exists():
            return
        items = [("p", p.pk, p.responsible_unit_id) for p in open_projects().order_by("pk")] + [
            ("t", t.pk, t.responsible_unit_id) for t in open_targets().order_by("pk")
        ]
        now_lights = current_lights(
            project_ids=[pk for kind, pk, _u in items if kind == "p"],
            target_ids=[pk for kind, pk, _u in items if kind == "t"],
            today=self.today,
        )
        history = self._history(items, now_lights)
        users = {
            person.unit_id: person.user
            for person in Person.objects.filter(is_demo=True, user__isnull=False).order_by("pk")
        }
        now = timezone.now()
        for index, ((period, deadline), day) in enumerate(zip(periods, weeks, strict=True)):
            is_open = index == 2
            opens = min(self._moment(day), now - timedelta(minutes=5))
            round_ = ReportingRound.objects.create(
                period=period,
                kind=self.setting.cadence,
                opens_at=opens,
                deadline=max(deadline, opens + timedelta(hours=1)),
                state=RoundState.OPEN if is_open else RoundState.CLOSED,
                closed_at=None if is_open else deadline + timedelta(days=1),
                is_demo=True,
            )
            self._submissions(round_, items, users, now, is_open=is_open)
            if not is_open:
                RoundLight.objects.bulk_create(
                    RoundLight(
                        round=round_,
                        project_id=pk if kind == "p" else None,
                        target_id=pk if kind == "t" else None,
                        light=history[(kind, pk)][index],
                        reason=now_lights[(kind, pk)][1]
                        if history[(kind, pk)][index] == now_lights[(kind, pk)][0]
                        else "",
                    )
                    for kind, pk, _unit in items
                )
            else:
                submissions = Submission.objects.filter(round=round_).select_related(
                    *SUBMISSIONS.related
                )
                deadlines_sync_many(source=SUBMISSIONS, instances=submissions)

    def _history(self, items, now_lights) -> dict:
        """The light of each item two rounds ago and last round (and now, for reference)."""
        history = {}
        reds = yellows = greens = 0
        for kind, pk, _unit in items:
            now = now_lights[(kind, pk)][0]
            before = [now, now]
            if now == Light.RED and reds < 3:
                reds += 1  # red three rounds running
            elif now == Light.YELLOW and yellows < 3:
                yellows += 1
                before = [Light.RED, Light.RED]  # a red that turned yellow this round
            elif now == Light.GREEN and greens < 2:
                greens += 1
                before = [Light.YELLOW, Light.YELLOW]
            history[(kind, pk)] = [*before, now]
        return history

    def _submissions(self, round_, items, users, now, *, is_open: bool) -> None:
        rows, versions = [], []
        for number, (kind, pk, unit_id) in enumerate(items):
            submission = Submission(
                round=round_,
                project_id=pk if kind == "p" else None,
                target_id=pk if kind == "t" else None,
                responsible_unit_id=unit_id,
                is_demo=True,
            )
            if is_open:
                sent = number % 3 == 0
                when = min(round_.opens_at + timedelta(hours=2), now)
            else:
                sent = number % 9 != 4  # some missing
                late = number % 5 == 1
                when = round_.deadline + (timedelta(days=1) if late else -timedelta(days=2))
            if sent:
                submission.progress = PROGRESS[number % len(PROGRESS)]
                submission.investment_completed = Decimal(100 + number * 15)
                submission.problems = PROBLEMS[number % len(PROBLEMS)]
                submission.help_requested = HELP[number % len(HELP)]
                submission.state = (
                    SubmissionState.SUBMITTED if is_open else SubmissionState.ACCEPTED
                )
                submission.submitted_at = submission.first_submitted_at = when
                submission.submitted_by = users.get(unit_id)
                submission.version = 2
            rows.append(submission)
        # The first report sent: returned in the open round; returned and sent again before.
        first_sent = next((row for row in rows if row.submitted_at), None)
        if first_sent is not None:
            first_sent.return_reason = RETURN_REASON
            first_sent.version = 3 if is_open else 4
            if is_open:
                first_sent.state = SubmissionState.RETURNED
        Submission.objects.bulk_create(rows, batch_size=500)
        for row in rows:
            if row.submitted_at is None:
                continue
            versions.append(
                SubmissionVersion(
                    submission=row,
                    number=1,
                    progress=row.progress,
                    investment_completed=row.investment_completed,
                    problems=row.problems,
                    help_requested=row.help_requested,
                    submitted_at=row.submitted_at,
                    submitted_by=row.submitted_by,
                )
            )
            if row is first_sent and not is_open:
                versions.append(
                    SubmissionVersion(
                        submission=row,
                        number=2,
                        progress=row.progress + "（已核对投资数）",
                        investment_completed=row.investment_completed,
                        problems=row.problems,
                        help_requested=row.help_requested,
                        submitted_at=row.submitted_at + timedelta(hours=3),
                        submitted_by=row.submitted_by,
                    )
                )
        SubmissionVersion.objects.bulk_create(versions, batch_size=500)
