"""Seed data: real French cities and generators of valid SIREN/SIRET. No database.

Everything takes a `random.Random` so a given seed always yields the same data
(reproducible demos and benchmarks), without touching the global random state.
"""

import random
from collections.abc import Iterable
from decimal import Decimal
from typing import NamedTuple

from passculture.offerers import rules

# Demo logins: printed by `seed`, reusable by any command that shows how to sign in.
DEMO_PASSWORD = "passculture-demo"
DEMO_STAFF_EMAIL = "admin@passculture.local"
DEMO_PRO_EMAIL = "pro@passculture.local"
DEMO_PRO2_EMAIL = "pro2@passculture.local"
BENCH_PRO_EMAIL = "pro-bench@passculture.local"
DEMO_LOGINS: list[tuple[str, str]] = [
    ("Équipe passculture (back-office)", DEMO_STAFF_EMAIL),
    ("Professionnelle, 2 structures validées", DEMO_PRO_EMAIL),
    ("Professionnelle, structure en attente de validation", DEMO_PRO2_EMAIL),
    ("Jeune de 17 ans, crédit de 50 €", "jeune@passculture.local"),
    ("Enseignante (collège Jean Moulin, Lyon)", "enseignant@passculture.local"),
    ("Cheffe d’établissement (collège Jean Moulin, Lyon)", "chef@passculture.local"),
    ("Enseignant d’un autre établissement (Villeurbanne)", "enseignant2@passculture.local"),
]


class City(NamedTuple):
    name: str
    postal_code: str
    latitude: float
    longitude: float


# Real cities (town-hall coordinates, rounded) spread over the metropole, both
# Corsican départements and the overseas départements, so maps, department
# filters and time zones get exercised everywhere, not only around Paris.
CITIES: list[City] = [
    City("Paris", "75001", 48.8606, 2.3376),
    City("Paris", "75011", 48.8574, 2.3795),
    City("Paris", "75018", 48.8925, 2.3444),
    City("Marseille", "13001", 43.2965, 5.3698),
    City("Lyon", "69001", 45.7676, 4.8344),
    City("Toulouse", "31000", 43.6047, 1.4442),
    City("Nice", "06000", 43.7102, 7.2620),
    City("Nantes", "44000", 47.2184, -1.5536),
    City("Montpellier", "34000", 43.6109, 3.8772),
    City("Strasbourg", "67000", 48.5734, 7.7521),
    City("Bordeaux", "33000", 44.8378, -0.5792),
    City("Lille", "59000", 50.6292, 3.0573),
    City("Rennes", "35000", 48.1173, -1.6778),
    City("Reims", "51100", 49.2583, 4.0317),
    City("Toulon", "83000", 43.1242, 5.9280),
    City("Saint-Étienne", "42000", 45.4397, 4.3872),
    City("Le Havre", "76600", 49.4944, 0.1079),
    City("Grenoble", "38000", 45.1885, 5.7245),
    City("Dijon", "21000", 47.3220, 5.0415),
    City("Angers", "49000", 47.4784, -0.5632),
    City("Nîmes", "30000", 43.8367, 4.3601),
    City("Villeurbanne", "69100", 45.7719, 4.8902),
    City("Clermont-Ferrand", "63000", 45.7772, 3.0870),
    City("Le Mans", "72000", 48.0061, 0.1996),
    City("Aix-en-Provence", "13100", 43.5297, 5.4474),
    City("Brest", "29200", 48.3904, -4.4861),
    City("Tours", "37000", 47.3941, 0.6848),
    City("Amiens", "80000", 49.8941, 2.2958),
    City("Limoges", "87000", 45.8336, 1.2611),
    City("Annecy", "74000", 45.8992, 6.1294),
    City("Perpignan", "66000", 42.6887, 2.8948),
    City("Metz", "57000", 49.1193, 6.1757),
    City("Besançon", "25000", 47.2378, 6.0241),
    City("Orléans", "45000", 47.9030, 1.9093),
    City("Rouen", "76000", 49.4432, 1.0999),
    City("Mulhouse", "68100", 47.7508, 7.3359),
    City("Caen", "14000", 49.1829, -0.3707),
    City("Nancy", "54000", 48.6921, 6.1844),
    City("Saint-Denis", "93200", 48.9362, 2.3574),
    City("Montreuil", "93100", 48.8638, 2.4485),
    City("Versailles", "78000", 48.8049, 2.1204),
    City("Nanterre", "92000", 48.8924, 2.2071),
    City("Créteil", "94000", 48.7904, 2.4556),
    City("Cergy", "95000", 49.0364, 2.0761),
    City("Évry-Courcouronnes", "91000", 48.6290, 2.4410),
    City("Melun", "77000", 48.5421, 2.6554),
    City("Avignon", "84000", 43.9493, 4.8055),
    City("Arles", "13200", 43.6766, 4.6278),
    City("Poitiers", "86000", 46.5802, 0.3404),
    City("Pau", "64000", 43.2951, -0.3708),
    City("Bayonne", "64100", 43.4929, -1.4748),
    City("La Rochelle", "17000", 46.1603, -1.1511),
    City("Quimper", "29000", 47.9960, -4.1024),
    City("Vannes", "56000", 47.6582, -2.7608),
    City("Saint-Malo", "35400", 48.6493, -2.0257),
    City("Cherbourg-en-Cotentin", "50100", 49.6337, -1.6222),
    City("Chambéry", "73000", 45.5646, 5.9178),
    City("Troyes", "10000", 48.2973, 4.0744),
    City("Colmar", "68000", 48.0794, 7.3585),
    City("Béziers", "34500", 43.3442, 3.2158),
    City("Albi", "81000", 43.9289, 2.1464),
    City("Aurillac", "15000", 44.9264, 2.4397),
    City("Rodez", "12000", 44.3506, 2.5750),
    City("Gap", "05000", 44.5594, 6.0786),
    City("Digne-les-Bains", "04000", 44.0925, 6.2356),
    City("Mende", "48000", 44.5181, 3.5006),
    City("Guéret", "23000", 46.1711, 1.8714),
    City("Charleville-Mézières", "08000", 49.7621, 4.7263),
    City("Bourg-en-Bresse", "01000", 46.2052, 5.2255),
    # Corsica: 200xx-201xx is Corse-du-Sud (2A), 202xx-206xx Haute-Corse (2B).
    City("Ajaccio", "20000", 41.9192, 8.7386),
    City("Porto-Vecchio", "20137", 41.5911, 9.2795),
    City("Bastia", "20200", 42.6977, 9.4508),
    City("Corte", "20250", 42.3063, 9.1500),
    # Overseas départements: three-digit department codes, other time zones.
    City("Pointe-à-Pitre", "97110", 16.2411, -61.5331),
    City("Fort-de-France", "97200", 14.6161, -61.0588),
    City("Cayenne", "97300", 4.9224, -52.3135),
    City("Saint-Laurent-du-Maroni", "97320", 5.4985, -54.0325),
    City("Saint-Denis", "97400", -20.8823, 55.4504),
    City("Saint-Pierre", "97410", -21.3393, 55.4781),
    City("Mamoudzou", "97600", -12.7806, 45.2279),
]

# Siren of La Poste: its SIRETs follow a special rule (not Luhn), so a random
# Luhn SIRET under it would be rejected by rules.is_valid_siret.
LA_POSTE_SIREN = "356000000"

COORDINATE_STEP = Decimal("0.00001")  # the precision of Venue.latitude/longitude


def city_by_postal_code(postal_code: str) -> City:
    """The first seed city with this postal code (demo data picks cities by code)."""
    for city in CITIES:
        if city.postal_code == postal_code:
            return city
    raise KeyError(postal_code)


def department_of(city: City) -> str:
    department = rules.department_from_postal_code(city.postal_code)
    if department is None:  # a typo in CITIES: fail loudly rather than seed bad data
        raise ValueError(f"Code postal inconnu : {city.postal_code}")
    return department


def random_siren(rng: random.Random) -> str:
    """A valid SIREN: 8 random digits followed by their Luhn check digit."""
    while True:
        partial = f"{rng.randrange(10**8):08d}"
        siren = partial + rules.luhn_check_digit(partial)
        if siren != LA_POSTE_SIREN:
            return siren


def unique_sirens(rng: random.Random, count: int, taken: Iterable[str] = ()) -> list[str]:
    """`count` distinct valid SIRENs, none of them in `taken` (e.g. already in the database)."""
    seen = set(taken)
    out: list[str] = []
    while len(out) < count:
        siren = random_siren(rng)
        if siren not in seen:
            seen.add(siren)
            out.append(siren)
    return out


def make_siret(siren: str, nic: int) -> str:
    """The SIRET of establishment number `nic` (1-9999) of a SIREN: siren + NIC + Luhn digit."""
    if not 0 <= nic <= 9999:
        raise ValueError("Le numéro d’établissement doit tenir sur 4 chiffres.")
    partial = f"{siren}{nic:04d}"
    return partial + rules.luhn_check_digit(partial)


def random_sirets(rng: random.Random, siren: str, count: int) -> list[str]:
    """`count` distinct valid SIRETs of one SIREN (distinct NICs, hence distinct SIRETs)."""
    return [make_siret(siren, nic) for nic in sorted(rng.sample(range(1, 10000), count))]


def jittered_coordinates(
    rng: random.Random, city: City, spread: float = 0.03
) -> tuple[Decimal, Decimal]:
    """A point a few kilometres around the city, kept inside France's boxes.

    Jitter spreads venues so a map does not stack them on one pin; small islands
    (La Réunion, Mayotte) sit close to their box edges, hence the fallback.
    """
    for _ in range(5):
        latitude = city.latitude + rng.uniform(-spread, spread)
        longitude = city.longitude + rng.uniform(-spread, spread)
        if rules.is_in_france(latitude, longitude):
            break
    else:
        latitude, longitude = city.latitude, city.longitude
    return (
        Decimal(str(latitude)).quantize(COORDINATE_STEP),
        Decimal(str(longitude)).quantize(COORDINATE_STEP),
    )


# First two digits of French landlines by zone (01 Île-de-France … 05 south-west);
# départements not listed fall in 05.
_PHONE_ZONES: dict[str, set[str]] = {
    "01": {"75", "77", "78", "91", "92", "93", "94", "95"},
    "02": {"14", "18", "22", "27", "28", "29", "35", "36", "37", "41", "44", "45", "49", "50",
           "53", "56", "61", "72", "76", "85"},
    "03": {"02", "08", "10", "21", "25", "39", "51", "52", "54", "55", "57", "58", "59", "60",
           "62", "67", "68", "70", "71", "80", "88", "89", "90"},
    "04": {"01", "03", "04", "05", "06", "07", "11", "13", "15", "26", "2A", "2B", "30", "34",
           "38", "42", "43", "48", "63", "66", "69", "73", "74", "83", "84"},
}  # fmt: skip
_OVERSEAS_PHONE_PREFIXES = {
    "971": "0590", "972": "0596", "973": "0594", "974": "0262", "976": "0269",
}  # fmt: skip


def french_phone(rng: random.Random, postal_code: str = "") -> str:
    """A landline of the venue's zone in the usual "01 23 45 67 89" form (fits Venue.phone)."""
    department = rules.department_from_postal_code(postal_code) if postal_code else None
    if department in _OVERSEAS_PHONE_PREFIXES:
        prefix = _OVERSEAS_PHONE_PREFIXES[department]
    elif department is None:
        prefix = "0" + str(rng.randint(1, 5))
    else:
        prefix = next((zone for zone, deps in _PHONE_ZONES.items() if department in deps), "05")
    digits = prefix + "".join(str(rng.randrange(10)) for _ in range(10 - len(prefix)))
    return " ".join(digits[i : i + 2] for i in range(0, 10, 2))
