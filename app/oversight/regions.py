"""UN M49 regions of the destinations, for the reports' "by region" charts; the country
table (``app.reference``) carries none, so they live in ``regions.yaml``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from app.i18n import _
from app.oversight.datafiles import fail, load_table, text
from app.reference import REFERENCE_DIR


@dataclass(frozen=True)
class Regions:
    #: alpha-2 -> (region, sub-region); "" where M49 gives none
    by_country: dict[str, tuple[str, str]]
    version: str = ""

    def region(self, alpha2: str) -> str:
        region = self.by_country.get(alpha2, ("", ""))[0]
        return region or _("No region")


def load_regions(directory: Path = REFERENCE_DIR) -> Regions:
    path, data = load_table("regions", directory)
    rows = data.get("regions")
    if not isinstance(rows, list) or not rows:
        fail(path, "regions", _("must be a non-empty list"))
    out: dict[str, tuple[str, str]] = {}
    for n, row in enumerate(rows, start=1):
        entry = f"regions[{n}]"
        if not isinstance(row, dict):
            fail(path, entry, _("must be a mapping"))
        code = text(path, row.get("alpha2"), f"{entry}.alpha2")
        if not re.fullmatch(r"[A-Z]{2}", code):
            fail(path, f"{entry}.alpha2", _("'{code}' is not an ISO alpha-2 code").format(
                code=code))
        if code in out:
            fail(path, f"{entry}.alpha2", _("repeats {code}").format(code=code))
        out[code] = (text(path, row.get("region"), f"{entry}.region", empty=True),
                     text(path, row.get("sub_region"), f"{entry}.sub_region", empty=True))
    return Regions(out, data["version"])


@cache
def regions() -> Regions:
    """The shipped regions, loaded once per process."""
    return load_regions()
