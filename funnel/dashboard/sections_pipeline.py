"""The dashboard's Forecast tab: the forecast against quota per rep and for the team, how
the weekly snapshots moved (and how close they came to what closed), and the deal
pipeline metrics (win rate, velocity, slippage). Reads `sales.pipeline`."""

from funnel.dashboard.tables import DAYS, INT, MONEY, RATE, TEXT, Column, Table


def _figures(r) -> dict:
    return {
        "label": r.label,
        "target": r.target,
        "closed_won": r.closed_won,
        "attainment": r.attainment,
        "commit": r.commit,
        "best_case": r.best_case,
        "weighted": r.weighted,
        "pipeline": r.pipeline,
    }


def _columns(first: str) -> list[Column]:
    return [
        Column("label", first, TEXT),
        Column("target", "Quota", MONEY),
        Column("closed_won", "Closed won", MONEY),
        Column("attainment", "Attainment", RATE, shade=True),
        Column("commit", "Commit", MONEY, help="Closed won + open deals in commit stages"),
        Column("best_case", "Best case", MONEY, help="Commit + best-case stages"),
        Column("weighted", "Weighted pipeline", MONEY, help="Open amount x probability"),
        Column("pipeline", "Pipeline", MONEY),
    ]


def team_table(result) -> Table:
    """Each named team beside its quota (else its reps' quotas added up), and the whole
    team below."""
    return Table(
        name="forecast-teams",
        title=f"Forecast by team, {result.period.label()}",
        columns=_columns("Team"),
        rows=[_figures(r) for r in result.teams],
        footer=_figures(result.team),
        note=(
            "A team adds up its reps' deals; its target is its own quota, else its reps' "
            "quotas added up. The last line is the whole sales team (every deal)."
        ),
    )


def forecast_table(result, *, owner_id: int | None, members: list[int] | None = None) -> Table:
    """The reps' rows (one rep's, or a team's `members`) above the whole team's."""
    rows = [r for r in result.rows if owner_id is None or r.owner_id == owner_id]
    if members is not None:
        rows = [r for r in rows if r.owner_id in members]
    return Table(
        name="forecast",
        title=f"Forecast, {result.period.label()}",
        columns=_columns("Rep"),
        rows=[_figures(r) for r in rows],
        footer=_figures(result.team),
        sortable=True,
        note=(
            "Open deals by expected close date in the period, won deals by close date. "
            "Commit = closed won + commit stages; best case = commit + best-case stages; "
            "weighted pipeline = open amount x stage probability."
        ),
    )


def snapshot_table(lines, *, who: str) -> Table:
    return Table(
        name="forecast-history",
        title=f"How the forecast moved: {who}",
        columns=[
            Column("label", "Week of", TEXT),
            Column("closed_won", "Closed won then", MONEY),
            Column("commit", "Commit", MONEY),
            Column("best_case", "Best case", MONEY),
            Column("weighted", "Weighted pipeline", MONEY),
            Column("actual", "Closed won now", MONEY),
            Column("commit_accuracy", "Commit accuracy", RATE, shade=True),
            Column("expected_accuracy", "Weighted accuracy", RATE, shade=True),
        ],
        rows=[
            {
                "label": line.snapshot.taken_on.isoformat(),
                "closed_won": line.snapshot.closed_won,
                "commit": line.snapshot.commit,
                "best_case": line.snapshot.best_case,
                "weighted": line.snapshot.weighted,
                "actual": line.actual,
                "commit_accuracy": line.commit_accuracy,
                "expected_accuracy": line.expected_accuracy,
            }
            for line in lines
        ],
        note=(
            "One snapshot a week (beat). Accuracy = 1 - |forecast - closed won| / closed won; "
            "weighted accuracy compares closed won then + weighted pipeline."
        ),
    )


def pipeline_table(figures) -> Table:
    speed = {v.stage.pk: v for v in figures.velocity}
    s = figures.slippage
    slip = (
        f"Slippage: {s.pushed} of {s.compared} moves and edits pushed the close date out "
        f"({s.deals_pushed} deals, {s.days_pushed} days in all)."
    )
    return Table(
        name="pipeline",
        title="Deal stages: win rate and velocity",
        columns=[
            Column("label", "Stage", TEXT),
            Column("reached", "Closed deals that reached it", INT),
            Column("rate", "Win rate", RATE, shade=True),
            Column("moves_out", "Moves out", INT),
            Column("median", "Median days", DAYS),
            Column("p90", "90th pct. days", DAYS),
        ],
        rows=[
            {
                "label": r.stage.name,
                "reached": r.reached,
                "rate": r.rate,
                "moves_out": speed[r.stage.pk].moves_out,
                "median": speed[r.stage.pk].median_days,
                "p90": speed[r.stage.pk].p90_days,
            }
            for r in figures.win_rates
        ],
        note=f"Deals closed, and moves made, in the window. {slip}",
    )
