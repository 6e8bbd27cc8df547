"""Campaign jobs as tasks, enqueued by the scheduler (passculture/tasks.py)."""

from django.tasks import task

from passculture.campaigns import services


@task
def send_due_campaigns() -> int:
    return services.send_due_campaigns()
