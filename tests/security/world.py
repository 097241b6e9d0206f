"""One small world with a record of every kind, owned by different people, and the cast of
callers the authorization matrix and the API fuzzing use: anonymous, an API key of each
scope, a marketer, rep A, rep B and a manager."""

from dataclasses import dataclass, field

from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from funnel.stages import Stage
from integrations.api_keys.services import api_key_create
from integrations.webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookEvent
from leads.models import Lead
from marketing.models import Campaign, Spend, Touch
from tests.factories import CampaignFactory
from tests.marketing.factories import SpendFactory, TouchFactory
from tests.sales.factories import lead_in
from tests.sales.world import World as SalesWorld
from tests.sales.world import build_world

ROLES = ("anonymous", "key_read", "key_write", "marketer", "rep_a", "rep_b", "manager")


@dataclass
class World:
    sales: SalesWorld
    campaign: Campaign
    spend: Spend
    touch: Touch
    webhook: WebhookEndpoint
    delivery: WebhookDelivery
    raw_keys: dict[str, str] = field(default_factory=dict)
    # Leads by who owns them: rep A's, rep B's, nobody's (each in a few stages).
    leads: dict[str, list[Lead]] = field(default_factory=dict)

    def user(self, role: str):
        return {
            "anonymous": None,
            "key_read": None,
            "key_write": None,
            "marketer": self.sales.marketer,
            "rep_a": self.sales.a.rep,
            "rep_b": self.sales.b.rep,
            "manager": self.sales.manager,
        }[role]

    def client(self, role: str) -> APIClient:
        client = APIClient()
        if role in self.raw_keys:
            client.credentials(HTTP_AUTHORIZATION=f"Api-Key {self.raw_keys[role]}")
        elif role != "anonymous":
            token, _ = Token.objects.get_or_create(user=self.user(role))
            client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client


def build() -> World:
    sales = build_world()
    a, b = sales.a.rep, sales.b.rep
    leads = {
        "rep_a": [sales.a.lead, lead_in(Stage.LEAD, owner=a), lead_in(Stage.CUSTOMER, owner=a)],
        "rep_b": [sales.b.lead, lead_in(Stage.LEAD, owner=b), lead_in(Stage.CUSTOMER, owner=b)],
        "nobody": [sales.pool_lead, lead_in(Stage.LEAD), lead_in(Stage.CUSTOMER)],
    }
    campaign = CampaignFactory(owner=sales.marketer)
    webhook = WebhookEndpoint.objects.create(
        url="https://hooks.example.com/funnel", events=["lead.created"], created_by=sales.manager
    )
    event = WebhookEvent.objects.create(
        type="lead.created",
        occurred_at=timezone.now(),
        lead_id=sales.a.lead.pk,
        data={"lead": {"id": sales.a.lead.pk}},
    )
    world = World(
        sales=sales,
        campaign=campaign,
        spend=SpendFactory(campaign=campaign),
        touch=TouchFactory(lead=sales.a.lead, campaign=campaign),
        webhook=webhook,
        # Dead-lettered, so a manager may replay it.
        delivery=WebhookDelivery.objects.create(
            event=event, endpoint=webhook, status=WebhookDelivery.Status.DEAD
        ),
        leads=leads,
    )
    for role, scope in (("key_read", "read"), ("key_write", "read_write")):
        _, world.raw_keys[role] = api_key_create(name=role, scope=scope)
    return world
