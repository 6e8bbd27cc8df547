"""Show-type and music-type code tables, with our French labels.

The codes are those of the partner API reference (`ShowTypeEnum`, `TiteliveMusicTypeEnum`,
`TiteliveEventMusicTypeEnum`) so that ticketing software can send them unchanged; the labels
are ours. Kept apart from `catalogue` only because the show-type table is long.
"""

# Show types: "<FAMILY>-<SUBTYPE>" codes. Labels are built as "Famille — Sous-type" so both
# levels stay readable in a single flat <select>.
_SHOW_FAMILIES: dict[str, str] = {
    "ART_DE_LA_RUE": "Arts de la rue",
    "CIRQUE": "Cirque",
    "DANSE": "Danse",
    "HUMOUR": "Humour",
    "SPECTACLE_MUSICAL": "Spectacle musical",
    "SPECTACLE_JEUNESSE": "Spectacle jeunesse",
    "THEATRE": "Théâtre",
    "PLURIDISCIPLINAIRE": "Pluridisciplinaire",
    "OTHER": "Autres spectacles",
    "OPERA": "Opéra",
}

# (family, subtype code, subtype label), in the reference's order.
_SHOW_SUBTYPES: tuple[tuple[str, str, str], ...] = (
    ("ART_DE_LA_RUE", "CARNAVAL", "Carnaval"),
    ("ART_DE_LA_RUE", "FANFARE", "Fanfare"),
    ("ART_DE_LA_RUE", "MIME", "Mime"),
    ("ART_DE_LA_RUE", "PARADE", "Parade"),
    ("ART_DE_LA_RUE", "THEATRE_DE_RUE", "Théâtre de rue"),
    ("ART_DE_LA_RUE", "THEATRE_PROMENADE", "Théâtre déambulatoire"),
    ("ART_DE_LA_RUE", "OTHER", "Autre"),
    ("CIRQUE", "CIRQUE_CONTEMPORAIN", "Cirque contemporain"),
    ("CIRQUE", "CIRQUE_HORS_LES_MURS", "Cirque hors les murs"),
    ("CIRQUE", "CIRQUE_TRADITIONNEL", "Cirque traditionnel"),
    ("CIRQUE", "CIRQUE_VOYAGEUR", "Cirque itinérant"),
    ("CIRQUE", "CLOWN", "Clown"),
    ("CIRQUE", "HYPNOSE", "Hypnose"),
    ("CIRQUE", "MENTALISTE", "Mentalisme"),
    ("CIRQUE", "SPECTACLE_DE_MAGIE", "Magie"),
    ("CIRQUE", "SPECTACLE_EQUESTRE", "Spectacle équestre"),
    ("CIRQUE", "OTHER", "Autre"),
    ("DANSE", "BALLET", "Ballet"),
    ("DANSE", "CANCAN", "Cancan"),
    ("DANSE", "CLAQUETTE", "Claquettes"),
    ("DANSE", "CLASSIQUE", "Danse classique"),
    ("DANSE", "CONTEMPORAINE", "Danse contemporaine"),
    ("DANSE", "DANSE_DU_MONDE", "Danses du monde"),
    ("DANSE", "FLAMENCO", "Flamenco"),
    ("DANSE", "MODERNE_JAZZ", "Modern jazz"),
    ("DANSE", "SALSA", "Salsa"),
    ("DANSE", "SWING", "Swing"),
    ("DANSE", "TANGO", "Tango"),
    ("DANSE", "URBAINE", "Danses urbaines"),
    ("DANSE", "OTHER", "Autre"),
    ("HUMOUR", "CAFE_THEATRE", "Café-théâtre"),
    ("HUMOUR", "IMPROVISATION", "Improvisation"),
    ("HUMOUR", "SEUL_EN_SCENE", "Seul(e) en scène"),
    ("HUMOUR", "SKETCH", "Sketchs"),
    ("HUMOUR", "STAND_UP", "Stand-up"),
    ("HUMOUR", "VENTRILOQUE", "Ventriloquie"),
    ("HUMOUR", "OTHER", "Autre"),
    ("SPECTACLE_MUSICAL", "CABARET", "Cabaret"),
    ("SPECTACLE_MUSICAL", "CAFE_CONCERT", "Café-concert"),
    ("SPECTACLE_MUSICAL", "CLAQUETTE", "Claquettes"),
    ("SPECTACLE_MUSICAL", "COMEDIE_MUSICALE", "Comédie musicale"),
    ("SPECTACLE_MUSICAL", "OPERA_BOUFFE", "Opéra bouffe"),
    ("SPECTACLE_MUSICAL", "OPERETTE", "Opérette"),
    ("SPECTACLE_MUSICAL", "REVUE", "Revue"),
    ("SPECTACLE_MUSICAL", "BURLESQUE", "Burlesque"),
    ("SPECTACLE_MUSICAL", "COMEDIE_BALLET", "Comédie-ballet"),
    ("SPECTACLE_MUSICAL", "OPERA_COMIQUE", "Opéra-comique"),
    ("SPECTACLE_MUSICAL", "OPERA_BALLET", "Opéra-ballet"),
    ("SPECTACLE_MUSICAL", "THEATRE_MUSICAL", "Théâtre musical"),
    ("SPECTACLE_MUSICAL", "OTHER", "Autre"),
    ("SPECTACLE_JEUNESSE", "CONTE", "Conte"),
    ("SPECTACLE_JEUNESSE", "THEATRE_JEUNESSE", "Théâtre jeune public"),
    ("SPECTACLE_JEUNESSE", "SPECTACLE_PETITE_ENFANCE", "Petite enfance"),
    ("SPECTACLE_JEUNESSE", "MAGIE_ENFANCE", "Magie pour enfants"),
    ("SPECTACLE_JEUNESSE", "SPECTACLE_PEDAGOGIQUE", "Spectacle pédagogique"),
    ("SPECTACLE_JEUNESSE", "MARIONETTES", "Marionnettes"),
    ("SPECTACLE_JEUNESSE", "COMEDIE_MUSICALE_JEUNESSE", "Comédie musicale jeune public"),
    ("SPECTACLE_JEUNESSE", "THEATRE_D_OMBRES", "Théâtre d’ombres"),
    ("SPECTACLE_JEUNESSE", "OTHER", "Autre"),
    ("THEATRE", "BOULEVARD", "Boulevard"),
    ("THEATRE", "CLASSIQUE", "Classique"),
    ("THEATRE", "COMEDIE", "Comédie"),
    ("THEATRE", "CONTEMPORAIN", "Contemporain"),
    ("THEATRE", "LECTURE", "Lecture"),
    ("THEATRE", "SPECTACLE_SCENOGRAPHIQUE", "Spectacle scénographique"),
    ("THEATRE", "THEATRE_EXPERIMENTAL", "Théâtre expérimental"),
    ("THEATRE", "THEATRE_D_OBJET", "Théâtre d’objets"),
    ("THEATRE", "TRAGEDIE", "Tragédie"),
    ("THEATRE", "OTHER", "Autre"),
    ("PLURIDISCIPLINAIRE", "PERFORMANCE", "Performance"),
    ("PLURIDISCIPLINAIRE", "POESIE", "Poésie"),
    ("PLURIDISCIPLINAIRE", "OTHER", "Autre"),
    ("OTHER", "SON_ET_LUMIERE", "Son et lumière"),
    ("OTHER", "SPECTACLE_SUR_GLACE", "Spectacle sur glace"),
    ("OTHER", "SPECTACLE_HISTORIQUE", "Spectacle historique"),
    ("OTHER", "SPECTACLE_AQUATIQUE", "Spectacle aquatique"),
    ("OTHER", "OTHER", "Autre"),
    ("OPERA", "OPERA_SERIE", "Opera seria"),
    ("OPERA", "GRAND_OPERA", "Grand opéra"),
    ("OPERA", "OPERA_BOUFFE", "Opéra bouffe"),
    ("OPERA", "OPERA_COMIQUE", "Opéra-comique"),
    ("OPERA", "OPERA_BALLET", "Opéra-ballet"),
    ("OPERA", "SINGSPIEL", "Singspiel"),
    ("OPERA", "OTHER", "Autre"),
)

SHOW_TYPES: dict[str, str] = {
    f"{family}-{code}": f"{_SHOW_FAMILIES[family]} — {label}"
    for family, code, label in _SHOW_SUBTYPES
}
# The reference also has a bare catch-all code with no family.
SHOW_TYPES["OTHER"] = "Autre"

# Music genres: the current (non-deprecated) list the reference's `musicType` accepts.
MUSIC_TYPES: dict[str, str] = {
    "MUSIQUE_CLASSIQUE": "Musique classique",
    "JAZZ-BLUES": "Jazz, blues",
    "BANDES_ORIGINALES": "Bandes originales",
    "ELECTRO": "Électro",
    "POP": "Pop",
    "ROCK": "Rock",
    "METAL": "Metal",
    "ALTERNATIF": "Alternatif",
    "VARIETES": "Variétés",
    "FUNK-SOUL-RNB-DISCO": "Funk, soul, RnB, disco",
    "RAP-HIP HOP": "Rap, hip-hop",
    "REGGAE-RAGGA": "Reggae, ragga",
    "MUSIQUE_DU_MONDE": "Musiques du monde",
    "COUNTRY-FOLK": "Country, folk",
    "VIDEOS_MUSICALES": "Vidéos musicales",
    "COMPILATIONS": "Compilations",
    "AMBIANCE": "Ambiance",
    "ENFANTS": "Musique pour enfants",
    "AUTRES": "Autres genres",
}

# Genres that describe a recording rather than a live performance: the reference's event list
# leaves them out, so event forms offer only the rest. Validation still accepts every code,
# because the partner API's create schemas do.
_RECORDING_ONLY = frozenset({"BANDES_ORIGINALES", "VIDEOS_MUSICALES", "COMPILATIONS", "ENFANTS"})
EVENT_MUSIC_TYPES: dict[str, str] = {
    code: label for code, label in MUSIC_TYPES.items() if code not in _RECORDING_ONLY
}
