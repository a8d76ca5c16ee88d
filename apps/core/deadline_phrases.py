"""Turn the document's deadline phrases (三年成形, 两年见成效、三年大变样) into dated milestones.

A phrase is one or more clauses separated by 、，,；; or spaces. Each clause is a duration
(a number in Chinese or Arabic digits, then 年 / 个月 / 月 / 周 / 天 / 日) followed by the
outcome expected by then: 三年成形 -> (3 years, 成形). Dates are counted from a base date,
which the caller chooses: for the document's targets, the start the document gives, whose sentence
the fixtures cite (start_source_text). Where the document gives no start, there is no base date and
so no dates: a phrase is never counted from a day chosen for it.
"""

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_NUMBER = r"[0-9]+|[零〇一二两三四五六七八九十百]+|半"
_UNIT = r"个月|个星期|年|月|周|星期|天|日"
_CLAUSE = re.compile(
    rf"^(?:用|经过|力争)?(?P<number>{_NUMBER})(?P<unit>{_UNIT})(?:内|时间|左右)?(?P<outcome>.*)$"
)
_SEPARATORS = re.compile(r"[、，,；;\s]+")


class DeadlinePhraseError(ValueError):
    """The phrase is not a sequence of '<number><unit><outcome>' clauses."""


@dataclass(frozen=True)
class DeadlineStep:
    clause: str  # the clause as written, e.g. 两年见成效
    years: int
    months: int
    days: int
    outcome: str  # 见成效

    def due_from(self, base: date) -> date:
        try:
            return add_months(base, self.years * 12 + self.months) + timedelta(days=self.days)
        except (ValueError, OverflowError):
            raise DeadlinePhraseError(
                _("从 %(base)s 起按“%(clause)s”推算，日期超过了 9999 年。")
                % {"base": base.isoformat(), "clause": self.clause}
            ) from None


def duration_text(step: DeadlineStep) -> str:
    """How long after the start a clause falls due, in the reader's language: '3 年', '6 个月'."""
    if step.years:
        return ngettext("%(count)d 年", "%(count)d 年", step.years) % {"count": step.years}
    if step.months:
        return ngettext("%(count)d 个月", "%(count)d 个月", step.months) % {"count": step.months}
    if step.days % 7 == 0:
        weeks = step.days // 7
        return ngettext("%(count)d 周", "%(count)d 周", weeks) % {"count": weeks}
    return ngettext("%(count)d 天", "%(count)d 天", step.days) % {"count": step.days}


def chinese_number(text: str) -> int:
    """'三' -> 3, '十二' -> 12, '二十' -> 20, '13' -> 13."""
    if text.isdigit():
        return int(text)
    if not text or any(ch not in _DIGITS and ch not in "十百" for ch in text):
        raise DeadlinePhraseError(_("无法识别的数字：%(text)s") % {"text": text})
    total, current = 0, 0
    for ch in text:
        if ch in _DIGITS:
            current = _DIGITS[ch]
        elif ch == "十":
            total += (current or 1) * 10
            current = 0
        elif ch == "百":
            total += (current or 1) * 100
            current = 0
    return total + current


def add_months(base: date, months: int) -> date:
    """Calendar arithmetic: 31 Jan + 1 month = 28/29 Feb, not 3 March."""
    month_index = base.month - 1 + months
    year, month = base.year + month_index // 12, month_index % 12 + 1
    day = min(base.day, calendar.monthrange(year, month)[1])
    return date(year, month, day)


def parse_deadline_phrase(phrase: str) -> list[DeadlineStep]:
    """Split a phrase into its clauses; raise DeadlinePhraseError if any clause is not one."""
    text = (phrase or "").strip().strip("“”\"'「」")
    if not text:
        raise DeadlinePhraseError(_("期限表述为空。"))
    steps = []
    for clause in (part for part in _SEPARATORS.split(text) if part):
        match = _CLAUSE.match(clause)
        if not match:
            raise DeadlinePhraseError(
                _("无法识别的期限表述“%(clause)s”：应为“数字+年/个月/周/天+目标”，如“三年成形”。")
                % {"clause": clause}
            )
        number, unit = match["number"], match["unit"]
        outcome = match["outcome"].strip()
        if not outcome:
            raise DeadlinePhraseError(
                _("期限表述“%(clause)s”缺少要达到的目标。") % {"clause": clause}
            )
        years = months = days = 0
        if number == "半":
            if unit != "年":
                raise DeadlinePhraseError(_("“半”只能用于“半年”：%(clause)s") % {"clause": clause})
            months = 6
        else:
            value = chinese_number(number)
            if value <= 0:
                raise DeadlinePhraseError(_("期限必须大于零：%(clause)s") % {"clause": clause})
            if unit == "年":
                years = value
            elif unit in {"个月", "月"}:
                months = value
            elif unit in {"周", "星期", "个星期"}:
                days = value * 7
            else:
                days = value
        steps.append(DeadlineStep(clause, years, months, days, outcome))
    return steps


def deadline_dates(phrase: str, base: date) -> list[tuple[date, str, str]]:
    """[(due date, outcome, clause), ...] in the order the phrase gives them."""
    return [
        (step.due_from(base), step.outcome, step.clause) for step in parse_deadline_phrase(phrase)
    ]
