"""Demo schools for the collective part: the sample directory file, enrolments, budgets, people.

Called by the demo seed. Schools, budgets and memberships go through the services (audited
like real use); enrolments have no service of their own (they come from the ministry's
statistics), so they are written here, as the directory import would receive them.
Idempotent: running it twice updates the same rows.
"""

import dataclasses
import random
from pathlib import Path

from django.db import transaction

from passculture.accounts.models import Role, User
from passculture.collective import rules
from passculture.collective.models import Enrolment, School, SchoolRole
from passculture.collective.models.schools import Level, SchoolType
from passculture.collective.services import schools as school_services
from passculture.core import clock

DEMO_SCHOOLS_CSV = Path(__file__).resolve().parent / "data" / "schools_demo.csv"
DEMO_PASSWORD = "passculture-demo"
DEMO_TEACHER_EMAIL = "enseignant@passculture.local"
DEMO_HEAD_EMAIL = "chef@passculture.local"
DEMO_TEACHER2_EMAIL = "enseignant2@passculture.local"
# The second teacher's school: another school of the same town area (Villeurbanne), so a
# demo can show an offer targeted at the first school that this teacher cannot pre-book.
SECOND_SCHOOL_UAI = "0692418D"

COLLEGE_LEVELS = [Level.SIXIEME, Level.CINQUIEME, Level.QUATRIEME, Level.TROISIEME]
LYCEE_LEVELS = [Level.SECONDE, Level.PREMIERE, Level.TERMINALE]
PRO_LEVELS = [Level.CAP1, Level.CAP2, Level.SECONDE, Level.PREMIERE, Level.TERMINALE]


@dataclasses.dataclass
class DemoSchools:
    schools: int
    budgets: int
    year_code: str
    teacher: User
    head: User
    teacher2: User

    @property
    def logins(self) -> list[tuple[str, str]]:
        first = self.head.school_memberships.get().school
        second = self.teacher2.school_memberships.get().school
        return [
            (f"Enseignant, {first.name} ({first.city})", self.teacher.email),
            (f"Chef d’établissement, {first.name}", self.head.email),
            (f"Enseignante, {second.name} ({second.city})", self.teacher2.email),
        ]


def _levels(school: School) -> list[str]:
    if school.school_type == SchoolType.COLLEGE:
        return list(COLLEGE_LEVELS)
    if school.school_type == SchoolType.LYCEE_PRO:
        return list(PRO_LEVELS)
    return list(LYCEE_LEVELS)


def _enrol(school: School) -> None:
    """Plausible pupils per level, the same on every run (seeded by the UAI)."""
    rng = random.Random(school.uai)
    for level in _levels(school):
        low, high = (18, 48) if level in (Level.CAP1, Level.CAP2) else (90, 260)
        Enrolment.objects.update_or_create(
            school=school, level=level, defaults={"pupils": rng.randint(low, high)}
        )


def _person(email: str, first_name: str, last_name: str, role: str) -> User:
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User.objects.create_user(
            email, DEMO_PASSWORD, first_name=first_name, last_name=last_name, role=role,
            email_verified_at=clock.now(),
        )  # fmt: skip
    return user


@transaction.atomic
def seed_demo_schools(actor: object) -> DemoSchools:
    """Import the sample directory, enrol pupils, compute this year's provisional budgets."""
    content = DEMO_SCHOOLS_CSV.read_text(encoding="utf-8-sig")
    report = school_services.import_schools(actor=actor, content=content)
    if report.errors:  # the shipped file is ours: an error here is a bug, not bad input
        raise ValueError("; ".join(report.errors))
    year_code = rules.year_of(clock.now())
    schools = list(School.objects.filter(uai__in=_uais(content)).order_by("pk"))
    for school in schools:
        _enrol(school)
        school_services.compute_budget(school=school, year_code=year_code, provisional=True)
    first = next(s for s in _in_file_order(schools, content) if s.academy == "Lyon")
    teacher = _person(DEMO_TEACHER_EMAIL, "Camille", "Rousseau", Role.TEACHER)
    head = _person(DEMO_HEAD_EMAIL, "Hélène", "Durand-Béjart", Role.HEAD)
    teacher2 = _person(DEMO_TEACHER2_EMAIL, "Inès", "Benali", Role.TEACHER)
    for user, uai, role in (
        (teacher, first.uai, SchoolRole.TEACHER),
        (head, first.uai, SchoolRole.HEAD),
        (teacher2, SECOND_SCHOOL_UAI, SchoolRole.TEACHER),
    ):
        if not user.school_memberships.filter(school__uai=uai, role=role).exists():
            school_services.attach_member(actor=actor, user=user, uai=uai, role=role)
    return DemoSchools(
        schools=len(schools), budgets=len(schools), year_code=year_code, teacher=teacher,
        head=head, teacher2=teacher2,
    )  # fmt: skip


def _uais(content: str) -> list[str]:
    return [line.split(";", 1)[0].strip().upper() for line in content.splitlines()[1:] if line]


def _in_file_order(schools: list[School], content: str) -> list[School]:
    by_uai = {school.uai: school for school in schools}
    return [by_uai[uai] for uai in _uais(content) if uai in by_uai]
