"""The funnel figures of one key dimension read from the keyed summaries (PostgreSQL),
exact to the definition: breakdowns by owner, campaign or channel, an owner, campaign or
channel filter, a rep's own leads (owner = the rep or none), and any mix of those that
reads one dimension (funnel.models, "Keyed summaries"; built by keyed_refresh). A report
that needs an owner and a campaign at once (an owner filter or grouping, or a rep's
scope, with a campaign or channel filter or grouping) reads the joint keys (DIM_JOINT:
campaign << 32 | owner), narrowed and grouped by either part.

- Cohort and reached: keyed day rows of the window's clean days, plus the leads of days
  with a pending note, read live (as funnel.metrics.rollup_read does).
- Flow and time in stage: the window's whole months that are built and hold no pending
  move day come from the keyed month rows; its other built days with no pending move
  (partial edge months, past days of the current month) from the keyed day rows; the rest
  (today, pending days) is read live from the moves and their leads' current keys,
  aggregated in SQL.
- Corrections: a lead noted since its months and days were built (its owner or campaign
  changed) has its moves in those periods taken from the noted key and given to its
  current one: flow, bucket counts and, for the buckets read, the durations themselves.
- Percentiles: funnel.metrics.percentiles, per group and in total. A narrow report (one
  campaign or one owner: their leads come from the covering indexes of leads migration
  0009) reads every duration of its moves with the flow, in one statement, and sorts them;
  the others count moves per bucket first and read the durations of the buckets that
  hold the percentiles only.

Five statements at most, whatever the data, in the caller's snapshot.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import chain

from django.conf import settings

from funnel.metrics.figures import STAGES, Figures
from funnel.metrics.grouping import NONE_KEY, GroupBy, MetricFilters
from funnel.metrics.keyed_sql import (
    DIM_CAMPAIGN,
    DIM_JOINT,
    DIM_OWNER,
    GRAINS,
    NOTED_LEADS,
    WHOLE,
    joint_campaign,
    joint_key,
    joint_owner,
    key_of,
    keyed_cohort_source,
    live_moves_source,
    local_midnight,
    next_month,
)
from funnel.metrics.percentiles import (
    Key,
    grouped_figures,
    plan_ranks,
    targets_of,
    unpack,
)
from funnel.metrics.rollup_read import clean_days, dirty_days, live_days, live_range
from funnel.metrics.rollup_sql import local_day
from funnel.metrics.sql import fetch_rows
from funnel.metrics.window import Window

_GROUP_DIMS = {
    GroupBy.OWNER: DIM_OWNER,
    GroupBy.CAMPAIGN: DIM_CAMPAIGN,
    GroupBy.CHANNEL: DIM_CAMPAIGN,
}
# Up to this many days read live, each live move looks its lead up by primary key.
LOOKUP_DAYS = 10
_COHORT_COLUMNS = ["cohort", *(f"reached_{s}" for s in STAGES)]
# A (stage left, bucket) pair as one int: buckets are smallints.
_STRIDE = 1 << 15


def keyed_dimension(*, group_by: GroupBy | None, filters: MetricFilters, owner_scope) -> int | None:
    """The key dimension a report reads (None: it needs none): the owner's, the
    campaign's, or the joint one when it needs both."""
    dims = set()
    if group_by in _GROUP_DIMS:
        dims.add(_GROUP_DIMS[group_by])
    if filters.owner_id is not None or owner_scope is not None:
        dims.add(DIM_OWNER)
    if filters.campaign_id is not None or filters.channel:
        dims.add(DIM_CAMPAIGN)
    if len(dims) > 1:
        return DIM_JOINT
    return dims.pop() if dims else None


@dataclass(frozen=True)
class _Slice:
    """How rows of one dimension are grouped and which of their keys count."""

    dim: int
    group_by: GroupBy | None
    params: dict  # _key_params
    lookup: bool = True  # live moves look their lead up (few live days) or join leads

    def group(self, key: str, day: str) -> str:
        """SQL for the row's group key, as funnel.metrics.grouping.group_key spells it."""
        if self.group_by is None:
            return "NULL::text"
        if self.group_by == GroupBy.MONTH:
            return f"to_char({day}, 'YYYY-MM')"
        if self.dim == DIM_JOINT:
            key = joint_owner(key) if self.group_by == GroupBy.OWNER else joint_campaign(key)
        if self.group_by == GroupBy.CHANNEL:
            channel = f"(SELECT channel FROM marketing_campaign WHERE id = {key})"
            return f"COALESCE(NULLIF({channel}, ''), '{NONE_KEY}')"
        return f"(CASE WHEN {key} = 0 THEN '{NONE_KEY}' ELSE {key}::text END)"

    def labelled(self, key: str, day: str) -> tuple[str, str]:
        """The group expression of many rows and the join it needs: a channel comes from
        one hash join with the campaigns, not a look-up per row."""
        if self.group_by != GroupBy.CHANNEL:
            return self.group(key, day), ""
        campaign = joint_campaign(key) if self.dim == DIM_JOINT else key
        return (
            f"COALESCE(NULLIF(labels.channel, ''), '{NONE_KEY}')",
            f"LEFT JOIN marketing_campaign labels ON labels.id = {campaign}",
        )

    def summed_group(self, key: str, day: str) -> tuple[str, str, str]:
        """For summing many rows: an expression per group that hashes faster than its text
        (an owner's or campaign's id), the join it needs, and SQL spelling it (column `r`)
        as the group key. One to one, so rows summed per raw value are summed per group.
        (A month's rows carry days or months: summed per label.)"""
        if self.group_by in (GroupBy.OWNER, GroupBy.CAMPAIGN):
            if self.dim == DIM_JOINT:
                part = joint_owner if self.group_by == GroupBy.OWNER else joint_campaign
                key = part(key)
            return key, "", f"(CASE WHEN r = 0 THEN '{NONE_KEY}' ELSE r::text END)"
        group, join = self.labelled(key, day)
        return group, join, "r"

    def day(self, column: str) -> str:
        """The row's day or month where the grouping needs it (months), else nothing."""
        return column if self.group_by == GroupBy.MONTH else "NULL::date"

    def narrow_leads(self) -> str | None:
        """SQL on the lead `l` for a narrow filter (one campaign, one owner), else None.
        Their leads' ids and keys are read from the covering indexes of leads migration
        0009, without visiting the leads (one rep's 23,080 leads at 1M: 3 ms; the pool
        of unowned leads is not narrow)."""
        conditions = []
        if self.dim != DIM_OWNER and not self.params["all_keys"]:
            conditions.append("l.source_campaign_id = ANY(%(keys)s::bigint[])")
        name = "keys" if self.dim == DIM_OWNER else "owners"  # dim 2: no owners
        owners = self.params.get(name) or []
        if len(owners) == 1 and owners[0] != 0:
            conditions.append(f"l.owner_id = ANY(%({name})s::bigint[])")
        return " AND ".join(conditions) or None

    def keeps(self, key: str, *, kept: bool = False) -> str:
        """SQL: does the key pass the report's filters and scope? (Plain conditions, so a
        narrow filter reads its keys' rows by index.) `kept`: the test of the keyed rows,
        and of the keys they counted a noted lead under (the two must agree)."""
        if self.dim == DIM_JOINT:
            return self._keeps_joint(key, kept=kept)
        conditions = ["TRUE"]
        if not self.params["all_keys"]:
            conditions.append(f"{key} = ANY(%(keys)s::bigint[])")
        if self.params["channel"] is not None:
            conditions.append(f"{key} IN ({_CHANNEL_CAMPAIGNS})")
        return "(" + " AND ".join(conditions) + ")"

    def _keeps_joint(self, key: str, *, kept: bool) -> str:
        """A joint key passes when its campaign part does (one index range per campaign
        filtered) and its owner part does. Narrowed by owner, the keys are spelled out
        (every campaign, or the channel's, with each owner kept): an index look-up each
        instead of a scan of every owner's rows (a campaign no longer there has no
        current lead, and keyed rows under it are not read, as their notes say). Keyed
        rows of a channel are read by their keys spelled out too, with every user as the
        owner: a run of rows each, not a scan of the whole dimension (a user no longer
        there has no current lead either)."""
        conditions = ["TRUE"]
        if not self.params["all_keys"]:
            conditions.append(
                f"{key} >= {joint_key('0', '%(campaign)s')} "
                f"AND {key} < {joint_key('0', '%(campaign)s + 1')}"
            )
        elif not self.params["all_owners"] or (kept and self.params["channel"]):
            # The keys spelled out say the owners and the channel too: no test per row.
            campaigns = _CHANNEL_CAMPAIGNS if self.params["channel"] else _ANY_CAMPAIGN
            owners = _ANY_OWNER if self.params["all_owners"] else "unnest(%(owners)s::bigint[])"
            return (
                f"({key} = ANY(ARRAY(SELECT {joint_key('o', 'c.id')} FROM ({campaigns}) AS c "
                f"CROSS JOIN {owners} AS o(o))))"
            )
        if not self.params["all_owners"]:
            conditions.append(f"{joint_owner(key)} = ANY(%(owners)s::bigint[])")
        if self.params["channel"] is not None:
            conditions.append(f"{joint_campaign(key)} IN ({_CHANNEL_CAMPAIGNS})")
        return "(" + " AND ".join(conditions) + ")"


_CHANNEL_CAMPAIGNS = "SELECT id FROM marketing_campaign WHERE channel = %(channel)s"
_ANY_CAMPAIGN = "SELECT id FROM marketing_campaign UNION ALL SELECT 0"
_ANY_OWNER = "(SELECT id FROM auth_user UNION ALL SELECT 0)"  # every owner key


def _key_params(dim: int, filters: MetricFilters, owner_scope) -> dict:
    """The keys kept: `keys` the owners (dim 1) or campaigns (dims 2 and 4), `owners` the
    owners of dim 4; `all_...` when not narrowed."""
    owners = None
    if filters.owner_id is not None:
        owners = {filters.owner_id}
    if owner_scope is not None:
        scope = {owner or 0 for owner in owner_scope}
        owners = scope if owners is None else owners & scope
    campaigns = {filters.campaign_id} if filters.campaign_id is not None else None
    keys = owners if dim == DIM_OWNER else campaigns
    params = {
        "all_keys": keys is None,
        "keys": sorted(keys or ()),
        "channel": (filters.channel or None) if dim != DIM_OWNER else None,
    }
    if dim == DIM_JOINT:
        params.update(
            all_owners=owners is None,
            owners=sorted(owners or ()),
            campaign=filters.campaign_id,
        )
    return params


@dataclass
class _Correction:
    """One move of a noted lead in a kept month or day: counted under `old`, belongs to
    `new`."""

    old_g: Key
    old_in: bool
    new_g: Key
    new_in: bool
    from_code: int
    to_code: int
    bucket: int
    days: float


def keyed_figures(
    *,
    window: Window,
    group_by: GroupBy | None,
    dim: int,
    filters: MetricFilters,
    owner_scope=None,
):
    """(cohorts by key, moves by key, moves in total) as funnel_report merges them, or
    None when the summaries are not built for this time zone or would serve less than
    half the window (then read live)."""
    tz = settings.TIME_ZONE
    built = ", ".join(
        f"(SELECT array_agg({g.period}) FROM {g.built} WHERE {g.period} >= %(first)s "
        f"AND {g.period} <= %(until)s) AS built_{g.period}"
        for g in GRAINS
    )
    state = dirty_days(
        window,
        tz,
        extra=f", {built}, EXISTS (SELECT 1 FROM funnel_keyed_lead_note) AS noted"
        + PENDING_COHORT_DAYS,
        params={"first": window.since.replace(day=1), "until": window.until},
    )
    if state is None:
        return None
    move_days, cohort_days, summaries = state
    cohort_days = _with_pending(cohort_days, summaries, window)
    months = _keyed_months(window, set(summaries["built_month"] or ()), move_days)
    outside = _days_outside(window, months)
    days = _keyed_days(outside, set(summaries["built_day"] or ()), move_days)
    spans = _live_spans(outside, days)
    if 2 * sum((last - first).days + 1 for first, last in spans) > window.days:
        # Mostly days read live (summaries not built yet, or many pending days): the live
        # path's join of the moves to their leads is cheaper than looking each up.
        return None
    part = _Slice(
        dim,
        group_by,
        _key_params(dim, filters, owner_scope),
        lookup=sum((last - first).days + 1 for first, last in spans) <= LOOKUP_DAYS,
    )
    base = {
        "tz": tz,
        "since": window.since,
        "until": window.until,
        "dim": dim,
        "months": months,
        "days": days,
        **part.params,
    }
    cohort_range = live_range(cohort_days, tz, "c")
    live_where = _spans_sql("s.at", "live", spans, base)
    narrow = part.narrow_leads() is not None
    if narrow:  # cohorts in the same statement
        cohorts, flows, packed = _narrow_moves(part, live_where, {**base, **cohort_range})
        counts = defaultdict(Counter)
        for (g, code), chunks in packed.items():
            counts[(g, code)][WHOLE] = sum(len(chunk) for chunk in chunks) // 8
    else:
        cohorts = _cohorts(part, {**base, **cohort_range})
        flows, counts, live_values = _moves(part, live_where, base)
    if group_by is None:
        cohorts = {k: v for k, v in cohorts.items() if v.cohort}
    kept = _merged([*((m, next_month(m) - timedelta(days=1)) for m in months), *_runs(days)])
    corrections = _corrections(part, kept, base) if summaries["noted"] and kept else []
    for fix in corrections:
        bucket = WHOLE if narrow else fix.bucket
        for g, sign, counted in ((fix.old_g, -1, fix.old_in), (fix.new_g, 1, fix.new_in)):
            if counted:
                flows[g][STAGES[fix.to_code]] += sign
                counts[(g, fix.from_code)][bucket] += sign
    flows = {g: flow for g, flow in flows.items() if any(flow.values())}
    counts = {k: +c for k, c in counts.items() if +c}  # unary +: drops the zero buckets
    if group_by is not None:
        for (_g, code), buckets in list(counts.items()):
            counts.setdefault((None, code), Counter()).update(buckets)

    plans = plan_ranks(counts)
    targets = targets_of(plans)
    if narrow:
        values = _narrow_values(targets, packed, corrections)
    else:
        values = _durations(part, targets, live_where, base, corrections, live_values)
    grouped, total = grouped_figures(plans, values, flows)
    return cohorts, grouped, total


def campaign_cohorts(window: Window) -> dict[Key, Figures] | None:
    """Leads created in the window per source campaign (key: the campaign id as text, or
    NONE_KEY) with the members that reached each stage, from the keyed day cohorts and
    the pending days read live; None when the summaries are not built (read live).
    Campaign ROI's leads, prospects and customers (marketing.metrics)."""
    tz = settings.TIME_ZONE
    state = dirty_days(window, tz, extra=PENDING_COHORT_DAYS)
    if state is None:
        return None
    _move_days, cohort_days, summaries = state
    cohort_days = _with_pending(cohort_days, summaries, window)
    part = _Slice(DIM_CAMPAIGN, GroupBy.CAMPAIGN, _key_params(DIM_CAMPAIGN, MetricFilters(), None))
    params = {
        "tz": tz,
        "since": window.since,
        "until": window.until,
        "dim": DIM_CAMPAIGN,
        **part.params,
        **live_range(cohort_days, tz, "c"),
    }
    return _cohorts(part, params)


# The creation days of leads whose owner or campaign changed since the last refresh: their
# keyed cohort row still counts them under the old key (keyed_refresh rebuilds the day).
PENDING_COHORT_DAYS = (
    f", ARRAY(SELECT DISTINCT {local_day('l.created_at')} "
    "FROM funnel_keyed_lead_note n JOIN leads_lead l ON l.id = n.lead_id "
    "WHERE n.cohort_pending AND l.created_at >= %(start)s AND l.created_at < %(end)s) "
    "AS pending_cohort"
)


def _with_pending(cohort_days: list[date], summaries: dict, window: Window) -> list[date]:
    pending = {d for d in summaries["pending_cohort"] if window.since <= d <= window.until}
    return sorted(set(cohort_days) | pending)


# --- which days come from where ---------------------------------------------------------


def _keyed_months(window: Window, built: set[date], move_days: list[date]) -> list[date]:
    """Whole months of the window that are built and hold no pending move day."""
    pending = {day.replace(day=1) for day in move_days}
    return [
        month
        for month in window.months()
        if month in built
        and month not in pending
        and month >= window.since
        and next_month(month) - timedelta(days=1) <= window.until
    ]


def _keyed_days(outside: list[date], built: set[date], move_days: list[date]) -> list[date]:
    """The days `outside` the whole months that are built and hold no pending move."""
    pending = set(move_days)
    return [day for day in outside if day in built and day not in pending]


def _live_spans(outside: list[date], days: list[date]) -> list[tuple[date, date]]:
    """The days `outside` the whole months not read from day rows, as [first, last] runs."""
    kept = set(days)
    return _runs([day for day in outside if day not in kept])


def _days_outside(window: Window, months: list[date]) -> list[date]:
    """The window's days outside the whole `months` (walked a month at a time: a year's
    window has 365 days and usually 12 whole months)."""
    whole, outside = set(months), []
    for month in window.months():
        if month not in whole:
            first = max(month, window.since)
            last = min(next_month(month) - timedelta(days=1), window.until)
            outside += [first + timedelta(days=n) for n in range((last - first).days + 1)]
    return outside


def _runs(days: list[date]) -> list[tuple[date, date]]:
    """Sorted days as [first, last] runs of consecutive days."""
    spans: list[tuple[date, date]] = []
    for day in days:
        if spans and spans[-1][1] + timedelta(days=1) == day:
            spans[-1] = (spans[-1][0], day)
        else:
            spans.append((day, day))
    return spans


def _merged(spans: list[tuple[date, date]]) -> list[tuple[date, date]]:
    """[first, last] spans of days, sorted, adjacent ones joined."""
    merged: list[tuple[date, date]] = []
    for first, last in sorted(spans):
        if merged and merged[-1][1] + timedelta(days=1) >= first:
            merged[-1] = (merged[-1][0], max(last, merged[-1][1]))
        else:
            merged.append((first, last))
    return merged


def _spans_sql(column: str, prefix: str, spans: list[tuple[date, date]], params: dict) -> str:
    """SQL for `column` in any of the spans (local days); adds their bounds to params."""
    if not spans:
        return "FALSE"
    parts = []
    for n, (first, last) in enumerate(spans):
        params[f"{prefix}{n}a"] = local_midnight(first, params["tz"])
        params[f"{prefix}{n}b"] = local_midnight(last + timedelta(days=1), params["tz"])
        parts.append(f"({column} >= %({prefix}{n}a)s AND {column} < %({prefix}{n}b)s)")
    return "(" + " OR ".join(parts) + ")"


# --- cohort and flow --------------------------------------------------------------------------


def _cohorts(part: _Slice, params: dict) -> dict[Key, Figures]:
    return _cohort_figures(fetch_rows(_cohort_sql(part), params))


def _cohort_sql(part: _Slice) -> str:
    """Per group: cohort and reached, from the keyed day rows of clean days and the
    pending days read live (params of live_range, prefix "c")."""
    columns = ", ".join(_COHORT_COLUMNS)
    sums = ", ".join(f"sum({c})::bigint AS {c}" for c in _COHORT_COLUMNS)
    group, join = part.labelled("k.key", "k.day")
    return (
        f"SELECT g, {sums} FROM (SELECT {group} AS g, {columns} FROM ("
        f"SELECT key, {part.day('day')} AS day, {columns} FROM ("
        f"SELECT day, key, {columns} FROM funnel_keyed_cohort "
        f"WHERE dim = %(dim)s AND {clean_days('c')} AND {part.keeps('key', kept=True)} "
        f"UNION ALL SELECT day, key, {columns} "
        f"FROM ({keyed_cohort_source(live_days('created_at', 'c'))}) AS live "
        f"WHERE dim = %(dim)s AND {part.keeps('key')}) AS u) AS k {join}"
        ") AS t GROUP BY g"
    )


def _cohort_figures(rows) -> dict[Key, Figures]:
    result = {}
    for row in rows:
        figures = Figures(cohort=row["cohort"])
        figures.reached = {stage: row[f"reached_{stage}"] for stage in STAGES}
        result[row["g"]] = figures
    return result


def _live_moves(part: _Slice, where: str, columns: str, *, counted: bool = True) -> str:
    """The live moves of `where` per key, day and `columns`, counted (or one row each),
    of the keys the report reads only (a filter narrows the scan of leads)."""
    moves = live_moves_source(where, part.dim, lookup=part.lookup, leads=part.narrow_leads())
    source = f"SELECT * FROM ({moves}) AS m WHERE {part.keeps('key')}"
    if not counted:
        return f"SELECT key, day, {columns} FROM ({source}) AS m"
    return (
        f"SELECT key, day, {columns}, count(*) AS moves "
        f"FROM ({source}) AS m GROUP BY key, day, {columns}"
    )


def _kept_rows(part: _Slice, table: str, columns: str, *, whole: bool = False) -> str:
    """The keyed rows of the kept months and days (`table`: a Grain's "flow" or
    "stage_time") of the keys the report reads: key, day (by month: the period) and
    `columns`. Stage time: per bucket, or with `whole` every duration of a period and
    key in as few rows as its grain keeps (keyed_sql.WHOLE)."""
    selects = []
    for g in GRAINS:
        buckets = ""
        if table == "stage_time" and g.whole:
            buckets = f" AND bucket {'<' if whole else '>='} 0"
        selects.append(
            f"SELECT key, {part.day(g.period)} AS day, {columns} FROM {getattr(g, table)} "
            f"WHERE dim = %(dim)s AND {g.period} = ANY(%({g.period}s)s::date[]){buckets} "
            f"AND {part.keeps('key', kept=True)}"
        )
    return " UNION ALL ".join(selects)


def _summed(part: _Slice, table: str, columns: str, live: str = "live") -> str:
    """Keyed rows (`table`: "flow" or "stage_time") and the live moves (CTE `live`,
    counted; _live_moves kept only the report's keys) summed per group and `columns`."""
    rows = (
        f"{_kept_rows(part, table, f'{columns}, moves')} "
        f"UNION ALL SELECT key, {part.day('day')}, {columns}, moves FROM {live}"
    )
    return _per_group(part, rows, columns, "moves", "sum(moves)::bigint")


def _per_group(part: _Slice, rows: str, columns: str, value: str, aggregate: str) -> str:
    """`rows` (key, day, `columns`, `value`) aggregated per group and `columns`: per owner
    or campaign id first, labelled after (part.summed_group)."""
    raw, join, label = part.summed_group("k.key", "k.day")
    return (
        f"SELECT {label} AS g, {columns}, {value} FROM ("
        f"SELECT r, {columns}, {aggregate} AS {value} FROM ("
        f"SELECT {raw} AS r, {columns}, {value} FROM ({rows}) AS k {join}"
        f") AS t GROUP BY r, {columns}) AS per_group"
    )


def _moves(part: _Slice, live_where: str, params: dict):
    """Flow per group and moves per (group, stage left, bucket), in one statement: the
    live moves are read once. With few live days (`part.lookup`) their durations come
    back too, packed per (group, stage left, bucket) (None otherwise: the durations
    statement reads the live moves of the buckets it needs)."""
    columns = "from_code, to_code, bucket"
    if part.lookup:
        live = _live_moves(part, live_where, f"{columns}, days", counted=False)
        ctes = (
            f"live_moves AS MATERIALIZED ({live}), live AS (SELECT key, "
            f"{part.day('day')} AS day, {columns}, count(*) AS moves FROM live_moves "
            f"GROUP BY 1, 2, {columns})"
        )
        group, join = part.labelled("d.key", "d.day")
        packed = (
            f" UNION ALL SELECT NULL, {group}, from_code, bucket, 0, "
            f"durations FROM (SELECT key, {part.day('day')} AS day, from_code, bucket, "
            f"string_agg(float8send(days), ''::bytea) AS durations FROM live_moves "
            f"GROUP BY 1, 2, 3, 4) AS d {join}"
        )
    else:
        ctes, packed = f"live AS MATERIALIZED ({_live_moves(part, live_where, columns)})", ""
    rows = fetch_rows(
        f"WITH {ctes} SELECT TRUE AS flow, g, to_code AS code, 0 AS bucket, moves, "
        f"NULL::bytea AS durations "
        f"FROM ({_summed(part, 'flow', 'to_code')}) AS f UNION ALL "
        f"SELECT FALSE, g, from_code, bucket, moves, NULL "
        f"FROM ({_summed(part, 'stage_time', 'from_code, bucket')}) AS b" + packed,
        params,
    )
    flows: dict[Key, dict[str, int]] = defaultdict(lambda: dict.fromkeys(STAGES, 0))
    counts: dict[tuple[Key, int], Counter] = defaultdict(Counter)
    live_values: dict[tuple[Key, int, int], list[bytes]] | None = (
        defaultdict(list) if part.lookup else None
    )
    for row in rows:
        if row["flow"] is None:
            live_values[(row["g"], row["code"], row["bucket"])].append(bytes(row["durations"]))
        elif row["flow"]:
            flows[row["g"]][STAGES[row["code"]]] += row["moves"]
        else:
            counts[(row["g"], row["code"])][row["bucket"]] += row["moves"]
    return flows, counts, live_values


def _narrow_moves(part: _Slice, live_where: str, params: dict):
    """A narrow report's cohorts, flow per group and every duration per (group, stage
    left), in one statement: one campaign's or one owner's moves are few (a campaign's
    year at 1M: 16,000), so their packed durations cost less to send than a second pass
    over the rows of the buckets that hold the percentiles."""
    live = _live_moves(part, live_where, "from_code, to_code, bucket, days", counted=False)
    durations = (
        f"{_kept_rows(part, 'stage_time', 'from_code, durations', whole=True)} UNION ALL "
        f"SELECT key, {part.day('day')}, from_code, float8send(days) FROM live_moves"
    )
    per_group = _per_group(
        part, durations, "from_code", "durations", "string_agg(durations, ''::bytea)"
    )
    no_cohort = ", ".join(f"NULL::bigint AS {c}" for c in _COHORT_COLUMNS)
    rows = fetch_rows(
        f"WITH live_moves AS MATERIALIZED ({live}), live AS (SELECT key, day, to_code, "
        "count(*) AS moves FROM live_moves GROUP BY 1, 2, 3) "
        f"SELECT g, to_code AS code, moves, NULL::bytea AS durations, {no_cohort} "
        f"FROM ({_summed(part, 'flow', 'to_code')}) AS f UNION ALL "
        f"SELECT g, from_code, 0, durations, {no_cohort} FROM ({per_group}) AS d UNION ALL "
        f"SELECT g, NULL, NULL, NULL, {', '.join(_COHORT_COLUMNS)} FROM ({_cohort_sql(part)}) c",
        params,
    )
    flows: dict[Key, dict[str, int]] = defaultdict(lambda: dict.fromkeys(STAGES, 0))
    packed: dict[tuple[Key, int], list[bytes]] = defaultdict(list)
    cohort_rows = []
    for row in rows:
        if row["cohort"] is not None:
            cohort_rows.append(row)
        elif row["durations"] is None:
            flows[row["g"]][STAGES[row["code"]]] += row["moves"]
        else:
            packed[(row["g"], row["code"])].append(bytes(row["durations"]))
    return _cohort_figures(cohort_rows), flows, packed


def _narrow_values(targets, packed, corrections) -> dict:
    """Each (group, stage left)'s sorted durations (targets of its one bucket, WHOLE),
    corrected. A total's are every group's: their groups partition it, corrections
    included, and their sorted runs merge cheaply."""
    fixes = defaultdict(list)
    for fix in corrections:
        fixes[fix.from_code].append(fix)
    values = {}
    runs: dict[int, list[list[float]]] = defaultdict(list)
    grouped = {key for key in packed if key[0] is not None}
    for g, code in grouped | {(g, code) for g, code, _ in targets if g is not None}:
        found = _corrected(unpack(packed.get((g, code), [])), fixes[code], g)
        values[(g, code, WHOLE)] = found
        runs[code].append(found)
    for g, code, _bucket in targets:
        if g is None:
            if grouped:
                values[(None, code, WHOLE)] = sorted(chain.from_iterable(runs[code]))
            else:  # no grouping: the total is the only group
                values[(None, code, WHOLE)] = _corrected(
                    unpack(packed.get((None, code), [])), fixes[code], None
                )
    return values


# --- corrections and durations ----------------------------------------------------------------


def _corrections(part: _Slice, kept: list[tuple[date, date]], base: dict) -> list[_Correction]:
    """The noted leads' moves in the kept months and days (`kept`: runs of days)."""
    params = dict(base)
    where = _spans_sql("s.at", "kept", kept, params)
    where += " AND s.lead_id IN (SELECT lead_id FROM funnel_keyed_lead_note)"
    # The noted keys (in dim 4, the noted pair) and the current ones.
    was, now = key_of(part.dim, "n.owner_was", "n.campaign_was"), "m.key"
    rows = fetch_rows(
        f"SELECT {part.group(was, 'm.month')} AS old_g, {part.keeps(was, kept=True)} AS old_in, "
        f"{part.group(now, 'm.month')} AS new_g, {part.keeps(now)} AS new_in, "
        f"m.from_code, m.to_code, m.bucket, m.days "
        f"FROM ({live_moves_source(where, part.dim, lookup=part.lookup)}) AS m "
        f"JOIN ({NOTED_LEADS}) AS n ON n.lead_id = m.lead_id WHERE {was} IS DISTINCT FROM {now}",
        params,
    )
    return [_Correction(**row) for row in rows]


def _durations(part, targets, live_where: str, base: dict, corrections, live_values) -> dict:
    """Each target bucket's sorted durations: kept months' and days' packed values and live ones
    (from `live_values` when _moves read them), with the noted leads' moves taken from
    their old group and given to the new."""
    if not targets:
        return {}
    grouped = [n for n, (g, _, _) in enumerate(targets) if g is not None]
    totals = [n for n, (g, _, _) in enumerate(targets) if g is None]
    params = {
        **base,
        "pcb": sorted({code * _STRIDE + bucket for _, code, bucket in targets}),
        **{f"g{name}": [targets[n][i] for n in grouped] for i, name in enumerate("gcb")},
        "gn": grouped,
        **{f"t{name}": [targets[n][i] for n in totals] for i, name in ((1, "c"), (2, "b"))},
        "tn": totals,
    }
    sources = [("keyed", "r.durations")]
    if live_values is None:
        sources.append(("live", "float8send(r.days)"))
    # A group's target joins its own rows; a total's, every group's (hashable joins both).
    # Packed per target: a row per target, not per keyed row (16,000 rows took 9 ms to
    # fetch and as long again to turn into bytes).
    joins = []
    for rows, value in sources:
        joins += [
            f"SELECT t.n, string_agg({value}, ''::bytea) AS durations "
            f"FROM unnest(%(gn)s::int[], %(gg)s::text[], "
            f"%(gc)s::int[], %(gb)s::int[]) AS t(n, g, code, bucket) JOIN {rows} AS r "
            f"ON r.g = t.g AND r.from_code = t.code AND r.bucket = t.bucket GROUP BY t.n",
            f"SELECT t.n, string_agg({value}, ''::bytea) "
            f"FROM unnest(%(tn)s::int[], %(tc)s::int[], %(tb)s::int[]) "
            f"AS t(n, code, bucket) JOIN {rows} AS r "
            f"ON r.from_code = t.code AND r.bucket = t.bucket GROUP BY t.n",
        ]
    # One hashed array test per row (a join with an unnest of the pairs was planned as a
    # loop over every row and every wanted pair: 28 of a 36 ms statement).
    wanted = f"from_code * {_STRIDE} + bucket = ANY(%(pcb)s::int[])"
    # (The campaigns joined for channel labels have no from_code or bucket column.)
    kept = _kept_rows(part, "stage_time", "from_code, bucket, durations")
    group, join = part.labelled("k.key", "k.day")
    ctes = [
        f"keyed AS MATERIALIZED (SELECT {group} AS g, k.from_code, k.bucket, k.durations "
        f"FROM ({kept}) AS k {join} WHERE {wanted})"
    ]
    if live_values is None:
        live = _live_moves(part, live_where, "from_code, bucket, days", counted=False)
        group, join = part.labelled("l.key", "l.day")
        ctes.append(
            f"live AS MATERIALIZED (SELECT {group} AS g, l.from_code, l.bucket, l.days "
            f"FROM ({live}) AS l {join} WHERE {wanted})"
        )
    rows = fetch_rows(f"WITH {', '.join(ctes)} " + " UNION ALL ".join(joins), params)
    chunks: dict[int, list[bytes]] = defaultdict(list)
    for row in rows:
        chunks[row["n"]].append(bytes(row["durations"]))
    if live_values is not None:
        by_bucket: dict[tuple[int, int], list[bytes]] = defaultdict(list)
        for (_g, code, bucket), packed in live_values.items():
            by_bucket[(code, bucket)] += packed
        for n, (g, code, bucket) in enumerate(targets):
            chunks[n] += by_bucket[(code, bucket)] if g is None else live_values[(g, code, bucket)]
    values = {}
    for n, (g, code, bucket) in enumerate(targets):
        fixes = [f for f in corrections if (f.from_code, f.bucket) == (code, bucket)]
        values[(g, code, bucket)] = _corrected(unpack(chunks[n]), fixes, g)
    return values


def _corrected(found: list[float], fixes: list[_Correction], g: Key) -> list[float]:
    """Durations of group `g` (None: the total) with the noted leads' moves taken from
    their old group and given to the new, sorted."""
    if fixes:
        counted = Counter(found)
        for fix in fixes:
            if fix.old_in and (g is None or fix.old_g == g):
                counted[fix.days] -= 1
            if fix.new_in and (g is None or fix.new_g == g):
                counted[fix.days] += 1
        if min(counted.values(), default=0) < 0:
            raise AssertionError(f"a noted move is missing from {(g, fixes[0].from_code)}")
        found = list(counted.elements())
    return sorted(found)
