"""UTM names are one name in any letter case: unique so, and matched so."""

import importlib

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from marketing.models import Campaign, Touch
from marketing.selectors import campaigns_by_utm_name
from tests.factories import CampaignFactory, LeadFactory

pytestmark = pytest.mark.django_db
CAMPAIGNS = "/api/v1/campaigns/"
TOUCHES = "/api/v1/touches/"
MIGRATION = importlib.import_module("marketing.migrations.0007_campaign_utm_name_unique_any_case")


def campaign_payload(utm: str) -> dict:
    return {"name": f"Campaign {utm}", "channel": "email", "utm_campaign": utm}


def test_a_name_differing_only_in_case_is_refused_by_the_api(marketer_api):
    assert marketer_api.post(CAMPAIGNS, campaign_payload("spring-x")).status_code == 201

    response = marketer_api.post(CAMPAIGNS, campaign_payload("SPRING-x"))

    assert response.status_code == 400
    assert "UTM name" in response.json()["utm_campaign"][0]
    assert Campaign.objects.count() == 1


def test_renaming_to_another_campaigns_name_in_other_case_is_refused(marketer_api):
    CampaignFactory(utm_campaign="spring-x")
    other = CampaignFactory(utm_campaign="autumn")

    response = marketer_api.patch(f"{CAMPAIGNS}{other.pk}/", {"utm_campaign": "Spring-X"})

    assert response.status_code == 400
    assert "utm_campaign" in response.json()
    other.refresh_from_db()
    assert other.utm_campaign == "autumn"


def test_a_campaign_may_change_the_case_of_its_own_name(marketer_api):
    campaign = CampaignFactory(utm_campaign="spring-x")

    response = marketer_api.patch(f"{CAMPAIGNS}{campaign.pk}/", {"utm_campaign": "Spring-X"})

    assert response.status_code == 200, response.json()
    campaign.refresh_from_db()
    assert campaign.utm_campaign == "Spring-X"


def test_the_database_refuses_a_clash_whoever_writes():
    CampaignFactory(utm_campaign="spring-x")
    with pytest.raises(IntegrityError), transaction.atomic():
        CampaignFactory(utm_campaign="SPRING-X")


def test_a_campaign_with_capitals_in_its_name_receives_its_touches(marketer_api):
    campaign = CampaignFactory(utm_campaign="Spring-X")
    lead = LeadFactory()
    body = [
        {"lead": lead.pk, "kind": "page_visit", "utm_campaign": name}
        for name in ("Spring-X", "spring-x", "SPRING-X ")
    ]

    response = marketer_api.post(TOUCHES, body)

    assert response.status_code == 201, response.json()
    assert list(Touch.objects.values_list("campaign_id", flat=True)) == [campaign.pk] * 3


def test_lookup_by_names_in_any_case_is_one_query(django_assert_num_queries):
    spring = CampaignFactory(utm_campaign="Spring-X")
    autumn = CampaignFactory(utm_campaign="autumn")
    CampaignFactory(utm_campaign="winter")

    with django_assert_num_queries(1):
        found = campaigns_by_utm_name(names=["SPRING-x", "Autumn", "nothing", ""])

    assert found == {"spring-x": spring.pk, "autumn": autumn.pk}


def test_campaign_search_finds_a_utm_name_in_any_case(marketer_api):
    campaign = CampaignFactory(name="Zeta", utm_campaign="Spring-X")

    response = marketer_api.get(CAMPAIGNS, {"search": "spring"})

    assert [row["id"] for row in response.json()["results"]] == [campaign.pk]


def test_migration_check_lists_clashing_campaigns_with_ids_and_how_to_fix():
    report = MIGRATION.utm_name_clash_report(
        [
            (3, "Spring A", "spring-x"),
            (7, "Spring B", "SPRING-x"),
            (9, "Autumn", "autumn"),
            (12, "Spring C", "Spring-X"),
        ]
    )

    assert report is not None
    assert "1 UTM name(s)" in report
    assert "id 3 'Spring A' ('spring-x')" in report
    assert "id 7 'Spring B' ('SPRING-x')" in report
    assert "id 12 'Spring C' ('Spring-X')" in report
    assert "Autumn" not in report
    assert "another UTM name" in report and "migrate" in report


def test_migration_check_passes_without_clashes():
    assert MIGRATION.utm_name_clash_report([(1, "A", "a"), (2, "B", "b")]) is None


@pytest.mark.django_db(transaction=True)
def test_migrating_over_existing_clashes_stops_and_changes_nothing():
    before = [("marketing", "0006_import_row_unlogged")]
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    try:
        old = executor.loader.project_state(before).apps.get_model("marketing", "Campaign")
        spring = old.objects.create(name="Spring", utm_campaign="spring-x", capture_key="k1")
        again = old.objects.create(name="Spring again", utm_campaign="SPRING-x", capture_key="k2")

        with pytest.raises(MIGRATION.UtmNameClash) as raised:
            MigrationExecutor(connection).migrate(latest)

        assert f"id {spring.pk} 'Spring' ('spring-x')" in str(raised.value)
        assert f"id {again.pk} 'Spring again' ('SPRING-x')" in str(raised.value)
        assert set(old.objects.values_list("utm_campaign", flat=True)) == {"spring-x", "SPRING-x"}
        again.utm_campaign = "spring-y"
        again.save()
        MigrationExecutor(connection).migrate(latest)  # Fixed as the message says: it passes.
        with pytest.raises(IntegrityError), transaction.atomic():
            CampaignFactory(utm_campaign="Spring-X")
    finally:
        MigrationExecutor(connection).migrate(latest)


def test_the_campaign_form_refuses_a_clash_with_a_message(client, marketer):
    CampaignFactory(utm_campaign="spring-x")
    client.force_login(marketer)

    response = client.post(
        reverse("marketing:campaign-create"),
        {
            "name": "Spring",
            "channel": "email",
            "status": "planned",
            "budget": "0",
            "utm_campaign": "SPRING-X",
        },
    )

    assert response.status_code == 400
    assert "Another campaign already uses this UTM name." in response.content.decode()
    assert Campaign.objects.count() == 1


def test_the_admin_refuses_a_clash_with_a_message(client, admin_user):
    CampaignFactory(utm_campaign="spring-x")
    client.force_login(admin_user)

    response = client.post(
        reverse("admin:marketing_campaign_add"),
        {
            "name": "Spring",
            "channel": "email",
            "status": "planned",
            "budget": "0",
            "utm_campaign": "SPRING-X",
        },
    )

    assert response.status_code == 200
    assert "Another campaign already uses this UTM name." in response.content.decode()
    assert Campaign.objects.count() == 1
