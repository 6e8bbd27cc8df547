"""Audit log writer, called by every service that changes state."""

from typing import Any

from django.db import models

from passculture.core.models import AuditEntry

SYSTEM = "SYSTEM"
AUTO = "AUTO"


def snapshot(obj: models.Model, fields: list[str]) -> dict[str, Any]:
    """JSON-safe copy of some fields, to store as before/after."""
    out: dict[str, Any] = {}
    for name in fields:
        value = getattr(obj, name)
        if isinstance(value, models.Model):
            value = value.pk
        elif value is not None and not isinstance(value, (str, int, float, bool, list, dict)):
            value = str(value)
        out[name] = value
    return out


def record_audit(
    *,
    actor: Any,
    action: str,
    obj: models.Model,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    data: dict[str, Any] | None = None,
) -> AuditEntry:
    """Write one audit entry; actor is a user, None or a label such as AUTO/SYSTEM."""
    user = actor if getattr(actor, "pk", None) is not None else None
    label = actor if isinstance(actor, str) else (getattr(actor, "email", None) or SYSTEM)
    return AuditEntry.objects.create(
        actor=user,
        actor_label=label,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        before=before or {},
        after=after or {},
        data=data or {},
    )


def entries_for(obj: models.Model) -> models.QuerySet[AuditEntry]:
    return AuditEntry.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))
