"""Assessment frameworks: data files, validated against a schema when loaded.

The shipped files live in ``resources/frameworks/``; an authority adds its own in the
frameworks folder of the data directory (or ``$GOLDENRULE_FRAMEWORKS``) without touching
code. A broken file never stops the others loading: it is reported with its path and the
problem. Each framework keeps the SHA-256 of its file so a decision can name the exact
text it was made under.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from app.errors import ReferenceDataError
from app.i18n import _

RESOURCES = Path(__file__).resolve().parent.parent / "resources"
SHIPPED_DIR = RESOURCES / "frameworks"
SCHEMA_PATH = RESOURCES / "formats" / "framework.schema.json"
SUFFIXES = (".yaml", ".yml", ".json")


@dataclass(frozen=True)
class Level:
    id: str
    label: str
    description: str


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    help: str = ""
    source: str = ""
    risk_answer: str | None = None


@dataclass(frozen=True)
class Criterion:
    id: str
    title: str
    citation: str
    legal_test: str
    effect: str
    levels: tuple[Level, ...]
    threshold: str | None
    threshold_term: str
    mitigation: bool
    checks: tuple[str, ...]
    questions: tuple[Question, ...]
    note: str = ""

    @property
    def level_ids(self) -> list[str]:
        return [lv.id for lv in self.levels]

    @property
    def lowest(self) -> str:
        return self.levels[0].id

    def rank(self, level: str | None) -> int:
        """Position of ``level`` on the scale; -1 for no rating or an unknown level."""
        ids = self.level_ids
        return ids.index(level) if level in ids else -1

    def level(self, level_id: str | None) -> Level | None:
        return next((lv for lv in self.levels if lv.id == level_id), None)

    def reaches_threshold(self, level: str | None) -> bool:
        return self.threshold is not None and self.rank(level) >= self.rank(self.threshold) >= 0

    @property
    def is_binding(self) -> bool:
        """Hard stops and mandatory criteria: met means refusal, whatever else is weighed."""
        return self.effect in ("hard_stop", "mandatory")


@dataclass(frozen=True)
class Framework:
    id: str
    version: str
    title: str
    short_title: str
    source: str
    summary: str
    decision_order: str
    criteria: tuple[Criterion, ...]
    sha256: str
    path: Path
    text: str
    historical_since: date | None = None
    historical_note: str = ""
    shipped: bool = True

    @property
    def is_historical(self) -> bool:
        return self.historical_since is not None

    def criterion(self, criterion_id: str) -> Criterion:
        for c in self.criteria:
            if c.id == criterion_id:
                return c
        raise KeyError(criterion_id)

    @property
    def criterion_ids(self) -> list[str]:
        return [c.id for c in self.criteria]

    @property
    def display_title(self) -> str:
        title = self.short_title or self.title
        return _("{title} (historical)").format(title=title) if self.is_historical else title


@dataclass(frozen=True)
class FrameworkProblem:
    path: Path
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


@dataclass
class FrameworkCatalogue:
    frameworks: list[Framework] = field(default_factory=list)
    problems: list[FrameworkProblem] = field(default_factory=list)

    def get(self, framework_id: str) -> Framework:
        for fw in self.frameworks:
            if fw.id == framework_id:
                return fw
        known = ", ".join(fw.id for fw in self.frameworks)
        raise ReferenceDataError(
            _("Unknown framework '{id}'. Known frameworks: {known}.").format(
                id=framework_id, known=known))

    def current(self) -> list[Framework]:
        return [fw for fw in self.frameworks if not fw.is_historical]


@cache
def _schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def _where(error: jsonschema.ValidationError, doc: dict[str, Any]) -> str:
    """A path a person can follow: criteria[2] (ihl).questions[0].text."""
    parts: list[str] = []
    node: Any = doc
    for step in error.absolute_path:
        if isinstance(step, int):
            label = f"[{step}]"
            try:
                node = node[step]
                if isinstance(node, dict) and isinstance(node.get("id"), str):
                    label += f" ({node['id']})"
            except (IndexError, KeyError, TypeError):
                pass
            parts.append(label)
        else:
            parts.append(("." if parts else "") + str(step))
            node = node.get(step) if isinstance(node, dict) else None
    return "".join(parts) or _("the file")


def parse_framework(path: Path, raw: bytes, *, shipped: bool = False) -> Framework:
    """Parse and validate one file; raises ReferenceDataError naming the path and problem."""
    def fail(message: str) -> ReferenceDataError:
        return ReferenceDataError(_("Framework file {path}: {message}").format(
            path=path, message=message))

    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise fail(_("not UTF-8 text ({error})").format(error=exc)) from exc
    try:
        doc = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (yaml.YAMLError, json.JSONDecodeError) as exc:
        raise fail(_("cannot be read: {error}").format(error=exc)) from exc
    if not isinstance(doc, dict):
        raise fail(_("must be a mapping of fields (id, version, criteria, ...)"))
    validator = jsonschema.Draft202012Validator(_schema(),
                                                format_checker=jsonschema.FormatChecker())
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))
    if errors:
        first = errors[0]
        more = len(errors) - 1
        message = _("{where}: {problem}").format(where=_where(first, doc),
                                                  problem=first.message)
        if more:
            message += " " + _("(and {n} more problems)").format(n=more)
        raise fail(message)

    scales = {name: tuple(Level(lv["id"], lv["label"], lv["description"]) for lv in levels)
              for name, levels in doc["scales"].items()}
    for name, levels in scales.items():
        ids = [lv.id for lv in levels]
        if len(set(ids)) != len(ids):
            raise fail(_("scale '{name}' repeats a level id").format(name=name))
    criteria: list[Criterion] = []
    seen: set[str] = set()
    for item in doc["criteria"]:
        cid = item["id"]
        if cid in seen:
            raise fail(_("criterion id '{id}' is used twice").format(id=cid))
        seen.add(cid)
        levels = scales.get(item["scale"])
        if levels is None:
            raise fail(_("criterion '{id}' uses scale '{scale}', which is not defined").format(
                id=cid, scale=item["scale"]))
        threshold = item.get("threshold")
        if threshold is not None and threshold not in [lv.id for lv in levels]:
            raise fail(_("criterion '{id}': threshold '{t}' is not a level of scale "
                         "'{scale}'").format(id=cid, t=threshold, scale=item["scale"]))
        if threshold is not None and threshold == levels[0].id:
            raise fail(_("criterion '{id}': the threshold cannot be the lowest level").format(
                id=cid))
        qids = [q["id"] for q in item["questions"]]
        if len(set(qids)) != len(qids):
            raise fail(_("criterion '{id}' repeats a question id").format(id=cid))
        criteria.append(Criterion(
            id=cid, title=item["title"], citation=item["citation"],
            legal_test=item["legal_test"].strip(), effect=item["effect"], levels=levels,
            threshold=threshold, threshold_term=item.get("threshold_term", ""),
            mitigation=item["mitigation"], checks=tuple(item.get("checks", ())),
            questions=tuple(Question(q["id"], q["text"].strip(), q.get("help", "").strip(),
                                     q.get("source", ""), q.get("risk_answer"))
                            for q in item["questions"]),
            note=item.get("note", "").strip(),
        ))
    historical = doc.get("historical") or {}
    return Framework(
        id=doc["id"], version=doc["version"], title=doc["title"],
        short_title=doc.get("short_title", ""), source=doc["source"].strip(),
        summary=doc["summary"].strip(), decision_order=doc.get("decision_order", "").strip(),
        criteria=tuple(criteria), sha256=hashlib.sha256(raw).hexdigest(), path=path, text=text,
        historical_since=date.fromisoformat(historical["since"]) if historical else None,
        historical_note=historical.get("note", "").strip(), shipped=shipped,
    )


def authority_dir() -> Path:
    """Where an authority drops its own framework files."""
    configured = os.environ.get("GOLDENRULE_FRAMEWORKS")
    if configured:
        return Path(configured)
    from app.database import data_dir

    return data_dir() / "frameworks"


def load_catalogue(directories: list[tuple[Path, bool]]) -> FrameworkCatalogue:
    """Load every framework file; a broken or clashing file is a problem, not a crash."""
    catalogue = FrameworkCatalogue()
    for directory, shipped in directories:
        if not directory.is_dir():
            continue
        for path in sorted(p for p in directory.iterdir() if p.suffix in SUFFIXES):
            try:
                fw = parse_framework(path, path.read_bytes(), shipped=shipped)
            except ReferenceDataError as exc:
                catalogue.problems.append(FrameworkProblem(path, str(exc)))
                continue
            except OSError as exc:
                catalogue.problems.append(FrameworkProblem(path, str(exc)))
                continue
            clash = next((f for f in catalogue.frameworks if f.id == fw.id), None)
            if clash is not None:
                catalogue.problems.append(FrameworkProblem(path, _(
                    "Framework file {path}: id '{id}' is already defined by {other}; "
                    "give the authority's framework its own id").format(
                        path=path, id=fw.id, other=clash.path)))
                continue
            catalogue.frameworks.append(fw)
    order = ["golden-rule", "att", "eu-cp", "uk-selc"]
    catalogue.frameworks.sort(key=lambda f: (f.is_historical, order.index(f.id)
                                             if f.id in order else len(order), f.id))
    return catalogue


_CATALOGUE: FrameworkCatalogue | None = None


def catalogue(reload: bool = False) -> FrameworkCatalogue:
    """Shipped frameworks plus the authority's own, loaded once per process."""
    global _CATALOGUE
    if _CATALOGUE is None or reload:
        _CATALOGUE = load_catalogue([(SHIPPED_DIR, True), (authority_dir(), False)])
    return _CATALOGUE


def framework_from_text(text: str, name: str = "stored.yaml") -> Framework:
    """Rebuild a framework from the exact text stored with an assessment."""
    return parse_framework(Path(name), text.encode("utf-8"))
