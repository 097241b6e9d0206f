"""Factories for every record; tests build data through these, never by hand."""

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from funnel.roles import MANAGERS, MARKETING, SALES
from leads.models import Lead
from marketing.models import Campaign

PASSWORD = "funnel-test-pass"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if create and extracted:
            group, _ = Group.objects.get_or_create(name=extracted)
            self.groups.add(group)


class ManagerFactory(UserFactory):
    username = factory.Sequence(lambda n: f"manager{n}")
    role = MANAGERS


class MarketerFactory(UserFactory):
    username = factory.Sequence(lambda n: f"marketer{n}")
    role = MARKETING


class RepFactory(UserFactory):
    username = factory.Sequence(lambda n: f"rep{n}")
    role = SALES


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign

    name = factory.Sequence(lambda n: f"Campaign {n}")
    utm_campaign = factory.Sequence(lambda n: f"campaign-{n}")
    channel = Campaign.Channel.EMAIL
    status = Campaign.Status.ACTIVE


class LeadFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Lead

    email = factory.Sequence(lambda n: f"lead{n}@example.com")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    company = factory.Faker("company")
