"""Access scoping helpers: every scoped read in web/ and api/ goes through one."""

from typing import TypeVar

from django.db import models
from django.http import Http404

M = TypeVar("M", bound=models.Model)


def get_scoped_or_404(queryset: models.QuerySet[M], **lookup: object) -> M:
    """Fetch one object inside an already-scoped queryset; anything else is a 404, never a 403.

    A 404 (not 403) so that a pro cannot even learn that another structure's object exists.
    """
    try:
        return queryset.get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("Élément introuvable.") from exc
