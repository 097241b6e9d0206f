"""The layout's time filters: one unit, never a negative or odd phrase."""

from datetime import timedelta

from django.utils import timezone

from funnel.templatetags.funnel_ui import age, ago


def test_ago_says_one_unit():
    now = timezone.now()
    assert ago(now - timedelta(days=3, hours=10)) == "3\xa0days ago"
    assert ago(now - timedelta(seconds=20)) == "just now"
    assert ago(now + timedelta(minutes=5)) == "just now"
    assert ago(None) == ""


def test_age_says_how_long():
    now = timezone.now()
    assert age(now - timedelta(weeks=3, days=2)) == "3\xa0weeks"
    assert age(now) == "a moment"
    assert age(None) == ""
