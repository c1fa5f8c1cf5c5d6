"""Rules that judge a product: its dates as of a day, and its translations.

Other packages import from here, never from the modules inside.
"""

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
from smpc_manager.rules.translation import Translated, check_translation, translate, verdict_key

__all__ = [
    "RULE_IDS",
    "CheckContext",
    "Finding",
    "Translated",
    "as_finding",
    "check_translation",
    "context_for",
    "date_findings",
    "expiry_errors",
    "market_policy",
    "markets_of",
    "passing_days",
    "translate",
    "verdict_key",
]
