"""Django's `{# #}` comments end at the line: a two-line one in base.html was printed as
text at the top of every page."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_no_comment_text_on_pages(client, rep):
    client.force_login(rep)

    html = client.get(reverse("home")).content.decode()

    assert "{#" not in html and "#}" not in html
