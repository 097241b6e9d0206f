"""The funnel API's figures are built directly (funnel.metrics.serializers): they must be
exactly what DRF's walk over the declared fields gives, which the OpenAPI schema documents."""

from rest_framework import serializers

from funnel.metrics.figures import STAGES, Figures, Group, StageTime
from funnel.metrics.serializers import FiguresSerializer, GroupSerializer


def _figures() -> Figures:
    figures = Figures(cohort=7)
    figures.reached = {stage: n for n, stage in enumerate(STAGES)}
    figures.flow = {stage: 10 * n + 1 for n, stage in enumerate(STAGES)}
    figures.time_in_stage[STAGES[0]] = StageTime(moves=3, median_days=1.25, p90_days=2)
    figures.time_in_stage[STAGES[1]] = StageTime(moves=1, median_days=0.0, p90_days=0.0)
    return figures


def _walked(serializer, instance) -> dict:
    return serializers.Serializer.to_representation(serializer, instance)


def test_figures_are_what_the_declared_fields_give():
    for figures in (_figures(), Figures()):  # Figures(): every rate and percentile null
        direct = FiguresSerializer().to_representation(figures)
        assert direct == _walked(FiguresSerializer(), figures)
        assert list(direct) == list(FiguresSerializer().fields)
        assert list(direct["time_in_stage"]) == STAGES


def test_a_group_is_its_key_label_and_figures():
    group = Group(key="12", label="Rep Twelve", figures=_figures())
    assert GroupSerializer().to_representation(group) == {
        "key": "12",
        "label": "Rep Twelve",
        **_walked(FiguresSerializer(), group.figures),
    }
