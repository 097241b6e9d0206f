"""The single-currency data migrates: every deal and spend line that existed before
multi-currency is in the company currency (FUNNEL_CURRENCY) afterwards."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from marketing.models import Spend
from sales.models import Deal

BEFORE = [("sales", "0003_deal_title_trigram_index"), ("marketing", "0012_import_job_lease")]


@pytest.mark.django_db(transaction=True)
def test_existing_deals_and_spend_take_the_company_currency(settings):
    settings.FUNNEL_CURRENCY = "EUR"
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        old = executor.loader.project_state(BEFORE).apps
        campaign = old.get_model("marketing", "Campaign").objects.create(
            name="Old", utm_campaign="old", capture_key="k-old"
        )
        old.get_model("marketing", "Spend").objects.create(
            campaign=campaign, day=date(2026, 5, 1), amount=Decimal("12.34")
        )
        lead = old.get_model("leads", "Lead").objects.create(email="old@example.com")
        old.get_model("sales", "Deal").objects.create(
            lead=lead, title="Old deal", amount=Decimal("99.00")
        )

        MigrationExecutor(connection).migrate(latest)

        assert list(Spend.objects.values_list("amount", "currency")) == [(Decimal("12.34"), "EUR")]
        assert list(Deal.objects.values_list("amount", "currency")) == [(Decimal("99.00"), "EUR")]
    finally:
        MigrationExecutor(connection).migrate(latest)
