"""Merged-away addresses in an import's file reach their survivor (leads.merging): the
staged lines are rewritten to the survivor's address before anything is counted, diffed
or written, in one statement (no statement at all when no alias exists)."""

from django.db import connection

from leads.models import Lead, LeadEmailAlias
from marketing.models import ImportRow


def staged_aliases_resolve(*, job_id: int) -> int:
    """Returns how many staged lines named a merged-away address."""
    if not LeadEmailAlias.objects.exists():
        return 0
    qn = connection.ops.quote_name
    staging, alias, lead = (
        qn(ImportRow._meta.db_table),
        qn(LeadEmailAlias._meta.db_table),
        qn(Lead._meta.db_table),
    )
    sql = (
        f"UPDATE {staging} SET email = (SELECT l.email FROM {alias} a JOIN {lead} l "
        f"ON l.id = a.lead_id WHERE a.email = {staging}.email) "
        f"WHERE job_id = %s AND email IN (SELECT email FROM {alias})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [job_id])
        return cursor.rowcount
