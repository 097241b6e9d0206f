"""A publish that fails after the commit is logged, never a 500: the change stands and the
sweep that re-derives the work does it (here: the owner of a new prospect)."""

import logging

import pytest
from django.urls import reverse

from funnel.stages import Stage
from leads.models import Lead
from marketing.imports import services as imports
from marketing.models import ImportJob
from sales.services import prospects_assign_ownerless
from tests import factories
from tests.marketing.imports import job_from

pytestmark = pytest.mark.django_db


def test_a_web_move_answers_while_the_broker_refuses_and_the_sweep_assigns_the_owner(
    login, manager, rep, broker_refusing, django_capture_on_commit_callbacks, caplog
):
    lead = factories.LeadFactory(owner=None)
    client = login(manager)

    with caplog.at_level(logging.WARNING), django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("leads:transition", args=[lead.pk]), {"to_stage": "prospect", "reason": ""}
        )

    assert response.status_code == 302
    lead.refresh_from_db()
    assert (lead.stage, lead.owner_id) == (Stage.PROSPECT, None)
    assert "Could not publish sales.tasks.prospects_assign_owner" in caplog.text

    assert prospects_assign_ownerless() == {lead.pk: rep.pk}
    assert Lead.objects.get(pk=lead.pk).owner == rep


def test_an_import_start_answers_while_the_broker_refuses_and_stays_resumable(
    broker_refusing, media_root, django_capture_on_commit_callbacks, caplog
):
    job = job_from("Email\nada@example.com\n")

    with caplog.at_level(logging.WARNING), django_capture_on_commit_callbacks(execute=True):
        imports.import_job_start(
            job=job, mapping=job.mapping, delimiter=",", dry_run=False, skip_bad_lines=False
        )

    job.refresh_from_db()
    assert job.status == ImportJob.Status.QUEUED
    assert job.lease_until is not None  # The resume sweep sends it again once this lapses.
    assert "Could not publish marketing.tasks.lead_import_run" in caplog.text
