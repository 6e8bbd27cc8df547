"""Pure rules on structures and venues: identifiers and territory. No database."""

from stdnum.fr import siren as stdnum_siren
from stdnum.fr import siret as stdnum_siret

DEPARTMENTS: dict[str, str] = {
    "01": "Ain", "02": "Aisne", "03": "Allier", "04": "Alpes-de-Haute-Provence",
    "05": "Hautes-Alpes", "06": "Alpes-Maritimes", "07": "Ardèche", "08": "Ardennes",
    "09": "Ariège", "10": "Aube", "11": "Aude", "12": "Aveyron", "13": "Bouches-du-Rhône",
    "14": "Calvados", "15": "Cantal", "16": "Charente", "17": "Charente-Maritime", "18": "Cher",
    "19": "Corrèze", "2A": "Corse-du-Sud", "2B": "Haute-Corse", "21": "Côte-d’Or",
    "22": "Côtes-d’Armor", "23": "Creuse", "24": "Dordogne", "25": "Doubs", "26": "Drôme",
    "27": "Eure", "28": "Eure-et-Loir", "29": "Finistère", "30": "Gard", "31": "Haute-Garonne",
    "32": "Gers", "33": "Gironde", "34": "Hérault", "35": "Ille-et-Vilaine", "36": "Indre",
    "37": "Indre-et-Loire", "38": "Isère", "39": "Jura", "40": "Landes", "41": "Loir-et-Cher",
    "42": "Loire", "43": "Haute-Loire", "44": "Loire-Atlantique", "45": "Loiret", "46": "Lot",
    "47": "Lot-et-Garonne", "48": "Lozère", "49": "Maine-et-Loire", "50": "Manche", "51": "Marne",
    "52": "Haute-Marne", "53": "Mayenne", "54": "Meurthe-et-Moselle", "55": "Meuse",
    "56": "Morbihan", "57": "Moselle", "58": "Nièvre", "59": "Nord", "60": "Oise", "61": "Orne",
    "62": "Pas-de-Calais", "63": "Puy-de-Dôme", "64": "Pyrénées-Atlantiques",
    "65": "Hautes-Pyrénées", "66": "Pyrénées-Orientales", "67": "Bas-Rhin", "68": "Haut-Rhin",
    "69": "Rhône", "70": "Haute-Saône", "71": "Saône-et-Loire", "72": "Sarthe", "73": "Savoie",
    "74": "Haute-Savoie", "75": "Paris", "76": "Seine-Maritime", "77": "Seine-et-Marne",
    "78": "Yvelines", "79": "Deux-Sèvres", "80": "Somme", "81": "Tarn", "82": "Tarn-et-Garonne",
    "83": "Var", "84": "Vaucluse", "85": "Vendée", "86": "Vienne", "87": "Haute-Vienne",
    "88": "Vosges", "89": "Yonne", "90": "Territoire de Belfort", "91": "Essonne",
    "92": "Hauts-de-Seine", "93": "Seine-Saint-Denis", "94": "Val-de-Marne", "95": "Val-d’Oise",
    "971": "Guadeloupe", "972": "Martinique", "973": "Guyane", "974": "La Réunion",
    "975": "Saint-Pierre-et-Miquelon", "976": "Mayotte", "977": "Saint-Barthélemy",
    "978": "Saint-Martin", "986": "Wallis-et-Futuna", "987": "Polynésie française",
    "988": "Nouvelle-Calédonie",
}  # fmt: skip

# Overseas départements and collectivities: their own time zone for display.
DEPARTMENT_TIMEZONES: dict[str, str] = {
    "971": "America/Guadeloupe", "972": "America/Martinique", "973": "America/Cayenne",
    "974": "Indian/Reunion", "975": "America/Miquelon", "976": "Indian/Mayotte",
    "977": "America/St_Barthelemy", "978": "America/Marigot", "986": "Pacific/Wallis",
    "987": "Pacific/Tahiti", "988": "Pacific/Noumea",
}  # fmt: skip


def normalize_digits(value: str) -> str:
    return "".join(ch for ch in value if not ch.isspace())


def is_valid_siren(value: str) -> bool:
    """9 digits with a valid Luhn key."""
    value = normalize_digits(value)
    return len(value) == 9 and value.isdigit() and stdnum_siren.is_valid(value)


def is_valid_siret(value: str) -> bool:
    """14 digits with a valid Luhn key (La Poste's special rule included)."""
    value = normalize_digits(value)
    return len(value) == 14 and value.isdigit() and stdnum_siret.is_valid(value)


def siret_belongs_to_siren(siret: str, siren: str) -> bool:
    return normalize_digits(siret)[:9] == normalize_digits(siren)


def luhn_check_digit(partial: str) -> str:
    """The digit that makes `partial + digit` pass Luhn (used to build valid test ids)."""
    total = 0
    for index, char in enumerate(reversed(partial)):
        digit = int(char)
        if index % 2 == 0:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return str((10 - total % 10) % 10)


def is_valid_postal_code(value: str) -> bool:
    value = value.strip()
    return len(value) == 5 and value.isdigit() and department_from_postal_code(value) is not None


def department_from_postal_code(postal_code: str) -> str | None:
    """Département code of a French postal code: '75011'→'75', '20000'→'2A', '97400'→'974'."""
    code = postal_code.strip()
    if len(code) != 5 or not code.isdigit():
        return None
    if code.startswith("20"):
        # Corsica: 200xx-201xx are Corse-du-Sud, 202xx-206xx Haute-Corse.
        return "2A" if int(code) < 20200 else "2B"
    if code.startswith(("97", "98")):
        dept = code[:3]
        return dept if dept in DEPARTMENTS else None
    dept = code[:2]
    return dept if dept in DEPARTMENTS else None


def department_name(code: str) -> str:
    return DEPARTMENTS.get(code, code)


def is_in_france(latitude: float, longitude: float) -> bool:
    """Rough boxes around metropolitan France, Corsica and the overseas territories."""
    boxes = [
        (41.3, 51.2, -5.3, 9.7),  # metropole + Corsica
        (15.8, 16.6, -61.9, -61.0),  # Guadeloupe
        (14.3, 14.9, -61.3, -60.8),  # Martinique
        (2.1, 5.8, -54.6, -51.6),  # Guyane
        (-21.4, -20.8, 55.2, 55.9),  # La Réunion
        (-13.1, -12.6, 44.9, 45.4),  # Mayotte
        (46.7, 47.2, -56.5, -56.1),  # Saint-Pierre-et-Miquelon
        (17.8, 18.2, -63.2, -62.7),  # Saint-Barthélemy / Saint-Martin
        (-14.4, -13.1, -178.3, -176.1),  # Wallis-et-Futuna
        (-27.7, -7.8, -154.8, -134.4),  # Polynésie
        (-22.8, -19.5, 163.5, 168.2),  # Nouvelle-Calédonie
    ]
    return any(a <= latitude <= b and c <= longitude <= d for a, b, c, d in boxes)
