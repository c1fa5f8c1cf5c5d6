"""Where a product's approved SmPCs lie in its portfolio, and whether they can be read.

By convention ``sources/<id>/<lang>.xml`` or ``.json``; a product's ``smpc-source`` names
another file for its language (:mod:`.paths`). Every file is looked at through the
portfolio's boundary (inside the portfolio, or a folder ``[inputs] allow`` names; no link to
nothing, no device) before it is read.
"""

from __future__ import annotations

import os
from pathlib import Path

from smpc_manager.errors import Problem, ProblemsError, Severity, SourceLocation
from smpc_manager.locales import normalize_locale
from smpc_manager.model import Product
from smpc_manager.portfolio import Portfolio
from smpc_manager.sources.paths import source_paths
from smpc_manager.sources.reader import read_epi


def product_sources(portfolio: Portfolio, product: Product) -> dict[str, Path]:
    """The SmPC files of ``product`` by language: those it names, and those at the
    conventional place for the other languages."""
    return source_paths(portfolio, product.id,
                        [(source.lang, source.path) for source in product.smpc_sources])


def check_sources(portfolio: Portfolio, product: Product) -> list[Problem]:
    """Every problem of the product's SmPC files: one that cannot be read (an error), one
    whose SmPC is missing or in another language (an error), and what the reader found in
    one it read (warnings)."""
    problems: list[Problem] = []
    boundary = portfolio.boundary()
    for lang, path in product_sources(portfolio, product).items():
        where = SourceLocation(str(path))
        try:
            if boundary.file(os.fspath(path)) is None:
                problems.append(Problem(_named_at(product, lang) or where,
                                        f"the SmPC in {lang} is named here but {path} does"
                                        " not exist", field="smpc-source"))
                continue
            epi = read_epi(path)
        except ProblemsError as err:
            problems.extend(err.problems)
            continue
        smpc = epi.smpc
        if smpc is None:
            problems.append(Problem(SourceLocation(str(path), 1), "holds no SmPC",
                                    field="smpc-source"))
        elif smpc.lang and normalize_locale(smpc.lang) != lang:
            problems.append(Problem(smpc.location, f"is the SmPC of {product.id} in {lang},"
                                    f" but its Composition's language is {smpc.lang}",
                                    field="smpc-source"))
        problems.extend(f for f in epi.findings if f.severity is Severity.WARNING)
    return problems


def _named_at(product: Product, lang: str) -> SourceLocation | None:
    return next((s.location for s in product.smpc_sources
                 if normalize_locale(s.lang) == lang), None)
