"""Schools (import from the official directory's CSV), budgets, people, venue profiles."""

import csv
import dataclasses
import io
from decimal import Decimal, InvalidOperation

from django.db import transaction

from passculture.accounts.models import User
from passculture.collective import rules
from passculture.collective.errors import InvalidUai
from passculture.collective.models import (
    BudgetRate,
    EducationalYear,
    Enrolment,
    School,
    SchoolBudget,
    SchoolMember,
)
from passculture.core.audit import record_audit
from passculture.core.errors import PermissionDenied
from passculture.offerers.rules import department_from_postal_code

# Columns of the national directory export (annuaire de l'éducation), as named there.
CSV_COLUMNS = {
    "uai": "Identifiant_de_l_etablissement",
    "name": "Nom_etablissement",
    "type": "Type_etablissement",
    "city": "Nom_commune",
    "postal_code": "Code_postal",
    "academy": "Libelle_academie",
    "latitude": "latitude",
    "longitude": "longitude",
    "phone": "Telephone",
    "email": "Mail",
}
TYPE_MAP = {
    "collège": "college", "college": "college", "lycée": "lycee_gt", "lycee": "lycee_gt",
    "lycée professionnel": "lycee_pro", "lycee professionnel": "lycee_pro", "erea": "erea",
}  # fmt: skip


@dataclasses.dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    errors: list[str] = dataclasses.field(default_factory=list)


def year_for(code: str) -> EducationalYear:
    begins, ends = rules.school_year_bounds(code)
    year, _ = EducationalYear.objects.get_or_create(
        code=code, defaults={"begins_at": begins, "ends_at": ends}
    )
    return year


def _decimal(text: str) -> Decimal | None:
    try:
        return Decimal(text.replace(",", ".")).quantize(Decimal("0.00001")) if text else None
    except InvalidOperation:
        return None


@transaction.atomic
def import_schools(*, actor: object, content: str) -> ImportReport:
    """Create or update schools from the directory CSV (';' or ','); bad rows are reported."""
    sample = content[:2000]
    delimiter = ";" if sample.count(";") >= sample.count(",") else ","
    reader = csv.DictReader(io.StringIO(content.lstrip("\ufeff")), delimiter=delimiter)
    report = ImportReport()
    last: School | None = None
    missing = [
        c for c in ("uai", "name", "postal_code") if CSV_COLUMNS[c] not in (reader.fieldnames or [])
    ]
    if missing:
        report.errors.append(
            "Colonnes manquantes : " + ", ".join(CSV_COLUMNS[c] for c in missing) + "."
        )
        return report
    for line, row in enumerate(reader, start=2):

        def get(key: str, row: dict[str, str] = row) -> str:
            return (row.get(CSV_COLUMNS[key]) or "").strip()

        uai = get("uai").upper()
        if not rules.is_valid_uai(uai):
            report.errors.append(f"Ligne {line} : UAI « {uai} » invalide.")
            continue
        department = department_from_postal_code(get("postal_code"))
        if department is None:
            report.errors.append(f"Ligne {line} : code postal « {get('postal_code')} » inconnu.")
            continue
        values = {
            "name": get("name")[:200], "school_type": TYPE_MAP.get(get("type").lower(), "other"),
            "city": get("city")[:100], "postal_code": get("postal_code"),
            "department_code": department, "academy": get("academy")[:60],
            "latitude": _decimal(get("latitude")), "longitude": _decimal(get("longitude")),
            "phone": get("phone")[:20], "email": get("email")[:254],
        }  # fmt: skip
        last, created = School.objects.update_or_create(uai=uai, defaults=values)
        if created:
            report.created += 1
        else:
            report.updated += 1
    if last is not None:  # one summary entry, attached to the last school written
        record_audit(
            actor=actor,
            action="schools.imported",
            obj=last,
            data={
                "created": report.created,
                "updated": report.updated,
                "errors": report.errors[:50],
            },
        )
    return report


def rates_for(year_code: str) -> dict[str, int]:
    rates = dict(rules.DEFAULT_RATES)
    for rate in BudgetRate.objects.filter(valid_from_year__lte=year_code).order_by(
        "valid_from_year"
    ):
        rates[rate.level] = rate.amount
    return rates


@transaction.atomic
def compute_budget(*, school: School, year_code: str, provisional: bool = True) -> SchoolBudget:
    """(Re)compute a school's budget from its enrolment; a staff-set budget is left alone."""
    year = year_for(year_code)
    enrolment = dict(Enrolment.objects.filter(school=school).values_list("level", "pupils"))
    amount = rules.budget_amount(enrolment, rates_for(year_code))
    budget = SchoolBudget.objects.select_for_update().filter(school=school, year=year).first()
    if budget is None:
        budget = SchoolBudget.objects.create(
            school=school, year=year, amount=amount, is_provisional=provisional
        )
        record_audit(actor="SYSTEM", action="budget.computed", obj=budget, after={"amount": amount})
    elif not budget.is_manual and budget.amount != amount:
        before = budget.amount
        budget.amount = amount
        budget.save(update_fields=["amount", "updated_at"])
        record_audit(
            actor="SYSTEM", action="budget.computed", obj=budget, before={"amount": before},
            after={"amount": amount},
        )  # fmt: skip
    return budget


@transaction.atomic
def set_budget(
    *, actor: User, school: School, year_code: str, amount: int, provisional: bool
) -> SchoolBudget:
    """Staff sets or corrects a budget (audited); it is then no longer recomputed."""
    if not actor.is_staff:
        raise PermissionDenied()
    year = year_for(year_code)
    budget = SchoolBudget.objects.select_for_update().filter(school=school, year=year).first()
    before = {"amount": budget.amount, "provisional": budget.is_provisional} if budget else {}
    if budget is None:
        budget = SchoolBudget(school=school, year=year)
    budget.amount, budget.is_provisional, budget.is_manual = amount, provisional, True
    budget.save()
    record_audit(
        actor=actor, action="budget.set", obj=budget, before=before,
        after={"amount": amount, "provisional": provisional},
    )  # fmt: skip
    return budget


@transaction.atomic
def attach_member(*, actor: object, user: User, uai: str, role: str) -> SchoolMember:
    """Attach a teacher or the head to a school by UAI (the SSO will call this)."""
    school = School.objects.filter(uai=uai.strip().upper()).first()
    if school is None:
        raise InvalidUai("Établissement inconnu pour l’UAI « {uai} ».", uai=uai)
    member, _ = SchoolMember.objects.update_or_create(
        user=user, school=school, defaults={"role": role}
    )
    record_audit(
        actor=actor,
        action="school.member_attached",
        obj=member,
        after={"role": role, "uai": school.uai},
    )
    return member
