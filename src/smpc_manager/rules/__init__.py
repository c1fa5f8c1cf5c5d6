"""Rules that judge a product: its dates as of a day, its ATC code, and its translations.

Other packages import from here, never from the modules inside: ``dates`` (what can expire,
as of a day), ``atc`` (ATC codes the WHO has changed since) and ``translation`` (whether a
translation may be printed, with its checks of ``numbers`` and of English left in
``sentences``). The modules are imported when a name is
first used (:mod:`smpc_manager.exports`): a build's plan needs the dates, not Babel's number
formats.
"""

from typing import TYPE_CHECKING

from smpc_manager.exports import lazy_exports

if TYPE_CHECKING:
    from smpc_manager.rules.atc import (
        Alteration,
        Alterations,
        alterations_for,
        atc_findings,
        shipped_alterations,
    )
    from smpc_manager.rules.dates import (
        RULE_IDS,
        CheckContext,
        Finding,
        as_finding,
        context_for,
        date_findings,
        expiry_errors,
        market_policy,
        markets_of,
        passing_days,
    )
    from smpc_manager.rules.translation import (
        CHECK_IDS,
        PLACEHOLDERS,
        Failure,
        Translated,
        TranslationProblem,
        check_translation,
        placeholders,
        translate,
        verdict_key,
    )

EXPORTS = {
    "Alteration": "atc",
    "Alterations": "atc",
    "alterations_for": "atc",
    "atc_findings": "atc",
    "shipped_alterations": "atc",
    "CHECK_IDS": "translation",
    "PLACEHOLDERS": "translation",
    "RULE_IDS": "dates",
    "CheckContext": "dates",
    "Failure": "translation",
    "Finding": "dates",
    "Translated": "translation",
    "TranslationProblem": "translation",
    "as_finding": "dates",
    "check_translation": "translation",
    "context_for": "dates",
    "date_findings": "dates",
    "expiry_errors": "dates",
    "market_policy": "dates",
    "markets_of": "dates",
    "passing_days": "dates",
    "placeholders": "translation",
    "translate": "translation",
    "verdict_key": "translation",
}
__getattr__, __dir__ = lazy_exports(__name__, EXPORTS)
__all__ = [
    "CHECK_IDS",
    "PLACEHOLDERS",
    "RULE_IDS",
    "Alteration",
    "Alterations",
    "CheckContext",
    "Failure",
    "Finding",
    "Translated",
    "TranslationProblem",
    "alterations_for",
    "as_finding",
    "atc_findings",
    "check_translation",
    "context_for",
    "date_findings",
    "expiry_errors",
    "market_policy",
    "markets_of",
    "passing_days",
    "placeholders",
    "shipped_alterations",
    "translate",
    "verdict_key",
]
