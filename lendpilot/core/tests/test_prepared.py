"""The hot read statements: prepared once per PostgreSQL connection, seen by Django like any other."""

import pytest
from django.contrib.auth import get_user_model
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext

from lendpilot.core.prepared import fetch_prepared, insert_prepared, model_columns, model_from_row
from lendpilot.org.selectors import live_token_with_staff
from lendpilot.org.services import api_token_issue

pytestmark = pytest.mark.django_db
postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements of PostgreSQL")


def _prepared_statements() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


@postgres_only
def test_the_token_lookup_is_planned_once_per_connection():
    user = get_user_model().objects.create_user("prepared_am", password="x-123456789")
    token, secret = api_token_issue(actor=None, user=user, name="prepared", days=1)
    for _ in range(3):
        found = live_token_with_staff(token.key_hash)
        assert found is not None and found[0].pk == token.pk and found[0].user.pk == user.pk
    statements = [s for s in _prepared_statements() if "key_hash" in s]
    assert len(statements) == 1
    assert "$1" in statements[0]  # bound on the server, not spliced into the text
    assert secret not in statements[0] and token.key_hash not in statements[0]


@postgres_only
def test_other_statements_keep_client_side_binding():
    get_user_model().objects.filter(username="nobody").exists()
    assert not [s for s in _prepared_statements() if "auth_user" in s and "key_hash" not in s]


def test_a_prepared_read_is_seen_by_query_capture_and_execute_wrappers():
    seen = []

    def wrapper(execute, sql, params, many, context):
        seen.append(sql)
        return execute(sql, params, many, context)

    with CaptureQueriesContext(connection) as captured, connection.execute_wrapper(wrapper):
        rows = fetch_prepared("SELECT 1 + %s", [1])
    assert rows == [(2,)]
    assert len(seen) == 1 and len(captured.captured_queries) == 1


def test_a_failing_prepared_read_raises_djangos_database_error():
    with pytest.raises(DatabaseError):
        fetch_prepared("SELECT no_such_column FROM auth_user WHERE id = %s", [1])


def test_a_row_becomes_the_instance_the_orm_would_build():
    user = get_user_model().objects.create_user("row_user", password="x-123456789", email="r@example.com")
    names, columns = model_columns(get_user_model(), "u")
    rows = fetch_prepared(f"SELECT {columns} FROM auth_user u WHERE u.id = %s", [user.pk])  # noqa: S608
    built = model_from_row(get_user_model(), names, rows[0])
    fresh = get_user_model().objects.get(pk=user.pk)
    assert [getattr(built, n) for n in names] == [getattr(fresh, n) for n in names]


def _show_synchronous_commit() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        return cursor.fetchone()[0]


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_an_insert_that_need_not_wait_for_the_flush_relaxes_only_its_own_commit():
    from lendpilot.org.models import Region

    region = Region(code="prep-a", name_zh="预备", name_en="Prepared")
    insert_prepared(region, wait_for_flush=False)
    assert region.pk is not None
    assert Region.objects.get(pk=region.pk).name_en == "Prepared"
    assert _show_synchronous_commit() == "on"  # the next transaction commits durably again
    with transaction.atomic():  # a caller's transaction keeps the caller's durability
        inner = Region(code="prep-b", name_zh="内", name_en="Inside")
        insert_prepared(inner, wait_for_flush=False)
        assert _show_synchronous_commit() == "on"
    assert Region.objects.filter(code__in=["prep-a", "prep-b"]).count() == 2

