"""Factories for every record; tests build data through these, never by hand."""

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from funnel.roles import MANAGERS, MARKETING, SALES
from leads.models import Lead
from marketing.models import Campaign

PASSWORD = "funnel-test-pass"


def _join(user, group_name: str | None) -> None:
    if group_name:
        group, _ = Group.objects.get_or_create(name=group_name)
        user.groups.add(group)


def _role(default: str) -> factory.PostGeneration:
    return factory.PostGeneration(
        lambda user, create, extracted, **kw: _join(user, extracted or default)
    )


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password(PASSWORD)

    # UserFactory(role="sales") puts the user in that group; role factories default it.
    role = factory.PostGeneration(lambda user, create, extracted, **kw: _join(user, extracted))


class ManagerFactory(UserFactory):
    username = factory.Sequence(lambda n: f"manager{n}")
    role = _role(MANAGERS)


class MarketerFactory(UserFactory):
    username = factory.Sequence(lambda n: f"marketer{n}")
    role = _role(MARKETING)


class RepFactory(UserFactory):
    username = factory.Sequence(lambda n: f"rep{n}")
    role = _role(SALES)


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
