"""Signing in and out through Django's auth views with the product's login page."""

from django.urls import reverse

from tests.factories import PASSWORD


def test_login_page_has_labelled_fields(client, db):
    html = client.get(reverse("login")).content.decode()
    assert '<label for="id_username">Username</label>' in html
    assert '<label for="id_password">Password</label>' in html
    assert "Sign in" in html
    assert 'aria-label="Main"' not in html


def test_signing_in_lands_on_home(client, rep):
    response = client.post(reverse("login"), {"username": rep.username, "password": PASSWORD})
    assert response.status_code == 302
    assert response.url == "/"
    assert client.get("/").status_code == 200


def test_signing_in_returns_to_the_page_asked_for(client, rep):
    wanted = reverse("leads:prospects")
    response = client.post(
        f"{reverse('login')}?next={wanted}",
        {"username": rep.username, "password": PASSWORD, "next": wanted},
    )
    assert response.url == wanted


def test_wrong_password_says_so_and_stays_signed_out(client, rep):
    response = client.post(reverse("login"), {"username": rep.username, "password": "nope"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "flash-error" in html
    assert "correct username and password" in html
    assert client.get("/").status_code == 302


def test_signed_in_user_is_sent_home_from_the_login_page(login, rep):
    response = login(rep).get(reverse("login"))
    assert response.status_code == 302
    assert response.url == "/"
