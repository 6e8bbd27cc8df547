"""The catalogue must speak the partner API reference's codes and keep its booking invariants.

The reference OpenAPI document lives in `shared/` beside the repository. When it is there,
the tests read it; when it is not (a bare clone), they check a copy of its essentials kept
below, so nothing is ever skipped. A dedicated test keeps that copy equal to the document.
"""

import json
from pathlib import Path

import pytest

from passculture.offers import catalogue, extra_fields
from passculture.offers.catalogue import (
    CATEGORIES,
    MUSIC_TYPES,
    SHOW_TYPES,
    SUBCATEGORIES,
    WITHDRAWAL_LABELS,
    InvalidExtraData,
    UnknownSubcategory,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
REFERENCE = REPO_ROOT.parent / "shared" / "reference" / "passculture-public-openapi.json"

# Essentials of the reference: required fields (besides `category`) of each `*_create` schema.
FALLBACK_CREATE_REQUIRED: dict[str, set[str]] = {
    "ABO_BIBLIOTHEQUE": set(),
    "ABO_CONCERT": {"musicType"},
    "ABO_LIVRE_NUMERIQUE": set(),
    "ABO_MEDIATHEQUE": set(),
    "ABO_PLATEFORME_MUSIQUE": set(),
    "ABO_PLATEFORME_VIDEO": set(),
    "ABO_PRATIQUE_ART": set(),
    "ABO_PRESSE_EN_LIGNE": set(),
    "ABO_SPECTACLE": {"showType"},
    "ACHAT_INSTRUMENT": {"ean"},
    "APP_CULTURELLE": set(),
    "ATELIER_PRATIQUE_ART": set(),
    "AUTRE_SUPPORT_NUMERIQUE": set(),
    "CARTE_JEUNES": set(),
    "CARTE_MUSEE": set(),
    "CINE_PLEIN_AIR": set(),
    "CONCERT": {"musicType"},
    "CONCOURS": set(),
    "CONFERENCE": set(),
    "EVENEMENT_CINE": set(),
    "EVENEMENT_JEU": set(),
    "EVENEMENT_MUSIQUE": {"musicType"},
    "EVENEMENT_PATRIMOINE": set(),
    "FESTIVAL_ART_VISUEL": set(),
    "FESTIVAL_CINE": set(),
    "FESTIVAL_LIVRE": set(),
    "FESTIVAL_MUSIQUE": {"musicType"},
    "FESTIVAL_SPECTACLE": {"showType"},
    "LIVESTREAM_EVENEMENT": {"showType"},
    "LIVESTREAM_MUSIQUE": {"musicType"},
    "LIVESTREAM_PRATIQUE_ARTISTIQUE": set(),
    "LIVRE_AUDIO_PHYSIQUE": {"ean"},
    "LIVRE_NUMERIQUE": set(),
    "LOCATION_INSTRUMENT": {"ean"},
    "PARTITION": {"ean"},
    "PLATEFORME_PRATIQUE_ARTISTIQUE": set(),
    "PODCAST": set(),
    "PRATIQUE_ART_VENTE_DISTANCE": set(),
    "RENCONTRE": set(),
    "RENCONTRE_EN_LIGNE": set(),
    "RENCONTRE_JEU": set(),
    "SALON": set(),
    "SEANCE_CINE": set(),
    "SEANCE_ESSAI_PRATIQUE_ART": set(),
    "SPECTACLE_ENREGISTRE": {"showType"},
    "SPECTACLE_REPRESENTATION": {"showType"},
    "SUPPORT_PHYSIQUE_FILM": {"ean"},
    "TELECHARGEMENT_LIVRE_AUDIO": set(),
    "TELECHARGEMENT_MUSIQUE": {"musicType"},
    "VISITE": set(),
    "VISITE_GUIDEE": set(),
    "VISITE_VIRTUELLE": set(),
    "VOD": set(),
}
# Ids the reference only returns (`*_read` without `*_create`).
FALLBACK_READ_ONLY: set[str] = {
    "ABO_JEU_VIDEO", "ABO_LUDOTHEQUE", "ACTIVATION_EVENT", "ACTIVATION_THING",
    "BON_ACHAT_INSTRUMENT", "CAPTATION_MUSIQUE", "CARTE_CINE_ILLIMITE", "CARTE_CINE_MULTISEANCES",
    "CINE_VENTE_DISTANCE", "DECOUVERTE_METIERS", "ESCAPE_GAME", "JEU_EN_LIGNE",
    "JEU_SUPPORT_PHYSIQUE", "LIVRE_PAPIER", "MATERIEL_ART_CREATIF", "MUSEE_VENTE_DISTANCE",
    "OEUVRE_ART", "SPECTACLE_VENTE_DISTANCE", "SUPPORT_PHYSIQUE_MUSIQUE_CD",
    "SUPPORT_PHYSIQUE_MUSIQUE_VINYLE",
}  # fmt: skip
# Ids the reference's event endpoints return (everything else goes through product endpoints).
FALLBACK_EVENT_IDS: set[str] = {
    "ACTIVATION_EVENT", "ATELIER_PRATIQUE_ART", "CINE_PLEIN_AIR", "CONCERT", "CONCOURS",
    "CONFERENCE", "DECOUVERTE_METIERS", "EVENEMENT_CINE", "EVENEMENT_JEU", "EVENEMENT_MUSIQUE",
    "EVENEMENT_PATRIMOINE", "FESTIVAL_ART_VISUEL", "FESTIVAL_CINE", "FESTIVAL_LIVRE",
    "FESTIVAL_MUSIQUE", "FESTIVAL_SPECTACLE", "LIVESTREAM_EVENEMENT", "LIVESTREAM_MUSIQUE",
    "LIVESTREAM_PRATIQUE_ARTISTIQUE", "RENCONTRE", "RENCONTRE_EN_LIGNE", "RENCONTRE_JEU", "SALON",
    "SEANCE_CINE", "SEANCE_ESSAI_PRATIQUE_ART", "SPECTACLE_REPRESENTATION", "VISITE",
    "VISITE_GUIDEE",
}  # fmt: skip
FALLBACK_MUSIC_TYPES = {
    "MUSIQUE_CLASSIQUE", "JAZZ-BLUES", "BANDES_ORIGINALES", "ELECTRO", "POP", "ROCK", "METAL",
    "ALTERNATIF", "VARIETES", "FUNK-SOUL-RNB-DISCO", "RAP-HIP HOP", "REGGAE-RAGGA",
    "MUSIQUE_DU_MONDE", "COUNTRY-FOLK", "VIDEOS_MUSICALES", "COMPILATIONS", "AMBIANCE",
    "ENFANTS", "AUTRES",
}  # fmt: skip
FALLBACK_SHOW_TYPE_SAMPLE = {
    "ART_DE_LA_RUE-CARNAVAL", "CIRQUE-CLOWN", "DANSE-CONTEMPORAINE", "HUMOUR-STAND_UP",
    "SPECTACLE_MUSICAL-COMEDIE_MUSICALE", "SPECTACLE_JEUNESSE-MARIONETTES", "THEATRE-COMEDIE",
    "PLURIDISCIPLINAIRE-POESIE", "OTHER-SON_ET_LUMIERE", "OPERA-SINGSPIEL", "OTHER",
}  # fmt: skip
FALLBACK_SHOW_TYPE_COUNT = 85


def _schemas() -> dict | None:
    if not REFERENCE.is_file():
        return None
    return json.loads(REFERENCE.read_text(encoding="utf-8"))["components"]["schemas"]


SCHEMAS = _schemas()


def _refs(schemas: dict, name: str) -> set[str]:
    """Category ids listed by an offer schema's `categoryRelatedFields` union."""
    related = schemas[name]["properties"]["categoryRelatedFields"]
    options = related.get("oneOf") or related.get("anyOf") or []
    return {option["$ref"].rsplit("/", 1)[1].rsplit("_", 1)[0] for option in options}


def create_required() -> dict[str, set[str]]:
    if SCHEMAS is None:
        return FALLBACK_CREATE_REQUIRED
    return {
        name.removesuffix("_create"): set(schema.get("required", [])) - {"category"}
        for name, schema in SCHEMAS.items()
        if name.endswith("_create")
    }


def read_fields() -> dict[str, set[str]] | None:
    if SCHEMAS is None:
        return None
    return {
        name.removesuffix("_read"): set(schema["properties"]) - {"category"}
        for name, schema in SCHEMAS.items()
        if name.endswith("_read")
    }


def read_only_ids() -> set[str]:
    if SCHEMAS is None:
        return FALLBACK_READ_ONLY
    reads = {n.removesuffix("_read") for n in SCHEMAS if n.endswith("_read")}
    return reads - set(create_required())


def event_ids() -> set[str]:
    if SCHEMAS is None:
        return FALLBACK_EVENT_IDS
    return _refs(SCHEMAS, "EventOfferResponse")


def enum(name: str) -> list[str]:
    assert SCHEMAS is not None
    return SCHEMAS[name]["enum"]


# --- the copy of the reference ------------------------------------------------------------------


def test_fallback_copy_matches_the_reference_when_present():
    if SCHEMAS is None:
        # Bare clone: the copy is what the other tests use; make sure it is the full one.
        assert len(FALLBACK_CREATE_REQUIRED) == 53
        assert len(FALLBACK_READ_ONLY) == 20
        assert len(FALLBACK_EVENT_IDS) == 28
        return
    assert create_required() == FALLBACK_CREATE_REQUIRED
    assert read_only_ids() == FALLBACK_READ_ONLY
    assert event_ids() == FALLBACK_EVENT_IDS
    assert set(enum("TiteliveMusicTypeEnum")) == FALLBACK_MUSIC_TYPES
    assert len(enum("ShowTypeEnum")) == FALLBACK_SHOW_TYPE_COUNT
    assert set(enum("ShowTypeEnum")) >= FALLBACK_SHOW_TYPE_SAMPLE


# --- ids and fields follow the reference --------------------------------------------------------


@pytest.mark.parametrize("subcategory_id", sorted(create_required()))
def test_every_creatable_reference_id_exists_with_the_same_required_fields(subcategory_id):
    sub = catalogue.get_subcategory(subcategory_id)
    required = {f.name for f in sub.extra_fields if f.required}
    assert required == create_required()[subcategory_id]
    assert sub.selectable  # the partner API can create it, so our pro editor offers it too


def test_read_only_reference_ids_exist_too():
    missing = read_only_ids() - set(SUBCATEGORIES)
    assert not missing


def test_catalogue_has_no_id_unknown_to_the_reference():
    assert set(SUBCATEGORIES) == set(create_required()) | read_only_ids()


def test_extra_field_names_are_those_of_the_reference_read_schemas():
    fields = read_fields()
    if fields is None:
        # Without the document, at least the names must be the reference's vocabulary.
        known = {"author", "performer", "showType", "stageDirector", "musicType", "visa", "ean"}
        for sub in SUBCATEGORIES.values():
            assert {f.name for f in sub.extra_fields} <= known | {"speaker"}
        return
    for sub_id, names in fields.items():
        assert {f.name for f in SUBCATEGORIES[sub_id].extra_fields} == names, sub_id


def test_events_are_exactly_the_reference_event_ids():
    assert {s.id for s in SUBCATEGORIES.values() if s.is_event} == event_ids()


def test_show_types_cover_the_reference_enum():
    codes = enum("ShowTypeEnum") if SCHEMAS else sorted(FALLBACK_SHOW_TYPE_SAMPLE)
    assert set(codes) <= set(SHOW_TYPES)
    if SCHEMAS:
        assert set(SHOW_TYPES) == set(codes)
    else:
        assert len(SHOW_TYPES) == FALLBACK_SHOW_TYPE_COUNT
    assert SHOW_TYPES["THEATRE-COMEDIE"] == "Théâtre — Comédie"


def test_music_types_are_the_current_reference_enum():
    codes = set(enum("TiteliveMusicTypeEnum")) if SCHEMAS else FALLBACK_MUSIC_TYPES
    assert set(MUSIC_TYPES) == codes
    if SCHEMAS:
        assert set(catalogue.EVENT_MUSIC_TYPES) == set(enum("TiteliveEventMusicTypeEnum"))
    assert set(catalogue.EVENT_MUSIC_TYPES) < set(MUSIC_TYPES)


def test_labels_are_filled_in():
    for table in (SHOW_TYPES, MUSIC_TYPES, WITHDRAWAL_LABELS):
        assert all(label.strip() for label in table.values())
    assert all(s.label.strip() for s in SUBCATEGORIES.values())
    assert all(c.label.strip() for c in CATEGORIES.values())


# --- families the product needs -----------------------------------------------------------------


@pytest.mark.parametrize(
    "subcategory_id, category_id",
    [
        ("SPECTACLE_REPRESENTATION", "SPECTACLE"),
        ("FESTIVAL_SPECTACLE", "SPECTACLE"),
        ("SEANCE_CINE", "CINEMA"),
        ("CARTE_CINE_MULTISEANCES", "CINEMA"),
        ("CARTE_CINE_ILLIMITE", "CINEMA"),
        ("VISITE", "MUSEE"),
        ("VISITE_GUIDEE", "MUSEE"),
        ("CARTE_MUSEE", "MUSEE"),
        ("CONCERT", "MUSIQUE_LIVE"),
        ("ABO_PLATEFORME_MUSIQUE", "MUSIQUE_ENREGISTREE"),
        ("ACHAT_INSTRUMENT", "INSTRUMENT"),
        ("LOCATION_INSTRUMENT", "INSTRUMENT"),
        ("LIVRE_PAPIER", "LIVRE"),
        ("LIVRE_NUMERIQUE", "LIVRE"),
        ("LIVRE_AUDIO_PHYSIQUE", "LIVRE"),
        ("ATELIER_PRATIQUE_ART", "PRATIQUE_ART"),
        ("SEANCE_ESSAI_PRATIQUE_ART", "PRATIQUE_ART"),
        ("ABO_PRATIQUE_ART", "PRATIQUE_ART"),
        ("CONFERENCE", "CONFERENCE"),
        ("RENCONTRE", "CONFERENCE"),
        ("CARTE_JEUNES", "CARTE_JEUNES"),
        ("EVENEMENT_JEU", "JEU"),
        ("ABO_PRESSE_EN_LIGNE", "MEDIA"),
    ],
)
def test_required_families_are_offered(subcategory_id, category_id):
    sub = catalogue.get_subcategory(subcategory_id)
    assert sub.category_id == category_id
    assert sub.selectable


def test_every_subcategory_belongs_to_a_known_category():
    assert {s.category_id for s in SUBCATEGORIES.values()} <= set(CATEGORIES)


# --- behaviour flags ----------------------------------------------------------------------------


def test_events_have_withdrawal_types_and_things_have_none():
    for sub in SUBCATEGORIES.values():
        if sub.is_event:
            assert sub.withdrawal_types, sub.id
            assert set(sub.withdrawal_types) <= set(WITHDRAWAL_LABELS)
        else:
            assert sub.withdrawal_types == (), sub.id


def test_on_site_withdrawal_is_not_offered_for_online_events():
    assert catalogue.WITHDRAWAL_ON_SITE in SUBCATEGORIES["CONCERT"].withdrawal_types
    assert catalogue.WITHDRAWAL_ON_SITE not in SUBCATEGORIES["LIVESTREAM_MUSIQUE"].withdrawal_types


def test_books_expire_after_ten_days_other_goods_after_thirty():
    assert SUBCATEGORIES["LIVRE_PAPIER"].expiry_days == 10
    assert SUBCATEGORIES["LIVRE_AUDIO_PHYSIQUE"].expiry_days == 10
    assert SUBCATEGORIES["ACHAT_INSTRUMENT"].expiry_days == 30
    assert SUBCATEGORIES["CARTE_JEUNES"].expiry_days == 30
    for sub in SUBCATEGORIES.values():
        assert sub.can_expire == (sub.expiry_days is not None), sub.id
        assert sub.expiry_days in (None, 10, 30), sub.id


def test_events_and_auto_used_things_never_expire():
    for sub in SUBCATEGORIES.values():
        if sub.is_event or sub.auto_used:
            assert not sub.can_expire, sub.id


def test_duo_only_on_events():
    for sub in SUBCATEGORIES.values():
        if sub.can_be_duo:
            assert sub.is_event, sub.id
    assert SUBCATEGORIES["SEANCE_CINE"].can_be_duo
    assert not SUBCATEGORIES["LIVESTREAM_EVENEMENT"].can_be_duo


def test_digital_things_are_auto_used_and_capped():
    press = SUBCATEGORIES["ABO_PRESSE_EN_LIGNE"]
    assert press.online == "online" and press.auto_used and press.digital_cap
    assert SUBCATEGORIES["LIVRE_NUMERIQUE"].digital_cap
    # A seat sold online is not digital content.
    assert not SUBCATEGORIES["CINE_VENTE_DISTANCE"].digital_cap
    for sub in SUBCATEGORIES.values():
        assert sub.online in ("offline", "online", "both")
        if sub.digital_cap:
            assert sub.online != "offline", sub.id


def test_legacy_ids_are_not_selectable():
    for legacy in ("ACTIVATION_EVENT", "ACTIVATION_THING", "OEUVRE_ART", "BON_ACHAT_INSTRUMENT"):
        assert not SUBCATEGORIES[legacy].selectable
    assert all(s.selectable for s in catalogue.selectable_subcategories())
    assert "ACTIVATION_THING" not in {s.id for s in catalogue.selectable_subcategories()}


def test_subcategories_are_grouped_by_category_in_label_order():
    groups = catalogue.subcategories_by_category()
    assert [c.id for c, _ in groups] == [c for c in CATEGORIES if c != "TECHNIQUE"]
    listed = [s for _, subs in groups for s in subs]
    assert listed == catalogue.selectable_subcategories()
    cinema = {c.id: subs for c, subs in groups}["CINEMA"]
    assert {s.category_id for s in cinema} == {"CINEMA"}
    assert list(SUBCATEGORIES).index("CARTE_JEUNES") < list(SUBCATEGORIES).index("SEANCE_CINE")


def test_conditional_fields_mirror_required_flags():
    assert catalogue.conditional_fields(SUBCATEGORIES["CONCERT"]) == {
        "musicType": True,
        "performer": False,
        "author": False,
    }
    assert catalogue.conditional_fields(SUBCATEGORIES["VISITE"]) == {}


def test_field_choices_offer_live_genres_for_events():
    concert = SUBCATEGORIES["CONCERT"]
    cd = SUBCATEGORIES["SUPPORT_PHYSIQUE_MUSIQUE_CD"]
    music_field = concert.extra_fields[0]
    assert "COMPILATIONS" not in catalogue.field_choices(concert, music_field)
    assert "COMPILATIONS" in catalogue.field_choices(cd, cd.extra_fields[0])


# --- lookups and validation ---------------------------------------------------------------------


def test_unknown_subcategory():
    with pytest.raises(UnknownSubcategory) as excinfo:
        catalogue.get_subcategory("CINE_LUNAIRE")
    assert excinfo.value.code == "unknown_subcategory"
    assert excinfo.value.text == "Sous-catégorie inconnue : « CINE_LUNAIRE »."
    assert UnknownSubcategory().text == "Sous-catégorie inconnue."


def _error(subcategory_id: str, data: dict[str, str]) -> InvalidExtraData:
    with pytest.raises(InvalidExtraData) as excinfo:
        extra_fields.validate_extra_data(SUBCATEGORIES[subcategory_id], data)
    assert excinfo.value.code == "invalid_extra_data"
    return excinfo.value


def test_validate_keeps_known_fields_only_and_trims():
    cleaned = extra_fields.validate_extra_data(
        SUBCATEGORIES["SPECTACLE_REPRESENTATION"],
        {"showType": "THEATRE-COMEDIE", "author": "  Molière ", "performer": "", "ean": "x"},
    )
    assert cleaned == {"showType": "THEATRE-COMEDIE", "author": "Molière"}


def test_missing_required_field():
    error = _error("SPECTACLE_REPRESENTATION", {"author": "Molière"})
    assert error.text == "Le champ « Type de spectacle » est obligatoire."
    assert error.field == "showType"
    error = _error("CONCERT", {"musicType": "   "})
    assert error.text == "Le champ « Genre musical » est obligatoire."
    error = _error("LIVRE_AUDIO_PHYSIQUE", {})
    assert error.text == "Le champ « EAN-13 » est obligatoire."
    assert error.field == "ean"


def test_unknown_codes():
    error = _error("SPECTACLE_REPRESENTATION", {"showType": "THEATRE-RIGOLO"})
    assert (
        error.text
        == "Le champ « Type de spectacle » contient un code inconnu : « THEATRE-RIGOLO »."
    )
    error = _error("CONCERT", {"musicType": "JAZZ-BEBOP"})  # deprecated code: refused
    assert error.text == "Le champ « Genre musical » contient un code inconnu : « JAZZ-BEBOP »."
    assert error.field == "musicType"


def test_every_music_type_is_accepted_even_for_events():
    # The reference's create schemas accept the whole list, events included.
    cleaned = extra_fields.validate_extra_data(SUBCATEGORIES["CONCERT"], {"musicType": "ENFANTS"})
    assert cleaned == {"musicType": "ENFANTS"}


@pytest.mark.parametrize("ean", ["9780306406157", "4006381333931", "978-0-306-40615-7"])
def test_valid_ean13_is_normalised(ean):
    cleaned = extra_fields.validate_extra_data(SUBCATEGORIES["PARTITION"], {"ean": ean})
    assert cleaned == {"ean": ean.replace("-", "")}


def test_ean13_with_bad_checksum():
    assert not extra_fields.ean13_is_valid("9780306406158")
    error = _error("PARTITION", {"ean": "9780306406158"})
    assert error.text == "Le champ « EAN-13 » est invalide : la clé de contrôle ne correspond pas."
    assert error.field == "ean"


@pytest.mark.parametrize("ean", ["978030640615", "97803064061570", "978030640615X", "９７８"])
def test_ean13_must_be_thirteen_digits(ean):
    error = _error("PARTITION", {"ean": ean})
    assert error.text == "Le champ « EAN-13 » doit comporter exactement 13 chiffres."


def test_optional_ean_is_still_checked():
    error = _error("LIVRE_PAPIER", {"ean": "9780306406158"})
    assert error.field == "ean"
    assert extra_fields.validate_extra_data(SUBCATEGORIES["LIVRE_PAPIER"], {}) == {}


def test_visa_must_be_digits():
    error = _error("SEANCE_CINE", {"visa": "12A45"})
    assert error.text == "Le champ « Visa d’exploitation » ne doit contenir que des chiffres."
    assert error.field == "visa"
    cleaned = extra_fields.validate_extra_data(SUBCATEGORIES["SEANCE_CINE"], {"visa": "152 430"})
    assert cleaned == {"visa": "152430"}


def test_text_fields_are_bounded():
    error = _error("CONFERENCE", {"speaker": "x" * 301})
    assert error.text == "Le champ « Intervenant » ne doit pas dépasser 300 caractères."
