"""The CSV import follows the merge policy: per column overwrite / fill empty / skip, a
rep's prospect keeps its values by default, the dry run shows field-level changes, and
every change is in the leads' field history with the import's id."""

import pytest

from leads.models import LeadChange
from tests.factories import LeadFactory
from tests.marketing.imports import job_from, run

pytestmark = pytest.mark.django_db

FILE = (
    "email,first_name,last_name,company,phone\npeggy@example.com,Dmitri,Haddad,Helios Solar,555\n"
)


def test_a_reps_prospect_keeps_its_values_and_gets_empty_ones_filled(marketer, rep):
    peggy = LeadFactory(
        email="peggy@example.com", first_name="Peggy", last_name="Torres", company="", phone="",
        owner=rep,
    )  # fmt: skip

    job = run(job_from(FILE, user=marketer))

    peggy.refresh_from_db()
    assert (peggy.first_name, peggy.last_name) == ("Peggy", "Torres")
    assert (peggy.company, peggy.phone) == ("Helios Solar", "555")
    assert job.leads_changed == 1
    rows = LeadChange.objects.filter(lead=peggy)
    assert set(rows.values_list("field", "old_value", "new_value")) == {
        ("company", "", "Helios Solar"),
        ("phone", "", "555"),
    }
    assert {(r.source, r.import_job_id, r.actor_id) for r in rows} == {
        ("import", job.pk, marketer.pk)
    }


def test_unowned_leads_are_overwritten_by_default(marketer):
    lead = LeadFactory(email="peggy@example.com", first_name="Peggy", owner=None)

    run(job_from(FILE, user=marketer))

    lead.refresh_from_db()
    assert lead.first_name == "Dmitri"


def test_column_modes_chosen_by_the_importer(marketer, rep):
    lead = LeadFactory(
        email="peggy@example.com", first_name="Peggy", last_name="Torres", company="Old",
        phone="", owner=rep,
    )  # fmt: skip

    run(
        job_from(FILE, user=marketer),
        column_modes={"first_name": "overwrite", "company": "skip", "phone": "fill_empty"},
    )

    lead.refresh_from_db()
    assert (lead.first_name, lead.last_name, lead.company, lead.phone) == (
        "Dmitri",  # overwrite, though someone else owns it
        "Torres",  # auto: someone else's non-empty value stays
        "Old",  # skipped
        "555",  # filled
    )


def test_the_dry_run_lists_old_and_new_per_lead_and_counts_per_field(marketer, rep):
    lead = LeadFactory(
        email="peggy@example.com",
        first_name="Peggy",
        last_name="",
        company="",
        phone="",
        owner=rep,
    )
    content = FILE + "new@example.com,Ann,Lee,Co,1\n"

    job = run(
        job_from(content, user=marketer), dry_run=True, column_modes={"first_name": "overwrite"}
    )

    preview = job.changes_preview
    assert preview["leads_changed"] == 1
    assert preview["counts"] == {"first_name": 1, "company": 1, "phone": 1, "last_name": 1}
    assert preview["leads"] == [
        {
            "id": lead.pk,
            "email": "peggy@example.com",
            "changes": {
                "first_name": ["Peggy", "Dmitri"],
                "last_name": ["", "Haddad"],
                "company": ["", "Helios Solar"],
                "phone": ["", "555"],
            },
        }
    ]
    assert "1 existing lead changed (company 1, first_name 1, last_name 1, phone 1)" in job.message
    lead.refresh_from_db()
    assert lead.first_name == "Peggy"
    assert not LeadChange.objects.exists()


def test_an_unknown_column_mode_is_refused(marketer):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        run(job_from(FILE, user=marketer), column_modes={"first_name": "clobber"})
