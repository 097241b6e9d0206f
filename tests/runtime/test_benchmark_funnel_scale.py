"""benchmarks/funnel_scale.py runs at any size: below 250,000 leads its deep-page cursor
used to point past the last lead (IndexError after all the timed work)."""

import importlib.util
from pathlib import Path

import pytest

from tests.support import postgres_only

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [postgres_only, pytest.mark.django_db(transaction=True)]


def _benchmark():
    spec = importlib.util.spec_from_file_location(
        "funnel_scale", ROOT / "benchmarks" / "funnel_scale.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_deep_page_is_page_10000_or_the_last_one():
    deep_page = _benchmark().deep_page

    assert deep_page(1_000_000, 25) == 10_000
    assert deep_page(250_000, 25) == 10_000
    assert deep_page(100_000, 25) == 4_000
    assert deep_page(100_000, 50) == 2_000
    assert deep_page(301, 50) == 7


def test_runs_to_the_end_on_a_small_database(capsys):
    _benchmark().main(["--leads", "300", "--repeat", "1"])

    report = capsys.readouterr().out
    assert "Data: 300 leads" in report
    assert "lead list HTML page 1 / 12" in report
    assert "lead list API page 1 / 6" in report
    # The breakdowns part (benchmarks/funnel_breakdowns.py, a sibling module), every view
    # timed against its hand-written statement.
    assert "API by owner" in report
    assert "a rep's own figures" in report
    assert "campaign ROI API (metrics/campaigns/)" in report
    # ROI's revenue: the summary, PostgreSQL's one statement and the four queries agree.
    assert "summary == live statement == four queries: True" in report
    # Every metrics API answer from the summaries equals the live path's.
    assert "Summaries against the live path" in report
    assert "DIFFERENT" not in report


def test_runs_the_breakdowns_alone(capsys):
    _benchmark().main(["--leads", "300", "--repeat", "1", "--only", "breakdowns"])

    report = capsys.readouterr().out
    assert "campaign ROI tab (/dashboard/campaigns/)" in report
    assert "lead list" not in report
