"""Templates: merge fields, fallbacks, unknown fields, sanitised HTML, the size limit."""

from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError

from mail import services, templating
from mail.models import MAX_BODY_BYTES


def values(**lead):
    person = {"first_name": "", "last_name": "", "company": "", "title": "", "email": "a@x.io"}
    person.update(lead)
    person["full_name"] = f"{person['first_name']} {person['last_name']}".strip()
    return templating.merge_values(lead=SimpleNamespace(**person))


def test_fields_are_filled_and_empty_ones_take_the_fallback():
    out = templating.render(
        subject="Hi {{ first_name }}",
        body_text="Hello {{first_name|friend}}, how is {{ company }}?",
        body_html="",
        values=values(company="Acme"),
    )
    assert out.subject == "Hi there"
    assert out.body_text == "Hello friend, how is Acme?"


def test_unknown_field_is_named_with_the_known_ones():
    with pytest.raises(ValidationError) as error:
        templating.render(subject="x", body_text="{{ frist_name }}", body_html="", values={})
    text = str(error.value)
    assert "{{ frist_name }}" in text and "{{ first_name }}" in text


def test_html_is_sanitised_and_values_escaped():
    out = templating.render(
        subject="x",
        body_text="x",
        body_html=(
            '<p onclick="steal()">{{ company }}</p><script>alert(1)</script>'
            '<a href="javascript:alert(1)">bad</a><a href="https://ok.example/?a=1">ok</a>'
        ),
        values=values(company="<img src=x onerror=alert(1)>"),
    )
    assert "<script" not in out.body_html and "onclick" not in out.body_html
    assert "javascript:" not in out.body_html
    assert "<img" not in out.body_html
    assert "&lt;img" in out.body_html
    assert 'href="https://ok.example/?a=1"' in out.body_html


def test_template_over_one_megabyte_is_refused(rep):
    with pytest.raises(ValidationError) as error:
        services.template_save(
            owner=rep, name="Big", subject="s", body_text="x" * (MAX_BODY_BYTES + 1)
        )
    assert "body_text" in error.value.message_dict


def test_template_with_unknown_field_is_refused_and_not_saved(rep):
    from mail.models import EmailTemplate

    with pytest.raises(ValidationError):
        services.template_save(owner=rep, name="T", subject="{{ nope }}", body_text="x")
    assert not EmailTemplate.objects.exists()
