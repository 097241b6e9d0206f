import pytest

from tests.api.clients import token_client
from tests.factories import LeadFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(db):
    return {
        "ada": LeadFactory(
            first_name="Ada",
            last_name="Lovelace",
            company="Analytical Engines",
            email="ada@engines.io",
            phone="+44 (20) 7946-0018",
        ),
        "grace": LeadFactory(
            first_name="Grace",
            last_name="Hopper",
            company="Navy Labs",
            email="ghopper@navy.mil",
            phone="555.0142",
        ),
        "alan": LeadFactory(
            first_name="Alan", last_name="Turing", company="Bletchley Park", email="alan@bp.uk"
        ),
        "edsger": LeadFactory(
            first_name="Edsger",
            last_name="Dijkstra",
            company="Mathematical Centre",
            email="ewd@mc.nl",
        ),
    }


def found(client, people, term):
    response = client.get("/api/v1/leads/", {"search": term})
    assert response.status_code == 200
    ids = {row["id"] for row in response.json()["results"]}
    return {name for name, lead in people.items() if lead.pk in ids}


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("ada", {"ada"}),  # first name
        ("HOPPER", {"grace"}),  # last name, any case
        ("bletch", {"alan"}),  # company prefix
        ("Navy Labs", {"grace"}),  # a company of several words, whole
        ("ghopper@", {"grace"}),  # email prefix
        ("EWD@MC.NL", {"edsger"}),  # whole email, any case
        ("a", {"ada", "alan"}),  # first names starting with a (Analytical too)
        ("grace hop", {"grace"}),  # each word a prefix of some field
        ("alan lovelace", set()),  # each word must match the same lead
        ("urin", {"alan"}),  # 3+ characters: a substring of a name
        ("lytical eng", {"ada"}),  # ... of the company, word by word
        ("engines.io", {"ada"}),  # ... of the email: its domain
        ("@NAVY", {"grace"}),
        ("ur", set()),  # 1-2 characters: a prefix only
        ("7946 0018", {"ada"}),  # phone digits, whatever the separators
        ("(555) 014-2", {"grace"}),
        ("+44 20 7946", {"ada"}),
        ("0142", {"grace"}),
        ("55", set()),  # too few digits for a phone, and no name starts with them
        ("   ", {"ada", "grace", "alan", "edsger"}),  # blank: no filter
        ("100%", set()),  # LIKE wildcards are literal
        ("_da", set()),
    ],
)
def test_search_matches_name_company_email_and_phone(manager, people, term, expected):
    assert found(token_client(manager), people, term) == expected


def test_search_respects_visibility(rep, other_rep):
    mine = LeadFactory(first_name="Zed", owner=rep)
    LeadFactory(first_name="Zed", owner=other_rep)

    response = token_client(rep).get("/api/v1/leads/", {"search": "zed"})

    assert [row["id"] for row in response.json()["results"]] == [mine.pk]
