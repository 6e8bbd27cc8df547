"""The offer catalogue: categories, subcategories and the extra fields each one asks for.

Pure data, no database: the catalogue changes with releases, not at runtime, and every layer
(pro pages, partner API, booking rules, jobs) needs it without a query. Subcategory ids and
extra-field names are the partner API reference's own, so ticketing software and our pages
speak the same codes. Behaviour flags follow pass Culture's rules as we understand them; where
we deliberately differ, a comment says why.
"""

import unicodedata
from dataclasses import dataclass

from passculture.core.errors import DomainError
from passculture.offers.catalogue_types import EVENT_MUSIC_TYPES, MUSIC_TYPES, SHOW_TYPES

WITHDRAWAL_NO_TICKET = "no_ticket"
WITHDRAWAL_BY_EMAIL = "by_email"
WITHDRAWAL_ON_SITE = "on_site"
WITHDRAWAL_IN_APP = "in_app"
WITHDRAWAL_LABELS: dict[str, str] = {
    WITHDRAWAL_NO_TICKET: "Pas de billet",
    WITHDRAWAL_BY_EMAIL: "Envoi par e-mail",
    WITHDRAWAL_ON_SITE: "Retrait sur place",
    WITHDRAWAL_IN_APP: "Billet dans l’application (billetterie)",
}
_ALL_WITHDRAWALS = tuple(WITHDRAWAL_LABELS)
# Nobody can collect a ticket at a counter for an event that happens on a screen.
_ONLINE_WITHDRAWALS = (WITHDRAWAL_NO_TICKET, WITHDRAWAL_BY_EMAIL, WITHDRAWAL_IN_APP)

BOOK_EXPIRY_DAYS = 10
THING_EXPIRY_DAYS = 30
_TEXT_MAX = 300


@dataclass(frozen=True)
class Category:
    id: str
    label: str


@dataclass(frozen=True)
class ExtraField:
    name: str
    label: str
    required: bool
    kind: str  # "text" | "show_type" | "music_type" | "ean" | "visa"


@dataclass(frozen=True)
class Subcategory:
    id: str
    category_id: str
    label: str
    is_event: bool
    online: str  # "offline" | "online" | "both"
    can_be_duo: bool
    can_expire: bool
    expiry_days: int | None
    reimbursed: bool
    auto_used: bool
    digital_cap: bool
    withdrawal_types: tuple[str, ...]
    extra_fields: tuple[ExtraField, ...]
    selectable: bool = True

    def __post_init__(self) -> None:
        # The booking rules lean on these invariants; a typo in the table must fail at import,
        # not as a mis-expired booking months later.
        problems = []
        if self.online not in ("offline", "online", "both"):
            problems.append("online")
        if self.can_be_duo and not self.is_event:
            problems.append("duo on a thing")
        if bool(self.withdrawal_types) != self.is_event:
            problems.append("withdrawal types are for events only")
        if self.can_expire != (self.expiry_days is not None):
            problems.append("expiry_days")
        if self.can_expire and (self.is_event or self.auto_used):
            problems.append("only unwithdrawn things expire")
        if self.digital_cap and self.online == "offline":
            problems.append("digital cap on an offline subcategory")
        if problems:
            raise ValueError(f"{self.id}: {', '.join(problems)}")


class UnknownSubcategory(DomainError):
    code = "unknown_subcategory"
    message = "Sous-catégorie inconnue."
    field = "subcategory_id"


class InvalidExtraData(DomainError):
    code = "invalid_extra_data"
    message = "Les informations complémentaires de l’offre sont invalides."


def _sort_key(text: str) -> str:
    # "Évènement" must sort with the E's, not after Z.
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


# --- categories -------------------------------------------------------------------------------

_CATEGORY_LIST = (
    Category("BEAUX_ARTS", "Beaux-arts"),
    Category("CARTE_JEUNES", "Carte jeunes"),
    Category("CINEMA", "Cinéma"),
    Category("CONFERENCE", "Conférences, rencontres"),
    Category("FILM", "Films, vidéos"),
    Category("INSTRUMENT", "Instruments de musique"),
    Category("JEU", "Jeux"),
    Category("LIVRE", "Livres"),
    Category("MEDIA", "Médias, presse"),
    Category("MUSEE", "Musées, patrimoine, arts visuels"),
    Category("MUSIQUE_ENREGISTREE", "Musique enregistrée"),
    Category("MUSIQUE_LIVE", "Musique live"),
    Category("PRATIQUE_ART", "Pratique artistique"),
    Category("SPECTACLE", "Spectacle vivant"),
    Category("TECHNIQUE", "Technique (usage interne)"),
)
CATEGORIES: dict[str, Category] = {
    c.id: c for c in sorted(_CATEGORY_LIST, key=lambda c: _sort_key(c.label))
}

# --- extra fields -----------------------------------------------------------------------------

_FIELD_SPECS: dict[str, tuple[str, str]] = {
    "author": ("Auteur", "text"),
    "performer": ("Interprète", "text"),
    "showType": ("Type de spectacle", "show_type"),
    "stageDirector": ("Metteur en scène", "text"),
    "musicType": ("Genre musical", "music_type"),
    "visa": ("Visa d’exploitation", "visa"),
    "ean": ("EAN-13", "ean"),
    "speaker": ("Intervenant", "text"),
}


def _f(name: str, required: bool = False) -> ExtraField:
    label, kind = _FIELD_SPECS[name]
    return ExtraField(name=name, label=label, required=required, kind=kind)


# Field sets shared by whole families, in the order a pro fills them in. `required` mirrors
# the reference's create schemas: a show type and a music genre are always required where they
# appear; an EAN only where the item is a barcoded good (see each subcategory).
_SHOW = (_f("showType", True), _f("author"), _f("stageDirector"), _f("performer"))
_MUSIC = (_f("musicType", True), _f("performer"), _f("author"))
_MOVIE = (_f("visa"), _f("stageDirector"), _f("author"))
_SPEAKER = (_f("speaker"),)
_EAN = (_f("ean", True),)


# --- builders ---------------------------------------------------------------------------------


def _event(
    id: str,
    category_id: str,
    label: str,
    fields: tuple[ExtraField, ...] = (),
    *,
    online: str = "offline",
    reimbursed: bool = True,
    digital_cap: bool = False,
    selectable: bool = True,
) -> Subcategory:
    return Subcategory(
        id=id,
        category_id=category_id,
        label=label,
        is_event=True,
        online=online,
        # Duo = two seats at the same session in the same room; pointless for a stream.
        can_be_duo=online == "offline",
        # Events never expire: unvalidated bookings become "used" 48 h after the event instead.
        can_expire=False,
        expiry_days=None,
        reimbursed=reimbursed,
        auto_used=False,
        digital_cap=digital_cap,
        withdrawal_types=_ONLINE_WITHDRAWALS if online == "online" else _ALL_WITHDRAWALS,
        extra_fields=fields,
        selectable=selectable,
    )


def _thing(
    id: str,
    category_id: str,
    label: str,
    fields: tuple[ExtraField, ...] = (),
    *,
    online: str = "offline",
    reimbursed: bool = True,
    digital_cap: bool | None = None,
    expires: bool | None = None,
    auto_used: bool | None = None,
    book: bool = False,
    selectable: bool = True,
) -> Subcategory:
    # A digital thing (download, streaming, subscription code…) is handed over at booking time,
    # so its booking is "used" at once and never waits to be withdrawn.
    auto = online == "online" if auto_used is None else auto_used
    # A physical thing waits at the venue; if never collected it expires and the credit returns.
    can_expire = (online == "offline" and not auto) if expires is None else expires
    # By default digital things count against the digital cap (pass Culture's "digital deposit").
    # Remote sales of real-world tickets (cinema, museum, show sold online) are overridden to
    # False: what is bought is a seat or an entry, not digital content.
    cap = online == "online" if digital_cap is None else digital_cap
    return Subcategory(
        id=id,
        category_id=category_id,
        label=label,
        is_event=False,
        online=online,
        can_be_duo=False,  # a thing is one item for one person; duo needs a shared session
        can_expire=can_expire,
        expiry_days=(BOOK_EXPIRY_DAYS if book else THING_EXPIRY_DAYS) if can_expire else None,
        reimbursed=reimbursed,
        auto_used=auto,
        digital_cap=cap,
        withdrawal_types=(),
        extra_fields=fields,
        selectable=selectable,
    )


_ON, _BOTH = "online", "both"

# --- the subcategories ------------------------------------------------------------------------
# `reimbursed=False` marks what pass Culture does not pay back to venues (mostly mass-market
# digital content). `selectable=False` marks ids we only keep to read old data or legacy feeds.

# fmt: off
# (Kept one row per subcategory: the table reads as a catalogue, not as code.)
_SUBCATEGORY_LIST = (
    # Films, vidéos
    _thing("SUPPORT_PHYSIQUE_FILM", "FILM", "Support physique (DVD, Blu-ray…)", _EAN),
    _thing("ABO_MEDIATHEQUE", "FILM", "Abonnement médiathèque"),
    _thing("VOD", "FILM", "Vidéo à la demande", online=_ON, reimbursed=False),
    _thing("ABO_PLATEFORME_VIDEO", "FILM", "Abonnement plateforme vidéo", online=_ON,
           reimbursed=False),
    _thing("AUTRE_SUPPORT_NUMERIQUE", "FILM", "Autre support numérique", online=_ON,
           reimbursed=False),
    # Cinéma
    _event("SEANCE_CINE", "CINEMA", "Séance de cinéma", _MOVIE),
    _event("EVENEMENT_CINE", "CINEMA", "Évènement cinéma", _MOVIE),
    _event("FESTIVAL_CINE", "CINEMA", "Festival de cinéma", _MOVIE),
    _event("CINE_PLEIN_AIR", "CINEMA", "Cinéma en plein air", _MOVIE),
    _thing("CARTE_CINE_MULTISEANCES", "CINEMA", "Carte cinéma multi-séances"),
    _thing("CARTE_CINE_ILLIMITE", "CINEMA", "Carte cinéma illimitée"),
    _thing("CINE_VENTE_DISTANCE", "CINEMA", "Cinéma, vente à distance", _MOVIE, online=_ON,
           digital_cap=False),
    # Conférences, rencontres
    _event("CONFERENCE", "CONFERENCE", "Conférence", _SPEAKER),
    _event("RENCONTRE", "CONFERENCE", "Rencontre", _SPEAKER),
    _event("SALON", "CONFERENCE", "Salon, convention", _SPEAKER),
    _event("RENCONTRE_EN_LIGNE", "CONFERENCE", "Rencontre en ligne", _SPEAKER, online=_ON,
           reimbursed=False),
    _event("DECOUVERTE_METIERS", "CONFERENCE", "Découverte des métiers", _SPEAKER,
           selectable=False),
    # Jeux
    _event("CONCOURS", "JEU", "Concours, tournoi de jeux"),
    _event("RENCONTRE_JEU", "JEU", "Rencontre autour du jeu"),
    _event("EVENEMENT_JEU", "JEU", "Évènement jeux"),
    # Sold as an open-dated entry, hence a thing: nothing to withdraw, so nothing expires.
    _thing("ESCAPE_GAME", "JEU", "Escape game", expires=False),
    _thing("JEU_EN_LIGNE", "JEU", "Jeu en ligne", (_f("ean"),), online=_ON, reimbursed=False),
    _thing("ABO_JEU_VIDEO", "JEU", "Abonnement jeux vidéo", online=_ON, reimbursed=False),
    _thing("ABO_LUDOTHEQUE", "JEU", "Abonnement ludothèque", selectable=False),
    # Livres: physical books are the only goods with the short 10-day withdrawal window.
    _thing("LIVRE_PAPIER", "LIVRE", "Livre papier", (_f("author"), _f("ean")), book=True),
    _thing("LIVRE_AUDIO_PHYSIQUE", "LIVRE", "Livre audio sur support physique",
           (_f("author"), _f("ean", True)), book=True),
    _thing("LIVRE_NUMERIQUE", "LIVRE", "Livre numérique", (_f("author"), _f("ean")), online=_ON),
    _thing("TELECHARGEMENT_LIVRE_AUDIO", "LIVRE", "Livre audio à télécharger", (_f("author"),),
           online=_ON, reimbursed=False),
    _thing("ABO_BIBLIOTHEQUE", "LIVRE", "Abonnement bibliothèque"),
    _thing("ABO_LIVRE_NUMERIQUE", "LIVRE", "Abonnement livres numériques", online=_ON),
    _event("FESTIVAL_LIVRE", "LIVRE", "Festival, salon du livre"),
    # Carte jeunes: a local youth card is a physical card collected at the issuing desk, so it
    # behaves like any physical good (30-day withdrawal window, validated by the venue).
    _thing("CARTE_JEUNES", "CARTE_JEUNES", "Carte jeunes locale"),
    # Musées, patrimoine
    _event("VISITE", "MUSEE", "Visite"),
    _event("VISITE_GUIDEE", "MUSEE", "Visite guidée"),
    _event("EVENEMENT_PATRIMOINE", "MUSEE", "Évènement, atelier patrimoine"),
    _event("FESTIVAL_ART_VISUEL", "MUSEE", "Festival d’arts visuels ou numériques",
           (_f("author"), _f("performer"))),
    _thing("CARTE_MUSEE", "MUSEE", "Carte ou abonnement musée, patrimoine"),
    _thing("VISITE_VIRTUELLE", "MUSEE", "Visite virtuelle", online=_ON, reimbursed=False),
    _thing("MUSEE_VENTE_DISTANCE", "MUSEE", "Musée, vente à distance", online=_ON,
           digital_cap=False),
    # Musique live
    _event("CONCERT", "MUSIQUE_LIVE", "Concert", _MUSIC),
    _event("FESTIVAL_MUSIQUE", "MUSIQUE_LIVE", "Festival de musique", _MUSIC),
    _event("EVENEMENT_MUSIQUE", "MUSIQUE_LIVE", "Autre évènement musical", _MUSIC),
    _event("LIVESTREAM_MUSIQUE", "MUSIQUE_LIVE", "Concert diffusé en direct en ligne", _MUSIC,
           online=_ON, digital_cap=True),
    _thing("ABO_CONCERT", "MUSIQUE_LIVE", "Abonnement concerts", (_f("musicType", True),)),
    # Musique enregistrée
    _thing("SUPPORT_PHYSIQUE_MUSIQUE_CD", "MUSIQUE_ENREGISTREE", "CD", _MUSIC + _EAN),
    _thing("SUPPORT_PHYSIQUE_MUSIQUE_VINYLE", "MUSIQUE_ENREGISTREE", "Vinyle et autres supports",
           _MUSIC + _EAN),
    _thing("TELECHARGEMENT_MUSIQUE", "MUSIQUE_ENREGISTREE", "Téléchargement de musique",
           _MUSIC + (_f("ean"),), online=_ON, reimbursed=False),
    _thing("ABO_PLATEFORME_MUSIQUE", "MUSIQUE_ENREGISTREE", "Abonnement streaming musical",
           online=_ON, reimbursed=False),
    _thing("CAPTATION_MUSIQUE", "MUSIQUE_ENREGISTREE", "Captation musicale", _MUSIC,
           expires=False, reimbursed=False, selectable=False),
    # Pratique artistique
    _event("ATELIER_PRATIQUE_ART", "PRATIQUE_ART", "Atelier, stage de pratique artistique",
           _SPEAKER),
    _event("SEANCE_ESSAI_PRATIQUE_ART", "PRATIQUE_ART", "Séance d’essai", _SPEAKER),
    _event("LIVESTREAM_PRATIQUE_ARTISTIQUE", "PRATIQUE_ART",
           "Pratique artistique en direct en ligne", online=_ON, digital_cap=True),
    _thing("ABO_PRATIQUE_ART", "PRATIQUE_ART", "Abonnement pratique artistique"),
    _thing("PRATIQUE_ART_VENTE_DISTANCE", "PRATIQUE_ART", "Pratique artistique, vente à distance",
           _SPEAKER, online=_ON, digital_cap=False),
    _thing("PLATEFORME_PRATIQUE_ARTISTIQUE", "PRATIQUE_ART", "Plateforme de pratique artistique",
           online=_ON, reimbursed=False),
    # Médias: online press counts against the digital cap like any digital subscription.
    _thing("ABO_PRESSE_EN_LIGNE", "MEDIA", "Abonnement presse en ligne", online=_ON,
           reimbursed=False),
    _thing("PODCAST", "MEDIA", "Podcast", online=_ON, reimbursed=False),
    _thing("APP_CULTURELLE", "MEDIA", "Application culturelle", online=_ON, reimbursed=False),
    # Spectacle vivant
    _event("SPECTACLE_REPRESENTATION", "SPECTACLE", "Spectacle, représentation", _SHOW),
    _event("FESTIVAL_SPECTACLE", "SPECTACLE", "Festival de spectacle vivant", _SHOW),
    _event("LIVESTREAM_EVENEMENT", "SPECTACLE", "Spectacle diffusé en direct en ligne", _SHOW,
           online=_ON, digital_cap=True),
    _thing("ABO_SPECTACLE", "SPECTACLE", "Abonnement spectacle", (_f("showType", True),)),
    _thing("SPECTACLE_ENREGISTRE", "SPECTACLE", "Spectacle enregistré", _SHOW, online=_ON,
           reimbursed=False),
    _thing("SPECTACLE_VENTE_DISTANCE", "SPECTACLE", "Spectacle vivant, vente à distance", _SHOW,
           online=_ON, digital_cap=False),
    # Instruments de musique
    _thing("ACHAT_INSTRUMENT", "INSTRUMENT", "Achat d’instrument", _EAN),
    _thing("LOCATION_INSTRUMENT", "INSTRUMENT", "Location d’instrument", _EAN),
    _thing("PARTITION", "INSTRUMENT", "Partition", _EAN),
    _thing("BON_ACHAT_INSTRUMENT", "INSTRUMENT", "Bon d’achat d’instrument", selectable=False),
    # Beaux-arts
    _thing("MATERIEL_ART_CREATIF", "BEAUX_ARTS", "Matériel d’arts créatifs", _EAN),
    # Technical ids from earlier versions of the platform: readable, never offered.
    _event("ACTIVATION_EVENT", "TECHNIQUE", "Évènement d’activation (ancien)", online=_BOTH,
           reimbursed=False, selectable=False),
    # Activation codes were consumed at booking, hence auto-used even where not digital.
    _thing("ACTIVATION_THING", "TECHNIQUE", "Code d’activation (ancien)", online=_BOTH,
           reimbursed=False, auto_used=True, expires=False, selectable=False),
    _thing("JEU_SUPPORT_PHYSIQUE", "TECHNIQUE", "Jeu sur support physique (ancien)",
           online=_BOTH, reimbursed=False, expires=False, selectable=False),
    _thing("OEUVRE_ART", "TECHNIQUE", "Œuvre d’art (ancien)", online=_BOTH, reimbursed=False,
           expires=True, selectable=False),
)
# fmt: on

_CATEGORY_RANK = {category_id: rank for rank, category_id in enumerate(CATEGORIES)}
SUBCATEGORIES: dict[str, Subcategory] = {
    s.id: s
    for s in sorted(
        _SUBCATEGORY_LIST, key=lambda s: (_CATEGORY_RANK[s.category_id], _sort_key(s.label))
    )
}
if len(SUBCATEGORIES) != len(_SUBCATEGORY_LIST):  # a duplicated id would silently shadow one
    raise ValueError("duplicate subcategory id in the catalogue")


# --- queries ----------------------------------------------------------------------------------


def get_subcategory(subcategory_id: str) -> Subcategory:
    try:
        return SUBCATEGORIES[subcategory_id]
    except KeyError:
        shown = str(subcategory_id)[:60]
        raise UnknownSubcategory(f"Sous-catégorie inconnue : « {shown} ».") from None


def selectable_subcategories() -> list[Subcategory]:
    return [s for s in SUBCATEGORIES.values() if s.selectable]


def subcategories_by_category() -> list[tuple[Category, list[Subcategory]]]:
    """Selectable subcategories grouped for an <optgroup> select; empty groups are left out."""
    groups: dict[str, list[Subcategory]] = {}
    for sub in selectable_subcategories():
        groups.setdefault(sub.category_id, []).append(sub)
    return [(CATEGORIES[cid], subs) for cid, subs in groups.items()]


def conditional_fields(subcategory: Subcategory) -> dict[str, bool]:
    """Field name -> required, the shape of the partner API's `conditionalFields`."""
    return {f.name: f.required for f in subcategory.extra_fields}


def field_choices(subcategory: Subcategory, field: ExtraField) -> dict[str, str]:
    """Code -> label choices for a coded field (empty for free text)."""
    if field.kind == "show_type":
        return SHOW_TYPES
    if field.kind == "music_type":
        # Forms propose only live genres for events; validation stays as lenient as the API.
        return EVENT_MUSIC_TYPES if subcategory.is_event else MUSIC_TYPES
    return {}
