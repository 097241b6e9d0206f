"""The template editor: who edits which template, the live preview for a chosen lead,
field errors for an unknown merge field and a body over 1 MB, HTML sanitised on save."""

from django.urls import reverse

from mail import services
from mail.models import EmailTemplate
from tests import factories

NEW = reverse("mail:template_create")
PREVIEW = reverse("mail:template_preview")


def body(**overrides) -> dict:
    return {
        "name": "Intro",
        "kind": "sales",
        "subject": "Hi {{ first_name }}",
        "body_text": "Hello from {{ company }}",
        "body_html": "",
        "action": "save",
        **overrides,
    }


def test_marketer_creates_a_marketing_template_with_sanitised_html(login, marketer):
    response = login(marketer).post(
        NEW,
        body(
            kind="marketing",
            body_html='<p onclick="x()">Hi <script>alert(1)</script>'
            '<a href="javascript:x">y</a></p>',
        ),
    )
    assert response.status_code == 302
    template = EmailTemplate.objects.get()
    assert template.kind == "marketing" and template.owner == marketer
    assert "script" not in template.body_html and "onclick" not in template.body_html
    assert "javascript" not in template.body_html and "<p>Hi" in template.body_html


def test_unknown_merge_field_is_a_field_error_and_nothing_is_saved(login, marketer):
    response = login(marketer).post(NEW, body(body_text="Hi {{ frist_name }}"))
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "body_text" in errors and "{{ frist_name }}" in errors["body_text"][0]
    assert not EmailTemplate.objects.exists()


def test_a_body_over_one_megabyte_is_a_field_error(login, marketer):
    response = login(marketer).post(NEW, body(body_html="<p>" + "x" * 1_000_001 + "</p>"))
    assert response.status_code == 400
    assert "1 MB" in response.context["form"].errors["body_html"][0]
    assert not EmailTemplate.objects.exists()


def test_live_preview_renders_for_the_chosen_lead(login, marketer):
    factories.LeadFactory(first_name="Zed", company="First Co")
    chosen = factories.LeadFactory(first_name="Grace", company="Navy", email="grace@navy.mil")
    response = login(marketer).post(
        PREVIEW,
        {
            "subject": "Hi {{ first_name }}",
            "body_text": "About {{ company }}",
            "body_html": "<p>{{ company }}<script>x</script></p>",
            "preview_email": chosen.email,
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Hi Grace" in html and "About Navy" in html and "<p>Navy</p>" in html
    assert "<script>" not in html
    missing = login(marketer).post(PREVIEW, {"subject": "x", "preview_email": "no@one.io"})
    assert "No lead you can see has this address." in missing.content.decode()


def test_live_preview_names_an_unknown_field(login, marketer):
    response = login(marketer).post(PREVIEW, {"subject": "Hi {{ nope }}", "body_text": "x"})
    assert "Unknown merge field {{ nope }}" in response.content.decode()


def test_rep_edits_only_their_own_sales_templates(login, rep, other_rep):
    mine = services.template_save(owner=rep, name="Mine", subject="s", body_text="b")
    theirs = services.template_save(owner=other_rep, name="Theirs", subject="s", body_text="b")
    client = login(rep)
    listing = client.get(reverse("mail:template_list")).content.decode()
    assert reverse("mail:template_edit", args=[mine.pk]) in listing
    assert reverse("mail:template_edit", args=[theirs.pk]) not in listing
    assert client.get(reverse("mail:template_edit", args=[theirs.pk])).status_code == 403
    # A rep cannot write a marketing template: the choice is not offered.
    refused = client.post(NEW, body(kind="marketing"))
    assert refused.status_code == 400 and "kind" in refused.context["form"].errors
    saved = client.post(reverse("mail:template_edit", args=[mine.pk]), body(name="Renamed"))
    assert saved.status_code == 302
    mine.refresh_from_db()
    assert mine.name == "Renamed" and mine.owner == rep


def test_marketing_templates_are_not_shown_to_reps(login, rep, marketer):
    template = services.template_save(
        owner=marketer, name="News", subject="s", body_text="b", kind="marketing"
    )
    assert login(rep).get(reverse("mail:template_edit", args=[template.pk])).status_code == 404


def test_editor_is_in_the_marketing_sub_navigation(login, marketer):
    html = login(marketer).get(reverse("mail:send_list")).content.decode()
    assert f'href="{reverse("mail:template_list")}"' in html


def test_template_list_query_count_does_not_grow(login, marketer, rep):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(marketer)
    services.template_save(owner=rep, name="One", subject="s", body_text="b")
    client.get(reverse("mail:template_list"))  # warm the session
    counts = []
    for extra in (0, 10):
        for i in range(extra):
            services.template_save(owner=rep, name=f"T{i}", subject="s", body_text="b")
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("mail:template_list")).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
