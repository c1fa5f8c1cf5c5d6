"""smpc-manager: the short summary of a medicine's SmPC as validated XML, translated
through gettext catalogs, rendered per market with proof that nothing in it is stale.

The library does what the ``smpc`` command does, and refuses what it refuses (an expired
summary, a missing or stale translation), raising
:class:`~smpc_manager.errors.ProblemsError` where the command prints lines and exits 1::

    import datetime as dt
    from smpc_manager import Renderer, load_portfolio, load_product

    portfolio = load_portfolio("examples/portfolio")
    product = load_product("examples/portfolio/products/besponsa.xml")
    text = Renderer(portfolio).render(product, "AT", as_of=dt.date(2026, 12, 6)).content

``docs/api.md`` lists the API. Its names are imported when first used
(:mod:`smpc_manager.exports`), so ``import smpc_manager`` loads none of lxml, Babel or Jinja2.
"""

from typing import TYPE_CHECKING

from smpc_manager.exports import lazy_exports
from smpc_manager.version import __version__

if TYPE_CHECKING:
    from smpc_manager.audit import CheckReport, check
    from smpc_manager.builder import BuildOptions, BuildResult, build
    from smpc_manager.catalogs import read_catalog, write_catalog
    from smpc_manager.errors import Problem, ProblemsError, SmpcError, UsageError
    from smpc_manager.model import Product
    from smpc_manager.portfolio import Portfolio, load_portfolio
    from smpc_manager.products import load_product, validate_file
    from smpc_manager.render import Renderer, Rendering


EXPORTS = {
    "BuildOptions": "builder",
    "BuildResult": "builder",
    "CheckReport": "audit",
    "Portfolio": "portfolio",
    "Problem": "errors",
    "ProblemsError": "errors",
    "Product": "model",
    "Renderer": "render",
    "Rendering": "render",
    "SmpcError": "errors",
    "UsageError": "errors",
    "build": "builder",
    "check": "audit",
    "load_portfolio": "portfolio",
    "load_product": "products",
    "read_catalog": "catalogs",
    "validate_file": "products",
    "write_catalog": "catalogs",
}
__getattr__, __dir__ = lazy_exports(__name__, EXPORTS)
__all__ = [
    "BuildOptions",
    "BuildResult",
    "CheckReport",
    "Portfolio",
    "Problem",
    "ProblemsError",
    "Product",
    "Renderer",
    "Rendering",
    "SmpcError",
    "UsageError",
    "__version__",
    "build",
    "check",
    "load_portfolio",
    "load_product",
    "read_catalog",
    "validate_file",
    "write_catalog",
]
