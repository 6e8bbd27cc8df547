"""Partner API — Collective Offer Attributes: the lists a collective offer's fields take
their values from (domains, schools, national programs, student levels)."""

from django.http import HttpRequest
from ninja import Field, Router, Schema

from passculture.api.public import collective_vocab as vocab
from passculture.collective import labels
from passculture.collective.models import School

router = Router(tags=["Collective Offer Attributes"])

INSTITUTIONS_MAX = 100


class NationalProgramModel(Schema):
    id: int
    name: str


class DomainResponse(Schema):
    id: int = Field(description="Identifiant du domaine, à donner dans `domains`.")
    name: str
    nationalPrograms: list[NationalProgramModel]


class StudentLevelResponse(Schema):
    id: str = Field(description="Code du niveau, à donner dans `students`.")
    name: str


class InstitutionResponse(Schema):
    id: int
    uai: str
    name: str
    institutionType: str
    city: str
    postalCode: str


@router.get(
    "/educational-domains",
    response=list[DomainResponse],
    summary="Get Educational Domains",
    operation_id="ListEducationalDomains",
    description="Les domaines artistiques et culturels d’une offre collective.",
)
def list_domains(request: HttpRequest) -> list[DomainResponse]:
    # No national program is known here yet: every domain lists none.
    return [
        DomainResponse(id=vocab.DOMAIN_IDS[key], name=name, nationalPrograms=[])
        for key, name in labels.DOMAINS.items()
        if key in vocab.DOMAIN_IDS
    ]


@router.get(
    "/educational-institutions/",
    response=list[InstitutionResponse],
    summary="Get Educational Institutions",
    operation_id="ListEducationalInstitutions",
    description=(
        "Recherche d’établissements scolaires, pour cibler une offre "
        "(`educationalInstitutionId` ou `educationalInstitution` = UAI). Filtres cumulables : "
        "nom, type et commune (contient, sans tenir compte de la casse), code postal (début), "
        f"UAI (exact). `limit` : 20 par défaut, {INSTITUTIONS_MAX} au plus."
    ),
)
def list_institutions(
    request: HttpRequest,
    id: int | None = None,
    name: str | None = None,
    institutionType: str | None = None,
    city: str | None = None,
    postalCode: str | None = None,
    uai: str | None = None,
    limit: int = 20,
) -> list[InstitutionResponse]:
    # NUL cannot reach PostgreSQL; no school name holds one anyway.
    name, institutionType, city, postalCode, uai = (
        None if value is None else value.replace("\x00", "")
        for value in (name, institutionType, city, postalCode, uai)
    )
    schools = School.objects.all()
    if id is not None:
        schools = schools.filter(pk=id)
    if name:
        schools = schools.filter(name__icontains=name.strip())
    if institutionType:
        wanted = institutionType.strip().upper()
        kinds = [key for key, label in vocab.INSTITUTION_TYPES.items() if wanted in label]
        schools = schools.filter(school_type__in=kinds)
    if city:
        schools = schools.filter(city__icontains=city.strip())
    if postalCode:
        schools = schools.filter(postal_code__startswith=postalCode.strip())
    if uai:
        schools = schools.filter(uai=uai.strip().upper())
    # The reference sets no maximum; a bound keeps one call cheap (documented above).
    limit = max(1, min(limit, INSTITUTIONS_MAX))
    return [
        InstitutionResponse(
            id=school.pk,
            uai=school.uai,
            name=school.name,
            institutionType=vocab.INSTITUTION_TYPES.get(school.school_type, school.school_type),
            city=school.city,
            postalCode=school.postal_code,
        )
        for school in schools.order_by("pk")[:limit]
    ]


@router.get(
    "/national-programs/",
    response=list[NationalProgramModel],
    summary="Get National Programs",
    operation_id="GetNationalPrograms",
    description=(
        "Les dispositifs nationaux auxquels rattacher une offre. Aucun n’est encore géré ici : "
        "la liste est vide et `nationalProgramId` doit rester nul."
    ),
)
def list_national_programs(request: HttpRequest) -> list[NationalProgramModel]:
    return []


@router.get(
    "/student-levels",
    response=list[StudentLevelResponse],
    summary="Get Student Levels",
    operation_id="ListStudentsLevels",
    description="Les niveaux scolaires qu’une offre collective peut viser.",
)
def list_student_levels(request: HttpRequest) -> list[StudentLevelResponse]:
    return [
        StudentLevelResponse(id=vocab.LEVEL_CODES[key], name=vocab.level_name(key))
        for key in labels.LEVELS
        if key in vocab.LEVEL_CODES
    ]
