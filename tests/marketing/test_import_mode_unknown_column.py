"""A column choice (merge mode) naming a field no column of the file is mapped to, or an
unknown field, is refused before anything is written."""

import pytest
from django.core.exceptions import ValidationError

from leads.models import Lead
from marketing.models import ImportJob
from tests.marketing.imports import job_from, run

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("modes", [{"phone": "overwrite"}, {"favourite_colour": "skip"}])
def test_refused_before_anything_is_written(marketer, modes):
    job = job_from("email,company\na@example.com,Acme\n", user=marketer)
    with pytest.raises(ValidationError) as refused:
        run(job, column_modes=modes)
    assert "column_modes" in refused.value.message_dict
    job.refresh_from_db()
    assert job.status == ImportJob.Status.UPLOADED
    assert not Lead.objects.exists()
