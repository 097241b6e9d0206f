"""The small, ORM-written part of `seed_bulk`: users, campaigns, spend ledger, quotas."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection

from funnel.roles import MANAGERS, MARKETING, SALES
from marketing.models import Campaign

SEASONS = ["Winter", "Spring", "Summer", "Autumn"]
CHANNEL_WEIGHTS = {
    "email": 4,
    "paid_search": 4,
    "social": 3,
    "content": 3,
    "webinar": 2,
    "event": 1,
    "referral": 1,
    "other": 1,
}


def table_exists(model) -> bool:
    return model._meta.db_table in connection.introspection.table_names()


@dataclass
class World:
    reps: list[int]
    campaigns: list[Campaign]


def _user(username: str, role: str, first: str, last: str):
    user, created = get_user_model().objects.get_or_create(
        username=username,
        defaults={"first_name": first, "last_name": last, "email": f"{username}@example.com"},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    user.groups.add(Group.objects.get_or_create(name=role)[0])
    return user


def world_create(*, seed: int, first_day: date, last_day: date, reps: int, campaigns: int) -> World:
    rng = random.Random(seed)
    _user("seed-manager", MANAGERS, "Morgan", "Manager")
    _user("seed-marketer", MARKETING, "Maya", "Marketer")
    firsts = ["Alex", "Sam", "Jordan", "Taylor", "Casey", "Riley", "Jamie", "Avery", "Quinn"]
    lasts = ["Garcia", "Smith", "Chen", "Okafor", "Novak", "Silva", "Khan", "Larsen", "Ito"]
    rep_ids = [
        # Distinct names for up to 81 reps: (first, last) pairs never repeat.
        _user(f"seed-rep-{n:02d}", SALES, firsts[n % 9], lasts[(n % 9 + n // 9) % 9]).pk
        for n in range(1, reps + 1)
    ]
    span = (last_day - first_day).days
    channels = list(CHANNEL_WEIGHTS)
    created = []
    for n in range(campaigns):
        starts = first_day + timedelta(days=int(span * n / max(campaigns, 1)) - 20)
        ends = starts + timedelta(days=rng.randint(30, 180))
        channel = rng.choices(channels, weights=list(CHANNEL_WEIGHTS.values()))[0]
        campaign, _ = Campaign.objects.get_or_create(
            utm_campaign=f"seed{seed}-{n:03d}",
            defaults={
                "name": f"{SEASONS[starts.month % 12 // 3]} {starts.year} "
                f"{dict(Campaign.Channel.choices)[channel]} #{n + 1}",
                "channel": channel,
                "status": "completed" if ends < last_day else "active",
                "starts_on": starts,
                "ends_on": ends,
                "budget": Decimal(rng.randrange(5_000, 80_000, 500)),
            },
        )
        created.append(campaign)
    return World(reps=rep_ids, campaigns=created)


def spend_rows(*, world: World, seed: int, last_day: date):
    """(campaign id, day, amount) for each running day of each campaign."""
    rng = random.Random(seed + 1)
    for campaign in world.campaigns:
        ends = min(campaign.ends_on, last_day)
        days = (ends - campaign.starts_on).days + 1
        if days <= 0:
            continue
        daily = float(campaign.budget) / ((campaign.ends_on - campaign.starts_on).days + 1)
        for offset in range(days):
            amount = round(daily * rng.uniform(0.6, 1.4), 2)
            yield campaign.pk, campaign.starts_on + timedelta(days=offset), f"{amount:.2f}"


def quotas_create(*, world: World, first_day: date, last_day: date, seed: int) -> int:
    from sales.models import Quota

    if not table_exists(Quota):
        return 0
    rng = random.Random(seed + 2)
    rows = []
    month = first_day.replace(day=1)
    while month <= last_day:
        following = (month + timedelta(days=32)).replace(day=1)
        for rep in world.reps:
            rows.append(
                Quota(
                    owner_id=rep,
                    period="month",
                    starts_on=month,
                    ends_on=following - timedelta(days=1),
                    target=Decimal(rng.randrange(30_000, 90_000, 1_000)),
                )
            )
        if month.month in (1, 4, 7, 10):
            quarter_end = (month + timedelta(days=95)).replace(day=1) - timedelta(days=1)
            rows.append(
                Quota(
                    owner=None,
                    period="quarter",
                    starts_on=month,
                    ends_on=quarter_end,
                    target=Decimal(len(world.reps) * 150_000),
                )
            )
        month = following
    Quota.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)
