"""Criteria crosswalk: each framework's criterion ids to the EU Common Position labels
("1", "2a", "2c", ... "8") that COARM and the UK statistics count refusals under.

Decisions keep the ids of the framework they were assessed under; only the reports
translate, through ``resources/reference/criteria_crosswalk.yaml``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from app.i18n import _
from app.oversight.datafiles import fail, load_table, mapping, text, text_list
from app.reference import REFERENCE_DIR


@dataclass(frozen=True)
class Crosswalk:
    #: The EU labels in the Common Position's order.
    labels: tuple[str, ...]
    #: framework id -> criterion id -> EU label
    frameworks: dict[str, dict[str, str]]
    #: Framework id prefixes whose criteria are already EU labels ("legacy:").
    passthrough: tuple[str, ...] = ("legacy:",)
    version: str = ""
    #: EU label -> short title
    titles: dict[str, str] = field(default_factory=dict)
    _rank: dict[str, int] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._rank.update({label: i for i, label in enumerate(self.labels)})

    def label(self, framework_id: str, criterion: str) -> str | None:
        """The EU label the criterion counts under, or None when the table has none."""
        if framework_id.startswith(self.passthrough):
            cited = criterion.strip().lower()
            return cited if cited in self._rank else None
        return self.frameworks.get(framework_id, {}).get(criterion)

    def sort_key(self, label: str) -> tuple[int, str]:
        """EU labels in Common Position order, anything else after them alphabetically."""
        return (self._rank.get(label, len(self._rank)), label)


def load_crosswalk(directory: Path = REFERENCE_DIR) -> Crosswalk:
    path, data = load_table("criteria_crosswalk", directory)
    labels = text_list(path, data.get("labels"), "labels")
    prefixes = text_list(path, data.get("passthrough_prefixes", []), "passthrough_prefixes")
    frameworks: dict[str, dict[str, str]] = {}
    for fid, criteria in mapping(path, data.get("frameworks"), "frameworks").items():
        entry = f"frameworks.{fid}"
        text(path, fid, entry)
        frameworks[fid] = {}
        for cid, label in mapping(path, criteria, entry).items():
            if not isinstance(cid, str) or not cid:
                fail(path, f"{entry}.{cid}", _("must be a criterion id written as a string"))
            text(path, label, f"{entry}.{cid}")
            if label not in labels:
                fail(path, f"{entry}.{cid}", _(
                    "maps to '{label}', which is not one of the labels ({labels})").format(
                        label=label, labels=", ".join(labels)))
            frameworks[fid][cid] = label
    titles = {}
    for label, title in mapping(path, data.get("titles"), "titles").items():
        if label not in labels:
            fail(path, f"titles.{label}", _("is not one of the labels ({labels})").format(
                labels=", ".join(labels)))
        titles[label] = text(path, title, f"titles.{label}")
    return Crosswalk(tuple(labels), frameworks, tuple(prefixes), data["version"], titles)


@cache
def crosswalk() -> Crosswalk:
    """The shipped crosswalk, loaded once per process."""
    return load_crosswalk()
