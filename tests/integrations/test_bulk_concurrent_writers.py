"""Concurrent writers (bulk upserts by different users, public capture, CSV import) on
the same addresses: one lead per address, created counts that add up, one `lead.created` per lead,
no supplied field lost, nobody rewriting a lead they may not edit. PostgreSQL only: SQLite
serialises every writer, so races cannot happen there."""

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.db import connection

from integrations.webhooks.models import WebhookEndpoint, WebhookEvent
from leads.models import Lead, LeadChange
from tests.factories import CampaignFactory, LeadFactory
from tests.integrations.api_key_clients import api_key_client
from tests.support import postgres_only

pytestmark = [postgres_only, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]


def run_writers(jobs: list[tuple[str, int, str, str]], emails: list[str]) -> list[int]:
    """One process per (kind, user or campaign id, case, fields), all at once; returns
    what each reports as created."""
    url = urlsplit(os.environ["DATABASE_URL"])
    test_db_url = urlunsplit(url._replace(path="/" + connection.settings_dict["NAME"]))
    env = {**os.environ, "DATABASE_URL": test_db_url, "CELERY_TASK_ALWAYS_EAGER": "true"}
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.integrations.concurrent_writer", kind, str(who),
             str(seed), case, fields, *emails],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        for seed, (kind, who, case, fields) in enumerate(jobs)
    ]  # fmt: skip
    created = []
    for proc in procs:
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err[-3000:]
        created.append(json.loads(out.strip().splitlines()[-1])["created"])
    return created


@pytest.fixture
def hook(db):
    return WebhookEndpoint.objects.create(url="https://93.184.216.34/hook", events=["lead.created"])


def test_api_key_and_rep_racing_on_new_addresses(hook, rep):
    """The issue's race: a read-write key with company/phone/consent and rep1 with only a
    first name, addresses differing in case."""
    _, api_key, _ = api_key_client()
    emails = [f"race{n}@example.com" for n in range(300)]

    created = run_writers(
        [
            ("bulk", api_key.user_id, "lower", "company=Acme,phone=555,marketing_consent=true"),
            ("bulk", rep.pk, "upper", "first_name=Rita"),
        ],
        emails,
    )

    assert Lead.objects.count() == 300
    assert sum(created) == 300
    assert WebhookEvent.objects.filter(type="lead.created").count() == 300
    assert Lead.objects.filter(company="Acme", phone="555", marketing_consent=True).count() == 300
    # Rep1 only ever wrote leads it owns (it created them); the key's fields reached all.
    assert not Lead.objects.filter(first_name="Rita").exclude(owner=rep).exists()
    assert Lead.objects.filter(owner=rep).count() == created[1]


@pytest.mark.parametrize("writers", [4, 16])
def test_many_writers_on_new_and_existing_addresses(hook, manager, marketer, writers):
    campaign = CampaignFactory()
    emails = [f"mix{n}@example.com" for n in range(120)]
    known = {LeadFactory(email=email, last_name="Kept").pk for email in emails[:30]}
    fields = ["company", "phone", "title", "first_name", "last_name"]
    jobs = [("import", marketer.pk, "lower", "industry=Solar")]
    for n in range(1, writers):
        if n % 4 == 3:
            jobs.append(("capture", campaign.pk, "upper", "country=DE,marketing_consent=true"))
        else:
            user = manager if n % 2 else marketer
            name = fields[n % len(fields)]
            jobs.append(("bulk", user.pk, "lower" if n % 2 else "upper", f"{name}=v{n}"))

    created = run_writers(jobs, emails)

    assert Lead.objects.count() == 120
    assert sum(created) == 90
    # Every creator, the import included, announces exactly the leads it created.
    events = WebhookEvent.objects.filter(type="lead.created")
    assert events.count() == 90
    assert set(events.values_list("lead_id", flat=True)) == set(
        Lead.objects.exclude(pk__in=known).values_list("pk", flat=True)
    )
    for kind, _, _, raw in jobs:
        for pair in raw.split(","):
            name = pair.split("=")[0]
            if name == "marketing_consent":
                assert Lead.objects.filter(marketing_consent=True).count() == 120
                continue
            # Writers on the same field race (the last one wins); none leaves it empty.
            assert not Lead.objects.filter(**{name: ""}).exists(), (kind, name)
    # Capture only ever filled empty fields.
    filled = LeadChange.objects.filter(source="capture")
    assert not filled.exclude(old_value__in=["", "false"]).exclude(old_value=None).exists()
