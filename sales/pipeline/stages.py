"""Reading the pipeline's stages (a handful of rows): the default pipeline, its first open
stage, and turning what a caller sent (a stage, an id, a name) into a stage or a clear
400."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from sales.pipeline.models import DealStage, ForecastCategory, LostReason, Pipeline

# The default pipeline, as migration sales 0005 creates it (kept in step by hand: a
# migration must not import code that changes later).
DEFAULT_STAGES = [
    # name, probability (%), won, lost, forecast category
    ("Qualification", 10, False, False, ForecastCategory.PIPELINE),
    ("Demo", 25, False, False, ForecastCategory.PIPELINE),
    ("Proposal", 50, False, False, ForecastCategory.BEST_CASE),
    ("Negotiation", 80, False, False, ForecastCategory.COMMIT),
    ("Won", 100, True, False, ForecastCategory.CLOSED),
    ("Lost", 0, False, True, ForecastCategory.OMITTED),
]
DEFAULT_LOST_REASONS = [
    "Price",
    "Timing",
    "Competitor",
    "No budget",
    "No decision",
    "Product fit",
    "Other",
]


def pipeline_default() -> Pipeline:
    """The pipeline new deals go into. A database without any pipeline (emptied by
    `flush`, say) gets the default one again, with the default loss reasons."""
    pipeline = Pipeline.objects.filter(is_default=True).first()
    if pipeline is not None:
        return pipeline
    if Pipeline.objects.exists():
        raise ValidationError("No default pipeline: mark one as default in the admin.")
    try:
        with transaction.atomic():
            return _defaults_create()
    except IntegrityError:  # created at the same moment by another request
        return Pipeline.objects.get(is_default=True)


def _defaults_create() -> Pipeline:
    pipeline = Pipeline.objects.create(name="Sales", is_default=True)
    DealStage.objects.bulk_create(
        DealStage(
            pipeline=pipeline,
            name=name,
            position=position,
            probability=probability,
            is_won=won,
            is_lost=lost,
            forecast_category=category,
        )
        for position, (name, probability, won, lost, category) in enumerate(DEFAULT_STAGES, 1)
    )
    if not LostReason.objects.exists():
        LostReason.objects.bulk_create(
            LostReason(name=name, position=position)
            for position, name in enumerate(DEFAULT_LOST_REASONS, 1)
        )
    return pipeline


def stages_of(pipeline: Pipeline | int) -> list[DealStage]:
    """The pipeline's stages in board order: open stages, then won, then lost."""
    stages = list(DealStage.objects.filter(pipeline=pipeline).order_by("position", "id"))
    return sorted(stages, key=lambda stage: (stage.is_closed, stage.is_lost, stage.position))


def stage_first_open(pipeline: Pipeline | int) -> DealStage:
    stage = (
        DealStage.objects.filter(pipeline=pipeline, is_won=False, is_lost=False)
        .order_by("position", "id")
        .first()
    )
    if stage is None:
        raise ValidationError("The pipeline has no open stage: add one in the admin.")
    return stage


def stage_resolve(value: DealStage | int | str, *, pipeline_id: int | None = None) -> DealStage:
    """A stage from a stage, its id, or its name (any letter case, in `pipeline_id` or
    the default pipeline). Unknown: a field error naming the choices."""
    if isinstance(value, DealStage):
        return value
    stages = DealStage.objects.filter(pipeline_id=pipeline_id or pipeline_default().pk)
    text = str(value).strip()
    stage = None
    if text.isdigit():
        stage = stages.filter(pk=int(text)).first()
    if stage is None and text:
        stage = stages.filter(name__iexact=text).first()
    if stage is None:
        names = ", ".join(stages.order_by("position").values_list("name", flat=True))
        raise ValidationError({"to_stage": f"Unknown stage {text!r}; the stages are: {names}."})
    return stage


def lost_reason_resolve(value: LostReason | int | str | None) -> LostReason | None:
    """An active loss reason from a reason, its id or its name; None for nothing given."""
    if value is None or value == "":
        return None
    if isinstance(value, LostReason):
        return value
    text = str(value).strip()
    reasons = LostReason.objects.filter(is_active=True)
    reason = reasons.filter(pk=int(text)).first() if text.isdigit() else None
    reason = reason or reasons.filter(name__iexact=text).first()
    if reason is None:
        names = ", ".join(reasons.values_list("name", flat=True))
        raise ValidationError(
            {"lost_reason": f"Unknown loss reason {text!r}; pick one of: {names}."}
        )
    return reason
