"""Reading the pipeline's stages (a handful of rows): the default pipeline, its first open
stage, and turning what a caller sent (a stage, an id, a name) into a stage or a clear
400."""

from django.core.exceptions import ValidationError

from sales.pipeline.models import DealStage, LostReason, Pipeline


def pipeline_default() -> Pipeline:
    pipeline = Pipeline.objects.filter(is_default=True).first()
    if pipeline is None:
        raise ValidationError("No default pipeline: create one in the admin.")
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
