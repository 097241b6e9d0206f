"""Issue 6's first browser flow: a marketer signs in, creates a campaign, and imports a
CSV of leads into it: upload, preview with the suggested column mapping, a dry run, then
the import. Both runs are Celery jobs done by a real worker process (started once the dry
run is queued, so the page is seen waiting for it). Then the marketer sees the leads, and
the bad line reported.

`FUNNEL_SCREENSHOTS=1` saves the pages along the way to docs/screenshots/ (screens.py).
"""

from decimal import Decimal

import pytest
from django.db import connection
from playwright.sync_api import expect

from config.celery import app as celery_app
from leads.models import Lead
from marketing.models import Campaign, ImportJob, Touch
from tests import factories
from tests.browser import screens
from tests.browser.data import pipeline_build
from tests.browser.flows_support import SLOW, campaigns_dress, sign_in
from tests.celery_worker import WorkerProcess, database_url

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Badge scans from the fair: four new people, one already in Funnel (other case), and a
# line whose address is not one (line 5 of the file, counting the header).
CSV = """Email,First name,Last name,Company,Job title,Country
ines.garcia@fjord.example,Ines,Garcia,Fjord Analytics,CTO,Spain
tomas.berg@nordlys.example,Tomas,Berg,Nordlys Energi,Head of Sales,Norway
GRACE.HOPPER@Compiler.example,Grace,Hopper,Compiler Works,VP Engineering,United States
not-an-address,Bad,Line,Nowhere Ltd,Intern,France
li.wei@harbour.example,Li,Wei,Harbour Logistics,COO,Singapore
amara.okafor@savanna.example,Amara,Okafor,Savanna Pay,Founder,Nigeria
"""
NEW = [
    "ines.garcia@fjord.example",
    "tomas.berg@nordlys.example",
    "li.wei@harbour.example",
    "amara.okafor@savanna.example",
]


@pytest.fixture
def deferred_worker(live_server, settings, tmp_path):
    """A real Celery worker process on the test database and the configured broker
    (embedded SQLite file, or Redis in CI), created but not started: the test starts it
    when it wants, so it can look at a job while it waits in the queue.

    Everything the live server queues during the test goes to the worker's own queue
    (never the shared default one, where stale messages of other runs may wait). Uploads
    go to a scratch media folder the worker reads too: its FUNNEL_VAR_DIR is that folder's
    parent, and MEDIA_ROOT is VAR_DIR/media in the settings."""
    settings.MEDIA_ROOT = tmp_path / "media"
    worker = WorkerProcess(
        database_url=database_url(connection.settings_dict),
        broker_url=settings.CELERY_BROKER_URL,
        log_path=tmp_path / "worker.log",
        env={"FUNNEL_VAR_DIR": str(tmp_path)},
    )
    saved = celery_app.conf.task_default_queue, celery_app.conf.task_routes
    # No routes while the test runs: every task the live server queues goes to the
    # worker's own queue, whatever queue group it belongs to in production.
    _routing_set(worker.queue, ())
    try:
        yield worker
    finally:
        _routing_set(*saved)
        # Stopped before pytest-django empties the database (and PostgreSQL drops it).
        worker.stop()


def _routing_set(default_queue: str, routes) -> None:
    celery_app.conf.task_default_queue = default_queue
    celery_app.conf.task_routes = routes
    celery_app.amqp.flush_routes()
    celery_app.amqp.__dict__.pop("router", None)  # a cached Router keeps the old routes


def marketing_world_build():
    factories.MarketerFactory(username="mia", first_name="Mia", last_name="Chen")
    manager = factories.ManagerFactory(username="morgan", first_name="Morgan", last_name="Lee")
    reps = [factories.RepFactory(username="riley"), factories.RepFactory(username="casey")]
    pipeline_build(reps=reps, manager=manager, count=24)
    campaigns_dress()
    # Already in Funnel, without a campaign: the import updates it and credits the fair.
    return factories.LeadFactory(
        email="grace.hopper@compiler.example", first_name="Grace", last_name="", company=""
    )


def test_marketer_creates_a_campaign_and_imports_leads_into_it(live_server, page, deferred_worker):
    grace = marketing_world_build()
    leads_before = Lead.objects.count()

    sign_in(page, live_server, "mia")
    page.get_by_role("link", name="Campaigns", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Campaigns")
    screens.save(page, "campaign-list")
    screens.save(page, "campaign-list", phone=True)

    page.get_by_role("link", name="New campaign").click()
    page.get_by_label("Name", exact=True).fill("CRM Summit Berlin")
    page.get_by_label("Channel").select_option(label="Event")
    page.get_by_label("Status").select_option(label="Active")
    page.get_by_label("Budget").fill("12000")
    page.get_by_label("UTM campaign name").fill("crm-summit-berlin")
    screens.save(page, "campaign-form")
    page.get_by_role("button", name="Save campaign").click()
    expect(page.locator("#messages")).to_contain_text("Campaign “CRM Summit Berlin” saved.")
    expect(page.get_by_role("heading", level=1)).to_have_text("CRM Summit Berlin")
    summit = Campaign.objects.get(name="CRM Summit Berlin")
    assert (summit.channel, summit.status, summit.budget, summit.utm_campaign) == (
        "event",
        "active",
        Decimal("12000.00"),
        "crm-summit-berlin",
    )

    # Upload: the preview shows the first lines, each column mapped by its heading.
    page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name="Campaigns").click()
    page.get_by_role("link", name="Import leads").click()
    page.get_by_label("CSV file").set_input_files(
        files=[{"name": "summit-badge-scans.csv", "mimeType": "text/csv", "buffer": CSV.encode()}]
    )
    page.get_by_role("button", name="Upload and preview").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("summit-badge-scans.csv")
    expect(page.get_by_role("heading", name="Map the columns")).to_be_visible()
    expect(page.locator(".preview-table")).to_contain_text("tomas.berg@nordlys.example")
    suggested = {
        "Email": "email",
        "First name": "first_name",
        "Last name": "last_name",
        "Company": "company",
        "Job title": "title",
        "Country": "country",
    }
    for column, field in suggested.items():
        expect(page.get_by_label(column, exact=True)).to_have_value(field)
    page.get_by_label("Campaign").select_option(label="CRM Summit Berlin")
    page.get_by_label("Record a touch").select_option(label="Event attended")
    page.get_by_label("Import the good lines even if some lines are bad").check()
    screens.save(page, "import-preview")

    # The dry run waits in the queue until a worker takes it.
    page.get_by_role("button", name="Dry run").click()
    expect(page.get_by_role("heading", name="Progress")).to_be_visible()
    expect(page.locator("#import-progress")).to_contain_text("Queued (dry run)")
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.QUEUED and job.dry_run
    screens.save(page, "import-progress")

    deferred_worker.start()
    # htmx polls the progress and reloads the page when the job ends.
    expect(page.get_by_role("heading", name="Dry run finished")).to_be_visible(timeout=SLOW)
    outcome = page.locator(".details")
    expect(outcome).to_contain_text("Would create4 leads")
    expect(outcome).to_contain_text("Already in Funnel1")
    expect(outcome).to_contain_text("Bad lines1")
    assert Lead.objects.count() == leads_before, "a dry run writes no lead"
    screens.save(page, "import-dry-run")

    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.get_by_role("heading", name="Imported")).to_be_visible(timeout=SLOW)
    expect(outcome).to_contain_text("Created4 leads")
    expect(outcome).to_contain_text("Bad lines1")
    screens.save(page, "import-done")

    job.refresh_from_db()
    assert (job.status, job.dry_run, job.leads_new, job.leads_existing, job.rows_bad) == (
        "done",
        False,
        4,
        1,
        1,
    )
    assert Lead.objects.count() == leads_before + 4
    imported = Lead.objects.filter(source_campaign=summit)
    assert sorted(imported.values_list("email", flat=True)) == sorted([*NEW, grace.email])
    ines = Lead.objects.get(email="ines.garcia@fjord.example")
    assert (ines.first_name, ines.company, ines.title, ines.country, ines.stage) == (
        "Ines",
        "Fjord Analytics",
        "CTO",
        "Spain",
        "lead",
    )
    grace.refresh_from_db()
    assert (grace.company, grace.last_name) == ("Compiler Works", "Hopper")
    assert Touch.objects.filter(campaign=summit, kind="event_attended").count() == 5

    # The bad line is reported with its line number and reason.
    report_link = page.get_by_role("link", name="download the report")
    report = page.request.get(live_server.url + report_link.get_attribute("href"))
    lines = report.text().splitlines()
    assert lines[0] == "line,reason,content"
    assert len(lines) == 2 and lines[1].startswith("5,") and "not-an-address" in lines[1]

    # The campaign's page counts the leads, and its lead list shows them.
    page.goto(f"{live_server.url}/marketing/campaigns/{summit.pk}/")
    leads_fact = page.locator(".fact", has_text="Leads (first touch)")
    expect(leads_fact).to_contain_text("5")
    screens.save(page, "campaign-page")
    page.get_by_role("link", name="Its leads").click()
    expect(page.get_by_role("heading", name="5 leads match your filters")).to_be_visible()
    for name in ("Ines Garcia", "Tomas Berg", "Grace Hopper", "Li Wei", "Amara Okafor"):
        expect(page.get_by_role("link", name=name)).to_be_visible()
    expect(page.get_by_text("not-an-address")).to_have_count(0)

    page.get_by_role("link", name="Campaigns", exact=True).click()
    page.get_by_role("link", name="Results").first.click()
    expect(page.get_by_text("CRM Summit Berlin").first).to_be_visible()
    screens.save(page, "campaign-results")
