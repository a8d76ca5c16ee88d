"""The deadline-phrase parser on the document's phrases and on malformed input."""

from datetime import date

import pytest

from apps.core.deadline_phrases import (
    DeadlinePhraseError,
    add_months,
    chinese_number,
    deadline_dates,
    parse_deadline_phrase,
)

BASE = date(2023, 1, 28)


def test_parse_three_years_take_shape():
    assert deadline_dates("三年成形", BASE) == [(date(2026, 1, 28), "成形", "三年成形")]


def test_parse_two_clause_phrase_gives_two_milestones():
    assert deadline_dates("两年见成效、三年大变样", BASE) == [
        (date(2025, 1, 28), "见成效", "两年见成效"),
        (date(2026, 1, 28), "大变样", "三年大变样"),
    ]


def test_parse_quoted_phrase_as_the_document_writes_it():
    assert [s.clause for s in parse_deadline_phrase("“两年见成效、三年大变样”")] == [
        "两年见成效",
        "三年大变样",
    ]


def test_parse_months_and_arabic_digits():
    assert deadline_dates("13个月实现产品点亮", date(2021, 10, 25)) == [
        (date(2022, 11, 25), "实现产品点亮", "13个月实现产品点亮")
    ]


def test_parse_one_year_ignition():
    assert deadline_dates("1年点火投产", date(2022, 1, 1))[0][0] == date(2023, 1, 1)


def test_parse_half_year_and_days():
    assert deadline_dates("半年见效", BASE)[0][0] == date(2023, 7, 28)
    assert deadline_dates("三十天完成整改", BASE)[0][0] == date(2023, 2, 27)


def test_add_months_clamps_to_month_end():
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2023, 1, 31), 1) == date(2023, 2, 28)
    assert add_months(date(2023, 11, 30), 3) == date(2024, 2, 29)


def test_chinese_numbers():
    assert [
        chinese_number(t) for t in ["三", "两", "十", "十二", "二十", "二十四", "一百", "7"]
    ] == [3, 2, 10, 12, 20, 24, 100, 7]


@pytest.mark.parametrize(
    "phrase",
    [
        "",
        "   ",
        "成形",
        "三年",
        "年成形",
        "三个年成形",
        "-3年成形",
        "零年成形",
        "半月见效",
        "abc",
        "两年见成效、大变样",
    ],
)
def test_parse_malformed_phrase_raises_clear_error(phrase):
    with pytest.raises(DeadlinePhraseError) as excinfo:
        parse_deadline_phrase(phrase)
    assert str(excinfo.value)


def test_deadline_dates_past_the_year_9999_raise_clear_error():
    with pytest.raises(DeadlinePhraseError) as excinfo:
        deadline_dates("三年成形", date(9999, 12, 31))

    assert str(excinfo.value) == "从 9999-12-31 起按“三年成形”推算，日期超过了 9999 年。"
