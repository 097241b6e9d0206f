"""Every dashboard preset names a different window, on every day of the year: "Last 12
months" once equalled "Year to date" all December."""

from datetime import date, timedelta

import pytest

from funnel.metrics.window import PRESET_KEYS, window_for_preset


@pytest.mark.parametrize("today", [date(2026, 12, 4), date(2026, 12, 31), date(2027, 1, 1)])
def test_last_12_months_is_not_year_to_date(today):
    assert window_for_preset("last_12_months", today=today) != window_for_preset(
        "year_to_date", today=today
    )


def test_no_two_presets_share_a_window_on_any_day_of_a_year():
    day = date(2026, 1, 1)
    while day.year == 2026:
        windows = [window_for_preset(key, today=day) for key in PRESET_KEYS]
        clashes = {
            (a, b)
            for i, a in enumerate(PRESET_KEYS)
            for j, b in enumerate(PRESET_KEYS)
            if i < j and windows[i] == windows[j]
        }
        # On the first of a month "this month" is one day, as is the first day of a
        # quarter or a year: those equalities are the calendar's, not the presets'.
        assert not {c for c in clashes if "last_12_months" in c}, (day, clashes)
        day += timedelta(days=1)
