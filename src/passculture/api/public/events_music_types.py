"""Legacy music-type codes of the partner API (`MusicTypeEnum (deprecated)`).

Older ticketing software still reads `GET /music_types` and sends these "FAMILY-SUBTYPE"
codes. Our catalogue only knows the current genre list (catalogue_types.MUSIC_TYPES), so
each legacy code is translated to its nearest current genre on the way in; labels are
ours, built from the family and a readable subtype.
"""

from passculture.offers.catalogue_types import MUSIC_TYPES

# family: (our label, current genre it maps to, subtypes in the reference's order)
_FAMILIES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "JAZZ": ("Jazz", "JAZZ-BLUES", (
        "ACID_JAZZ", "AVANT_GARDE_JAZZ", "BEBOP", "BIG_BAND", "BLUE_NOTE", "COOL_JAZZ",
        "CROSSOVER_JAZZ", "DIXIELAND", "ETHIO_JAZZ", "FUSION", "JAZZ_CONTEMPORAIN",
        "JAZZ_FUNK", "MAINSTREAM", "MANOUCHE", "TRADITIONEL", "VOCAL_JAZZ", "RAGTIME",
        "SMOOTH", "OTHER",
    )),
    "BLUES": ("Blues", "JAZZ-BLUES", (
        "BLUES_ACOUSTIQUE", "BLUES_CONTEMPORAIN", "BLUES_ELECTRIQUE", "BLUES_ROCK",
        "CHICAGO_BLUES", "CLASSIC_BLUES", "COUNTRY_BLUES", "DELTA_BLUES", "RAGTIME", "OTHER",
    )),
    "REGGAE": ("Reggae", "REGGAE-RAGGA", (
        "TWO_TONE", "DANCEHALL", "DUB", "ROOTS", "SKA", "ZOUK", "OTHER",
    )),
    "CLASSIQUE": ("Classique", "MUSIQUE_CLASSIQUE", (
        "AVANT_GARDE", "BAROQUE", "CHANT", "CHORALE", "CONTEMPORAIN", "EXPRESSIONISTE",
        "IMPRESSIONISTE", "MEDIEVALE", "MINIMALISTE", "MODERNE", "ORATORIO", "OPERA",
        "RENAISSANCE", "ROMANTIQUE", "OTHER",
    )),
    "MUSIQUE_DU_MONDE": ("Musiques du monde", "MUSIQUE_DU_MONDE", (
        "AFRICAINE", "AFRO_BEAT", "AFRO_POP", "ALTERNATIVO", "AMERIQUE_DU_NORD",
        "AMERIQUE_DU_SUD", "ASIATIQUE", "BALADAS_Y_BOLEROS", "BOSSA_NOVA", "BRESILIENNE",
        "CAJUN", "CALYPSO", "CARIBEENNE", "CELTIQUE", "CUMBIA", "FLAMENCO", "GRECQUE",
        "INDIENNE", "LATIN_JAZZ", "MOYEN_ORIENT", "LATINE_CONTEMPORAINE", "NUEVO_FLAMENCO",
        "POP_LATINO", "PORTUGUESE_FADO", "RAI", "SALSA", "TANGO_ARGENTIN", "YIDDISH", "OTHER",
    )),
    "POP": ("Pop", "POP", (
        "BRITPOP", "BUBBLEGUM", "DANCE_POP", "DREAM_POP", "ELECTRO_POP", "INDIE_POP", "J_POP",
        "K_POP", "POP_PUNK", "POP_ROCK", "POWER_POP", "SOFT_ROCK", "SYNTHPOP", "TEEN_POP",
        "OTHER",
    )),
    "ROCK": ("Rock", "ROCK", (
        "ACID_ROCK", "ARENA_ROCK", "ART_ROCK", "COLLEGE_ROCK", "GLAM_ROCK", "GRUNGE",
        "HARD_ROCK", "INDIE_ROCK", "LO_FI", "PROG_ROCK", "PSYCHEDELIC", "ROCK_N_ROLL",
        "EXPERIMENTAL", "ROCKABILLY", "SHOEGAZE", "ELECTRO", "OTHER",
    )),
    "METAL": ("Metal", "METAL", (
        "BLACK_METAL", "DEATH_METAL", "DOOM_METAL", "GOTHIC", "METAL_CORE", "METAL_PROGRESSIF",
        "TRASH_METAL", "METAL_INDUSTRIEL", "FUSION", "OTHER",
    )),
    "PUNK": ("Punk", "ALTERNATIF", (
        "POST_PUNK", "HARDCORE_PUNK", "AFRO_PUNK", "GRINDCORE", "NOISE_ROCK", "OTHER",
    )),
    "FOLK": ("Folk", "COUNTRY-FOLK", (
        "FOLK_CONTEMPORAINE", "INDIE_FOLK", "FOLK_ROCK", "NEW_ACOUSTIC", "FOLK_TRADITIONELLE",
        "TEX_MEX", "OTHER",
    )),
    "COUNTRY": ("Country", "COUNTRY-FOLK", (
        "COUNTRY_ALTERNATIVE", "AMERICANA", "BLUEGRASS", "COUNTRY_CONTEMPORAINE",
        "GOSPEL_COUNTRY", "COUNTRY_POP", "OTHER",
    )),
    "ELECTRO": ("Électro", "ELECTRO", (
        "BITPOP", "BREAKBEAT", "CHILLWAVE", "DANCE", "DOWNTEMPO", "DRUM_AND_BASS", "DUBSTEP",
        "EXPERIMENTAL", "ELECTRONICA", "GARAGE", "GRIME", "HARD_DANCE", "HARDCORE", "HOUSE",
        "INDUSTRIEL", "LOUNGE", "TECHNO", "TRANCE", "OTHER",
    )),
    "HIP_HOP_RAP": ("Hip-hop, rap", "RAP-HIP HOP", (
        "BOUNCE", "HIP_HOP", "RAP_ALTERNATIF", "RAP_EAST_COAST", "RAP_FRANCAIS", "RAP_GANGSTA",
        "RAP_HARDCORE", "RAP_LATINO", "RAP_OLD_SCHOOL", "RAP_UNDERGROUND", "RAP_WEST_COAST",
        "TRAP", "TRIP_HOP", "R&B_CONTEMPORAIN", "DISCO", "DOO_WOP", "FUNK", "SOUL", "MOTOWN",
        "NEO_SOUL", "SOUL_PSYCHEDELIQUE", "OTHER",
    )),
    "GOSPEL": ("Gospel", "AUTRES", (
        "SPIRITUAL_GOSPEL", "TRADITIONAL_GOSPEL", "SOUTHERN_GOSPEL", "CONTEMPORARY_GOSPEL",
        "BLUEGRASS_GOSPEL", "BLUES_GOSPEL", "COUNTRY_GOSPEL", "HYBRID_GOSPEL", "OTHER",
    )),
    "CHANSON_VARIETE": ("Chanson, variétés", "VARIETES", (
        "MUSETTE", "CHANSON_FRANCAISE", "MUSIC_HALL", "FOLKLORE_FRANCAIS", "CHANSON_À_TEXTE",
        "SLAM", "OTHER",
    )),
}  # fmt: skip

# The legacy family mixed soul and funk into hip-hop; the current list has a genre for them.
_SOUL_FUNK = {"R&B_CONTEMPORAIN", "DISCO", "DOO_WOP", "FUNK", "SOUL", "MOTOWN", "NEO_SOUL"}
_SOUL_FUNK |= {"SOUL_PSYCHEDELIQUE"}


def _subtype_label(code: str) -> str:
    if code == "OTHER":
        return "autres"
    text = code.replace("_", " ").lower()
    return text[0].upper() + text[1:]


LEGACY_MUSIC_TYPES: dict[str, str] = {
    f"{family}-{code}": f"{label} — {_subtype_label(code)}"
    for family, (label, _, codes) in _FAMILIES.items()
    for code in codes
}
LEGACY_MUSIC_TYPES["OTHER"] = "Autre"

_TO_CURRENT: dict[str, str] = {
    f"{family}-{code}": ("FUNK-SOUL-RNB-DISCO" if code in _SOUL_FUNK else current)
    for family, (_, current, codes) in _FAMILIES.items()
    for code in codes
}
_TO_CURRENT["OTHER"] = "AUTRES"
if not set(_TO_CURRENT.values()) <= set(MUSIC_TYPES):  # a typo must fail at import
    raise ValueError("legacy music type mapped to an unknown genre")


def current_music_type(code: str) -> str:
    """A current genre code unchanged; a legacy code → its nearest current genre."""
    if code in MUSIC_TYPES:
        return code
    return _TO_CURRENT.get(code, code)
