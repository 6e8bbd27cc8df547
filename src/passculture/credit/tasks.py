from django.tasks import task

from passculture.credit import services


@task
def recredit_birthdays() -> int:
    """Daily: grant each validated young person the credit of the age reached today."""
    return services.recredit_birthdays()
