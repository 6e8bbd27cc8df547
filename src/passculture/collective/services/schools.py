"""Schools (import from the official directory's CSV), budgets, people, venue profiles."""

import csv
import dataclasses
import io
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction

from passculture.accounts.models import User
from passculture.collective import rules
from passculture.collective.errors import CollectiveError, InvalidUai
from passculture.collective.models import (
    BudgetRate,
    EducationalYear,
    Enrolment,
    School,
    SchoolBudget,
    SchoolMember,
    SchoolRole,
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
    "nature": "libelle_nature",  # optional: "LYCEE PROFESSIONNEL"… (the type only says "Lycée")
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


def _decimal(text: str, *, limit: int = 180) -> Decimal | None:
    """A WGS84 coordinate, or None when missing or unusable (it would overflow the column)."""
    try:
        value = Decimal(text.replace(",", ".")) if text else None
    except InvalidOperation:
        return None
    if value is None or not value.is_finite() or abs(value) > limit:
        return None
    return value.quantize(Decimal("0.00001"))


def _school_type(kind: str, nature: str) -> str:
    nature = nature.upper()
    if "PROFESSIONNEL" in nature:
        return "lycee_pro"
    if "AGRICOLE" in nature:
        return "lycee_agri"
    return TYPE_MAP.get(kind.lower(), "other")


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
        if not get("name"):
            report.errors.append(f"Ligne {line} : nom de l’établissement manquant.")
            continue
        department = department_from_postal_code(get("postal_code"))
        if department is None:
            report.errors.append(f"Ligne {line} : code postal « {get('postal_code')} » inconnu.")
            continue
        values = {
            "name": get("name")[:200], "school_type": _school_type(get("type"), get("nature")),
            "city": get("city")[:100], "postal_code": get("postal_code"),
            "department_code": department, "academy": get("academy")[:60],
            "latitude": _decimal(get("latitude"), limit=90),
            "longitude": _decimal(get("longitude")),
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
    elif not budget.is_manual and (
        budget.amount != amount or budget.is_provisional != provisional
    ):  # a provisional budget becomes final (100 % spendable) through here too
        before = {"amount": budget.amount, "provisional": budget.is_provisional}
        budget.amount, budget.is_provisional = amount, provisional
        budget.save(update_fields=["amount", "is_provisional", "updated_at"])
        record_audit(
            actor="SYSTEM", action="budget.computed", obj=budget, before=before,
            after={"amount": amount, "provisional": provisional},
        )  # fmt: skip
    return budget


@transaction.atomic
def set_budget(
    *, actor: User, school: School, year_code: str, amount: int, provisional: bool
) -> SchoolBudget:
    """Staff sets or corrects a budget (audited); it is then no longer recomputed."""
    if not actor.is_staff:
        raise PermissionDenied()
    if amount < 0:
        raise CollectiveError("Le montant d’un budget ne peut pas être négatif.", field="amount")
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
    if role not in SchoolRole.values:
        raise CollectiveError("Rôle inconnu.", field="role")
    school = School.objects.filter(uai=uai.strip().upper()).first()
    if school is None:
        raise InvalidUai("Établissement inconnu pour l’UAI « {uai} ».", uai=uai)
    try:
        with transaction.atomic():
            member, _ = SchoolMember.objects.update_or_create(
                user=user, school=school, defaults={"role": role}
            )
    except IntegrityError as exc:  # one head per school (database constraint)
        raise CollectiveError(
            "Cet établissement a déjà un chef d’établissement.", field="role"
        ) from exc
    record_audit(
        actor=actor,
        action="school.member_attached",
        obj=member,
        after={"role": role, "uai": school.uai},
    )
    return member
