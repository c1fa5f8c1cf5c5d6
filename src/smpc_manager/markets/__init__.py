"""Market profiles: what each market prints, in which order, under which labels.

The shipped profiles are data, in ``data/<market>.toml``. Other packages import from here,
never from the modules inside.
"""

from smpc_manager.markets.elements import (
    FIELDS,
    SMPC_RELATIONS,
    SMPC_SECTION_OF,
    VERBATIM_FIELDS,
    Element,
    Message,
)
from smpc_manager.markets.profiles import (
    MarketProfile,
    known_markets,
    load_profile,
    markets_for,
    parse_profile,
)
from smpc_manager.resources import PROFILE_DIR, shipped_markets

__all__ = [
    "FIELDS",
    "PROFILE_DIR",
    "SMPC_RELATIONS",
    "SMPC_SECTION_OF",
    "VERBATIM_FIELDS",
    "Element",
    "MarketProfile",
    "Message",
    "known_markets",
    "load_profile",
    "markets_for",
    "parse_profile",
    "shipped_markets",
]
