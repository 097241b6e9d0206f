"""The CSV import pages: upload, preview + column mapping, progress (htmx polling) and the
report of bad lines. The work itself runs in a Celery worker (marketing.imports)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from marketing.forms import ImportMappingForm, ImportUploadForm
from marketing.imports import services, undo
from marketing.models import ImportJob
from marketing.permissions import marketing_required
from marketing.selectors import import_jobs_recent


@marketing_required
def import_list(request: HttpRequest) -> HttpResponse:
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = services.import_job_create(
                upload=form.cleaned_data["file"],
                encoding=form.cleaned_data["encoding"],
                actor=request.user,
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            return redirect("marketing:import-detail", pk=job.pk)
    return render(
        request,
        "marketing/import_list.html",
        {"form": form, "jobs": import_jobs_recent()},
        status=400 if form.errors else 200,
    )


@marketing_required
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(ImportJob.objects.select_related("campaign", "created_by"), pk=pk)
    form, preview, preview_lines, error = None, None, [], ""
    delimiter = request.POST.get("delimiter") or request.GET.get("delimiter") or job.delimiter
    if services.import_job_may_start(job):
        try:
            preview = services.import_job_preview(job=job, delimiter=delimiter)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            form = _mapping_form(request, job, preview)
            # Marked with the mapping on screen: a field choice changes what is checked.
            preview_lines = services.import_job_preview_lines(
                job=job, preview=preview, mapping=_mapping_shown(form)
            )
    if request.method == "POST" and form is not None and form.is_valid():
        data = form.cleaned_data
        try:
            services.import_job_start(
                job=job,
                mapping=form.mapping,
                delimiter=data["delimiter"],
                dry_run=request.POST.get("action") != "import",
                skip_bad_lines=data["skip_bad_lines"],
                campaign=data["campaign"],
                touch_kind=data["touch_kind"],
                column_modes=form.column_modes,
            )
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            return redirect("marketing:import-detail", pk=job.pk)
    status = 400 if (form is not None and form.errors) else 200
    return render(
        request,
        "marketing/import_detail.html",
        {
            "job": job,
            "stalled": services.import_job_is_stale(job),
            "form": form,
            "preview": preview,
            "preview_lines": preview_lines,
            "bad_preview_lines": sum(line.is_bad for line in preview_lines),
            "error": error,
        },
        status=status,
    )


def _mapping_form(request: HttpRequest, job: ImportJob, preview) -> ImportMappingForm:
    columns_changed = preview.columns != job.columns
    mapping = preview.suggested if columns_changed else job.mapping
    initial = {
        "delimiter": preview.delimiter,
        "campaign": job.campaign_id,
        "touch_kind": job.touch_kind,
        "skip_bad_lines": job.skip_bad_lines,
        **{f"column_{i}": field for i, field in enumerate(mapping)},
        **{f"mode_{name}": mode for name, mode in job.column_modes.items()},
    }
    # A changed separator re-reads the columns: show the new mapping, don't submit it.
    bound = request.method == "POST" and request.POST.get("action") in ("dry_run", "import")
    return ImportMappingForm(
        request.POST if bound else None, initial=initial, columns=preview.columns
    )


def _mapping_shown(form: ImportMappingForm) -> list[str]:
    # The submitted choices when the form is bound, the suggested or saved ones otherwise.
    return [form[f"column_{i}"].value() or "" for i in range(len(form.columns))]


@marketing_required
@require_GET
def import_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress partial htmx polls; once the job ends it tells htmx to reload the page."""
    job = get_object_or_404(ImportJob, pk=pk)
    response = render(
        request,
        "marketing/_import_progress.html",
        {"job": job, "stalled": services.import_job_is_stale(job)},
    )
    if job.is_finished and request.htmx:
        response["HX-Refresh"] = "true"
    return response


@marketing_required
@require_GET
def import_report(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(ImportJob, pk=pk)
    if not job.report:
        raise Http404("This import has no report of bad lines.")
    return FileResponse(
        job.report.open("rb"),
        as_attachment=True,
        filename=f"bad-lines-import-{job.pk}.csv",
        content_type="text/csv",
    )


@marketing_required
@require_POST
def import_delete(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(ImportJob, pk=pk)
    if job.is_running and not services.import_job_is_stale(job):
        messages.error(request, "This import is running; delete it once it has finished.")
        return redirect("marketing:import-detail", pk=job.pk)
    services.import_job_delete(job=job)
    messages.success(request, f"Import of “{job.original_name}” deleted (its leads stay).")
    return redirect("marketing:import-list")


@marketing_required
@require_POST
def import_undo(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(ImportJob, pk=pk)
    try:
        report = undo.import_job_undo(job=job, actor=request.user, now=timezone.now())
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        not_done = report["not_restored"] + report["kept"]
        messages.success(
            request,
            f"Import undone: {report['deleted']:,} created leads deleted, "
            f"{report['restored']:,} field values restored"
            + (f"; {not_done:,} things could not be reverted (listed below)." if not_done else "."),
        )
    return redirect("marketing:import-detail", pk=job.pk)
