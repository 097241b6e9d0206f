from celery import shared_task

from sales import services


@shared_task
def prospects_assign_owner(lead_ids: list[int]) -> int:
    return len(services.prospects_assign_owner(lead_ids=lead_ids))
