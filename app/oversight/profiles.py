"""Report profiles: which oversight report to build from the period's facts, under which
redaction profile. Pure functions: the service reads the facts and checks permissions.

Profiles: ``att`` (ATT Art 13 annual report, exports), ``eu-coarm`` (EU annual report,
Common Position Art 8), ``uk-stats`` (UK strategic export controls statistics) and
``register`` (one row per decision).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from app.errors import InputError
from app.i18n import N_, _
from app.oversight.att import build_att
from app.oversight.coarm import build_coarm
from app.oversight.common import Basis, Built, Context
from app.oversight.crosswalk import Crosswalk, crosswalk
from app.oversight.facts import Facts
from app.oversight.rates import Converter, ExchangeRates, exchange_rates
from app.oversight.redaction import RedactionProfile, Redactor
from app.oversight.regions import Regions, regions
from app.oversight.register import build_register
from app.oversight.uk_stats import build_uk_stats
from reports.oversight_model import OversightReport

#: Profile id -> title, in the order the Reports window lists them.
PROFILES: dict[str, str] = {
    "att": N_("ATT annual report (Art 13): exports"),
    "eu-coarm": N_("EU annual report on arms exports (COARM)"),
    "uk-stats": N_("UK strategic export controls statistics"),
    "register": N_("Register of licensing decisions"),
}

_BUILDERS: dict[str, Callable[[Context], Built]] = {
    "att": build_att, "eu-coarm": build_coarm, "uk-stats": build_uk_stats,
    "register": build_register,
}


def build_report(profile_id: str, facts: Facts, redaction: RedactionProfile, *,
                 authority: str, generated_by: str, generated_at: datetime,
                 classification: str, basis: Basis = "authorised", currency: str = "EUR",
                 rates: ExchangeRates | None = None, criteria: Crosswalk | None = None,
                 region_table: Regions | None = None) -> OversightReport:
    """The report ``profile_id`` over ``facts``, redacted under ``redaction`` as it is built.

    ``currency`` is the report currency of the ATT values and the register's value bands
    (COARM is always EUR, the UK statistics stay in the licences' currencies); ``rates``,
    ``criteria`` and ``region_table`` default to the shipped reference data."""
    builder = _BUILDERS.get(profile_id)
    if builder is None:
        raise InputError(_("Unknown report profile '{p}': choose one of {all}.").format(
            p=profile_id, all=", ".join(PROFILES)))
    if basis not in ("authorised", "actual"):
        raise InputError(_("The basis is 'authorised' or 'actual', not '{b}'.").format(b=basis))
    currency = currency.strip().upper()
    rates = rates or exchange_rates()
    ctx = Context(facts, basis, currency, Redactor(redaction, currency),
                  criteria or crosswalk(), region_table or regions(),
                  Converter(rates, currency), Converter(rates, "EUR"))
    built = builder(ctx)
    method = list(built.method)
    if profile_id != "att" and basis == "actual":
        method.insert(0, _("The actual basis applies to the ATT report only; this report "
                           "counts as its method notes say."))
    method.append(_("Redaction profile applied: {title} ({id}). {description}").format(
        title=redaction.title, id=redaction.id, description=" ".join(
            redaction.description.split())))
    return OversightReport(
        profile=profile_id, title=built.title, period_from=facts.period_from,
        period_to=facts.period_to, authority=authority, redaction=redaction.id,
        redaction_title=redaction.title, generated_at=generated_at,
        generated_by=generated_by, classification=classification, tables=built.tables,
        charts=built.charts, method=method, withheld=ctx.redactor.statements(),
        nil=built.nil, counted=built.counted)
