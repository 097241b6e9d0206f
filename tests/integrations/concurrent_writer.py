"""Run in a separate process by test_bulk_concurrent_writers: writes the same addresses
as its siblings, through one entry point, and prints how many leads it created.

python -m tests.integrations.concurrent_writer <bulk|capture|import> <user or campaign id>
    <seed> <case: lower|upper> <field=value,...> <emails...>
"""

import json
import os
import random
import sys


def main(argv: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from rest_framework.test import APIClient

    from marketing.capture import lead_capture
    from marketing.models import Campaign

    kind, who, seed, case, raw_fields, *emails = argv
    fields = dict(pair.split("=", 1) for pair in raw_fields.split(",") if pair)
    values = {k: (v == "true" if k == "marketing_consent" else v) for k, v in fields.items()}
    emails = [email.upper() if case == "upper" else email for email in emails]
    # Each process walks the addresses in its own order, to collide as much as possible.
    random.Random(int(seed)).shuffle(emails)
    created = 0
    if kind == "bulk":
        client = APIClient()
        client.force_authenticate(get_user_model().objects.get(pk=int(who)))
        for start in range(0, len(emails), 100):
            body = {"leads": [{"email": e, **values} for e in emails[start : start + 100]]}
            response = client.post("/api/v1/leads/bulk/", body, format="json")
            assert response.status_code == 200, response.content
            created += response.json()["created"]
    elif kind == "import":
        created = _import(get_user_model().objects.get(pk=int(who)), emails, fields)
    else:
        campaign = Campaign.objects.get(pk=int(who))
        consent = values.pop("marketing_consent", False)
        for email in emails:
            created += lead_capture(
                campaign=campaign, email=email, fields=values, consent=consent
            ).created
    print(json.dumps({"created": created}))


def _import(user, emails: list[str], fields: dict[str, str]) -> int:
    """A marketer's CSV import of the addresses, run as the worker runs it."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from marketing.imports import services

    names = ["email", *fields]
    lines = [",".join(names), *(",".join([e, *fields.values()]) for e in emails)]
    upload = SimpleUploadedFile("race.csv", "\n".join(lines).encode(), content_type="text/csv")
    job = services.import_job_create(upload=upload, encoding="utf-8", actor=user)
    mapping = names
    services.import_job_start(
        job=job, mapping=mapping, delimiter=",", dry_run=False, skip_bad_lines=False
    )
    job = services.import_job_run(job_id=job.pk)
    assert job.status == "done", job.message
    return job.leads_new


if __name__ == "__main__":
    main(sys.argv[1:])
