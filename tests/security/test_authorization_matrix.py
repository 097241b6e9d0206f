"""Every API operation by every role (tests/security/matrix.py): the status as designed, no
list leaks a row the role may not see, and `stage`, `owner`, `score` cannot be
mass-assigned through any write."""

import pytest
from drf_spectacular.generators import SchemaGenerator

from leads.models import Lead
from tests.security.matrix import MATRIX, Row
from tests.security.world import ROLES, World, build

HTTP_METHODS = {"get", "post", "put", "patch", "delete"}
WRITERS = ("key_write", "marketer", "rep_a", "manager")


def schema_operations() -> set[str]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return {
        f"{method.upper()} {path}"
        for path, methods in schema["paths"].items()
        for method in methods
        if method in HTTP_METHODS
    }


def test_every_api_operation_has_a_row_and_every_row_an_operation():
    operations = schema_operations()

    missing = sorted(operations - set(MATRIX))
    stale = sorted(set(MATRIX) - operations)

    assert not missing, f"Add these operations to tests/security/matrix.py: {missing}"
    assert not stale, f"These rows name operations that no longer exist: {stale}"


@pytest.fixture
def world(db) -> World:
    return build()


def call(world: World, role: str, operation: str, row: Row, *, body=None):
    method, path = operation.split(" ", 1)
    url = path.format(**row.params(world))
    client = world.client(role)
    data = body if body is not None else (row.body(world) if row.body else None)
    if method == "GET":
        return client.get(url, {**row.query, "page_size": 500} if "{" not in path else row.query)
    return getattr(client, method.lower())(url, data, format="json")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("operation", sorted(MATRIX))
def test_status_as_designed(world, operation, role):
    row = MATRIX[operation]

    response = call(world, role, operation, row)

    expected = row.statuses[role]
    assert response.status_code == expected, (
        f"{operation} as {role}: {response.status_code}, expected {expected}: "
        f"{getattr(response, 'data', response.content)!r}"[:600]
    )


LISTS = sorted(
    (operation, role)
    for operation, row in MATRIX.items()
    if row.visible is not None
    for role in ROLES
    if row.statuses[role] == 200
)


@pytest.mark.parametrize(("operation", "role"), LISTS)
def test_lists_show_exactly_the_rows_the_role_may_see(world, operation, role):
    row = MATRIX[operation]

    response = call(world, role, operation, row)

    assert response.status_code == 200
    listed = {item["id"] for item in response.json()["results"]}
    assert listed == row.visible(world, role)


MASS_ASSIGNABLE = sorted(
    operation
    for operation, row in MATRIX.items()
    if row.body is not None
    and not row.moves_funnel
    and operation.split(" ", 1)[0] in ("POST", "PUT", "PATCH")
)
PROTECTED = {"stage": "customer", "score": 99.5}


def _with_protected(data, owner_id: int):
    protected = {**PROTECTED, "owner": owner_id}
    if isinstance(data, list):
        return [_with_protected(item, owner_id) for item in data]
    if isinstance(data, dict):
        nested = {
            key: _with_protected(value, owner_id)
            for key, value in data.items()
            if isinstance(value, list)
        }
        return {**data, **nested, **protected}
    return data


@pytest.mark.parametrize("role", WRITERS)
@pytest.mark.parametrize("operation", MASS_ASSIGNABLE)
def test_stage_owner_and_score_cannot_be_mass_assigned(world, operation, role):
    row = MATRIX[operation]
    target_owner = world.sales.b.rep
    customers_before = set(Lead.objects.filter(stage="customer").values_list("pk", flat=True))
    owned_before = set(Lead.objects.filter(owner=target_owner).values_list("pk", flat=True))

    response = call(
        world, role, operation, row, body=_with_protected(row.body(world), target_owner.pk)
    )

    assert response.status_code < 500
    assert set(Lead.objects.filter(stage="customer").values_list("pk", flat=True)) == (
        customers_before
    )
    assert set(Lead.objects.filter(owner=target_owner).values_list("pk", flat=True)) == (
        owned_before
    )
    assert not Lead.objects.filter(score=PROTECTED["score"]).exists()
