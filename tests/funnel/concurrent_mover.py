"""Run in a separate process by test_concurrency: moves leads while siblings do the same.

python -m tests.funnel.concurrent_mover <single|bulk> <to_stage> <seed> <lead ids…>
"""

import contextlib
import os
import random
import sys


def main(argv: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()
    from funnel.services import lead_transition, leads_move_bulk
    from funnel.stages import Cause, IllegalTransition
    from leads.models import Lead

    mode, to_stage, seed, *raw_ids = argv
    ids = [int(i) for i in raw_ids]
    # Each process walks the same leads in its own order, to collide as much as possible.
    random.Random(int(seed)).shuffle(ids)
    if mode == "single":
        for lead_id in ids:
            # A sibling may have moved it somewhere this move can't follow.
            with contextlib.suppress(IllegalTransition):
                lead_transition(lead_id=lead_id, to_stage=to_stage, cause=Cause.TASK)
    else:
        for start in range(0, len(ids), 250):
            chunk = ids[start : start + 250]
            leads_move_bulk(
                candidates=Lead.objects.filter(pk__in=chunk),
                to_stage=to_stage,
                cause=Cause.TASK,
                batch_size=100,
            )


if __name__ == "__main__":
    main(sys.argv[1:])
