"""The email pages: compose from the lead page (preview, send, schedule, refusals), the
Outbox, the suppression list; who may open which; query counts."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from mail import sending, services
from mail.models import EmailTemplate, Message, SinkMessage, Suppression
from sales.models import Activity
from tests import factories


def compose_url(lead):
    return reverse("mail:compose", args=[lead.pk])


def test_lead_page_email_button_opens_the_composer(login, prospect, rep):
    html = login(rep).get(reverse("leads:detail", args=[prospect.pk])).content.decode()
    assert f'id="lead-email" href="{compose_url(prospect)}"' in html


def test_preview_fills_merge_fields_and_sends_nothing(login, prospect, rep):
    response = login(rep).post(
        compose_url(prospect),
        {"subject": "Hi {{ first_name }}", "body_text": "About {{ company }}", "action": "preview"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Hi Ada" in html and "About Analytical Engines" in html
    assert not Message.objects.exists()


def test_send_from_a_template_goes_out_and_lands_on_the_timeline(login, prospect, rep, settings):
    settings.EMAIL_BACKEND = "mail.backends.SinkBackend"
    template = services.template_save(
        owner=rep,
        name="Intro",
        subject="Hello {{ first_name }}",
        body_text="Hi from {{ rep_name }}",
    )
    response = login(rep).post(compose_url(prospect), {"template": template.pk, "action": "send"})
    assert response.status_code == 302
    message = Message.objects.get()
    assert message.subject == "Hello Ada" and message.template == template
    sending.messages_send()
    assert SinkMessage.objects.get().subject == "Hello Ada"
    timeline = login(rep).get(reverse("leads:detail", args=[prospect.pk])).content.decode()
    assert Activity.objects.get(lead=prospect).kind == "email"
    assert "Hello Ada" in timeline


def test_schedule_keeps_the_message_until_its_time(login, prospect, rep):
    when = (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    login(rep).post(
        compose_url(prospect),
        {"subject": "Later", "body_text": "x", "send_after": when, "action": "send"},
    )
    message = Message.objects.get()
    assert message.send_after > timezone.now() + timedelta(hours=23)
    assert sending.messages_send() == 0


def test_unknown_merge_field_is_a_400_with_the_field_named(login, prospect, rep):
    response = login(rep).post(
        compose_url(prospect), {"subject": "x", "body_text": "{{ nickname }}", "action": "send"}
    )
    assert response.status_code == 400
    assert "{{ nickname }}" in response.content.decode()
    assert not Message.objects.exists()


def test_suppressed_lead_is_a_400_explaining_why(login, prospect, rep):
    services.suppression_add(email=prospect.email, reason=Suppression.Reason.UNSUBSCRIBE)
    response = login(rep).post(
        compose_url(prospect), {"subject": "x", "body_text": "y", "action": "send"}
    )
    assert response.status_code == 400
    assert "suppression list" in response.content.decode()


def test_another_reps_lead_is_404_and_a_visible_unowned_one_403(login, rep, other_rep):
    theirs = factories.LeadFactory(owner=other_rep)
    pool = factories.LeadFactory(owner=None)
    assert login(rep).get(compose_url(theirs)).status_code == 404
    assert login(rep).get(compose_url(pool)).status_code == 403


def test_suppression_page_is_for_managers(login, manager, rep):
    assert login(rep).get(reverse("mail:suppressions")).status_code == 403
    client = login(manager)
    response = client.post(reverse("mail:suppressions"), {"email": "Someone@Example.com"})
    assert response.status_code == 302
    assert Suppression.objects.get().email == "someone@example.com"
    assert client.post(reverse("mail:suppressions"), {"email": "nope"}).status_code == 400


def test_a_manager_lifts_a_bounce_but_not_an_unsubscribe(login, manager):
    bounce, _ = services.suppression_add(email="b@x.io", reason=Suppression.Reason.HARD_BOUNCE)
    unsub, _ = services.suppression_add(email="u@x.io", reason=Suppression.Reason.UNSUBSCRIBE)
    client = login(manager)
    client.post(reverse("mail:suppression_remove", args=[bounce.pk]))
    client.post(reverse("mail:suppression_remove", args=[unsub.pk]))
    assert list(Suppression.objects.values_list("email", flat=True)) == ["u@x.io"]


def test_outbox_shows_a_rep_only_mail_to_leads_they_see(login, rep, other_rep, settings):
    settings.EMAIL_BACKEND = "mail.backends.SinkBackend"
    for owner, subject in ((rep, "Mine"), (other_rep, "Theirs")):
        lead = factories.LeadFactory(owner=owner, marketing_consent=True)
        services.message_compose(lead=lead, sender=owner, subject=subject, body_text="x")
    sending.messages_send()
    html = login(rep).get(reverse("mail:outbox")).content.decode()
    assert "Mine" in html and "Theirs" not in html


def test_query_counts_do_not_grow_with_rows(
    login, manager, prospect, rep, settings, django_assert_max_num_queries
):
    settings.EMAIL_BACKEND = "mail.backends.SinkBackend"
    for i in range(30):
        services.message_compose(lead=prospect, sender=rep, subject=f"S{i}", body_text="x")
        services.suppression_add(email=f"s{i}@x.io", reason=Suppression.Reason.MANUAL)
    EmailTemplate.objects.create(name="T", subject="s", body_text="b")
    sending.messages_send()
    client = login(manager)
    owner = login(rep)
    with django_assert_max_num_queries(8):
        assert client.get(reverse("mail:outbox") + "?show=1").status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get(reverse("mail:suppressions")).status_code == 200
    with django_assert_max_num_queries(9):
        assert owner.get(compose_url(prospect)).status_code == 200


def test_mark_as_replied_from_the_composer(login, prospect, rep, settings):
    settings.EMAIL_BACKEND = "mail.backends.SinkBackend"
    message = services.message_compose(lead=prospect, sender=rep, subject="Q", body_text="x")
    sending.messages_send()
    client = login(rep)
    assert "Mark as replied" in client.get(compose_url(prospect)).content.decode()
    response = client.post(reverse("mail:mark_replied", args=[message.pk]))
    assert response.status_code == 302
    message.refresh_from_db()
    assert message.replied_at is not None
    html = client.get(compose_url(prospect)).content.decode()
    assert "Mark as replied" not in html and "Replied" in html


def test_send_me_a_test_goes_to_the_rep_only_and_writes_no_message(login, prospect, rep):
    from django.core import mail as django_mail

    rep.email = "riley@sales.example"
    rep.save(update_fields=["email"])
    response = login(rep).post(
        compose_url(prospect),
        {"subject": "Hi {{ first_name }}", "body_text": "About {{ company }}", "action": "test"},
    )
    assert response.status_code == 200
    assert "Test sent to riley@sales.example" in response.content.decode()
    assert [m.subject for m in django_mail.outbox] == ["[Test] Hi Ada"]
    assert django_mail.outbox[0].to == ["riley@sales.example"]
    assert not Message.objects.exists()
