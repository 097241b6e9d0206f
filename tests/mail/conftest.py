import pytest

from tests.mail.smtp_sink import SmtpSink


@pytest.fixture
def smtp(settings):
    """A real SMTP server; Django's SMTP backend sends to it."""
    with SmtpSink() as sink:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = sink.port
        settings.EMAIL_USE_TLS = False
        settings.EMAIL_HOST_USER = ""
        settings.EMAIL_HOST_PASSWORD = ""
        yield sink


@pytest.fixture
def prospect(db, rep):
    from funnel.services import lead_transition
    from funnel.stages import Cause, Stage
    from tests import factories

    lead = factories.LeadFactory(
        owner=rep, first_name="Ada", last_name="Lovelace", company="Analytical Engines"
    )
    lead_transition(lead_id=lead.pk, to_stage=Stage.PROSPECT, cause=Cause.MANUAL)
    lead.refresh_from_db()
    return lead


@pytest.fixture
def login(db):
    from django.test import Client

    def make(user):
        client = Client()
        client.force_login(user)
        return client

    return make
