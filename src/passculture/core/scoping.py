"""Access scoping helpers: every scoped read in web/ and api/ goes through one."""

from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.http import Http404


def get_scoped_or_404[M: models.Model](queryset: models.QuerySet[M], **lookup: object) -> M:
    """Fetch one object inside an already-scoped queryset; anything else is a 404, never a 403.

    A 404 (not 403) so that a pro cannot even learn that another structure's object exists.
    """
    try:
        return queryset.get(**lookup)
    except (ObjectDoesNotExist, ValueError, TypeError) as exc:
        raise Http404("Élément introuvable.") from exc
