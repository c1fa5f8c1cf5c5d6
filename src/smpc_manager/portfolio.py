"""A portfolio: the user's repository of products, catalogs and ``smpc.toml``.

The root is found by walking up from a product file to ``smpc.toml``, as git finds ``.git``.
A folder holding ``products/`` but no ``smpc.toml`` is a portfolio with the default settings.
"""

from __future__ import annotations

import os
import re
import stat
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from smpc_manager.errors import Problem, ProblemsError, SourceLocation, UsageError
from smpc_manager.locales import locale_chain

CONFIG_FILE = "smpc.toml"
PRODUCTS_DIR = "products"
LOCALES_DIR = "locales"
TEMPLATES_DIR = "templates"

#: A settings file is a few lines; anything this large is refused unread.
MAX_CONFIG_BYTES = 256 * 1024
_TOML_AT = re.compile(r"\s*\(at (?:line (\d+), column (\d+)|end of document)\)")
_LOCALE = re.compile(r"^[A-Za-z]{2,3}(?:[_-][A-Za-z0-9]{2,8})*$")
_MARKET = re.compile(r"^[A-Za-z]{2}$")
_PRODUCT_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
_TOP_KEYS = {"source-locale", "markets", "policy", "profiles"}
_POLICY_KEYS = {"warn-days", "max-revision-age-months"}


@dataclass(frozen=True, slots=True)
class Policy:
    """Date policy: how early ``smpc check`` warns, how old a revision date may be."""

    warn_days: int = 90
    max_revision_age_months: int | None = None
    #: The keys smpc.toml sets itself (they override a market profile's defaults).
    given: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Portfolio:
    """A portfolio root and its settings from ``smpc.toml`` (defaults where absent)."""

    root: Path
    source_locale: str = "en"
    #: The markets ``smpc build`` renders; empty means every shipped market.
    markets: tuple[str, ...] = ()
    policy: Policy = field(default_factory=Policy)
    #: Market profiles the portfolio defines itself: market code -> profile table or file.
    profiles: Mapping[str, Any] = field(default_factory=dict)

    @property
    def products_dir(self) -> Path:
        return self.root / PRODUCTS_DIR

    @property
    def locales_dir(self) -> Path:
        return self.root / LOCALES_DIR

    def product_files(self) -> list[Path]:
        """Every ``products/*.xml``, sorted by name."""
        if not self.products_dir.is_dir():
            return []
        # The listing tells a plain file without a stat of each; the names are sorted as
        # text, which orders the files of one folder as their paths would. What
        # glob("*.xml") finds: any name ending so, case aside where the system ignores case.
        folder = self.products_dir
        with os.scandir(folder) as found:
            names = sorted(entry.name for entry in found
                           if os.path.normcase(entry.name).endswith(".xml") and entry.is_file())
        return [folder / name for name in names]

    def template_path(self, product_id: str) -> Path:
        return self.locales_dir / "templates" / f"{_checked_id(product_id)}.pot"

    def catalog_path(self, locale: str, product_id: str) -> Path:
        """Where a product's catalog for a locale lies; a locale that could name a path
        (``../../x``) is a :class:`UsageError` before any path is built."""
        return self.catalog_folder(locale) / catalog_name(product_id)

    def catalog_folder(self, locale: str) -> Path:
        """``locales/<locale>/LC_MESSAGES``, checked as :meth:`catalog_path` checks it."""
        return _catalog_folder(self.root, locale)

    def catalog_file(self, product_id: str, locale: str,
                     missing: set[str] | None = None) -> str | None:
        """The catalog a product is rendered from in ``locale``: the first of the locale's
        chain (``de_AT``, then ``de``) that is a regular file, through a symlink the file it
        leads to; None when there is none. The one rule for this: rendering, a build's plan
        and ``smpc stats`` all ask here.

        ``missing`` keeps the catalog folders found not to exist, for a caller that asks
        for many products and need not look at such a folder again; one made later is
        seen by whoever starts with a new set.
        """
        name = catalog_name(product_id)
        for candidate in locale_chain(locale):
            folder = os.fspath(self.catalog_folder(candidate))
            if missing is not None and folder in missing:
                continue
            path = os.path.join(folder, name)
            try:
                info = os.stat(path)
            except (OSError, ValueError):
                if missing is not None and not os.path.isdir(folder):
                    missing.add(folder)
                continue
            if stat.S_ISREG(info.st_mode):
                return path
        return None

    def catalog_locales(self) -> list[str]:
        """The locales that have a folder under ``locales/`` (``templates`` excluded)."""
        if not self.locales_dir.is_dir():
            return []
        return sorted(
            p.name for p in self.locales_dir.iterdir()
            if p.is_dir() and p.name != "templates" and (p / "LC_MESSAGES").is_dir()
        )


def catalog_name(product_id: str) -> str:
    """A product's catalog file name, ``<id>.po``; an id that could name a path is a
    :class:`UsageError`."""
    return f"{_checked_id(product_id)}.po"


@lru_cache(maxsize=256)
def _catalog_folder(root: Path, locale: str) -> Path:
    # Checked and made once per locale and root: every product asks for the same few.
    if not _LOCALE.match(locale) or locale == TEMPLATES_DIR:
        raise UsageError(f"'{locale}' is not a locale (expected e.g. de, de_AT, en)")
    return root / LOCALES_DIR / locale / "LC_MESSAGES"


def _checked_id(product_id: str) -> str:
    if not _PRODUCT_ID.match(product_id):
        raise UsageError(f"'{product_id}' is not a product id (lower-case letters, digits and"
                         " hyphens)")
    return product_id


def find_root(start: Path) -> Path | None:
    """The nearest folder at or above ``start`` holding ``smpc.toml``.

    A folder with a ``products/`` subfolder counts too, so a product file of a portfolio
    without settings still finds its catalogs.
    """
    start = start.resolve()
    folder = start if start.is_dir() else start.parent
    for candidate in (folder, *folder.parents):
        if (candidate / CONFIG_FILE).is_file():
            return candidate
    for candidate in (folder, *folder.parents):
        if (candidate / PRODUCTS_DIR).is_dir():
            return candidate
    return None


def load_portfolio(root: str | os.PathLike[str]) -> Portfolio:
    """Read ``root/smpc.toml`` (if any); raise :class:`ProblemsError` for a bad one."""
    root = Path(root)
    config = root / CONFIG_FILE
    if not config.is_file():
        return Portfolio(root=root)
    where = SourceLocation(str(config))
    text, data = _read_config(config, where)
    problems: list[Problem] = []
    lines = text.splitlines()

    def problem(message: str, key: str = "") -> None:
        problems.append(Problem(SourceLocation(where.path, _key_line(lines, key)), message))

    for key in sorted(set(data) - _TOP_KEYS):
        problem(f"unknown setting '{key}' (known: {', '.join(sorted(_TOP_KEYS))})", key)
    source = data.get("source-locale", "en")
    if not isinstance(source, str) or not _LOCALE.match(source):
        problem(f"source-locale must be a locale such as 'en', found {source!r}", "source-locale")
        source = "en"
    markets = data.get("markets", [])
    if not isinstance(markets, list) or not all(isinstance(m, str) for m in markets):
        problem(f"markets must be a list of market codes such as [\"AT\", \"DE\"], found"
                f" {markets!r}", "markets")
        markets = []
    for market in markets:
        if not _MARKET.match(market):
            problem(f"markets: {market!r} is not a market code (two letters such as AT)",
                    "markets")
    policy_data = data.get("policy", {})
    policy = Policy()
    if not isinstance(policy_data, dict):
        problem("[policy] must be a table", "policy")
    else:
        for key in sorted(set(policy_data) - _POLICY_KEYS):
            problem(f"unknown setting 'policy.{key}' (known: {', '.join(sorted(_POLICY_KEYS))})",
                    key)
        warn = policy_data.get("warn-days", 90)
        age = policy_data.get("max-revision-age-months")
        if not isinstance(warn, int) or isinstance(warn, bool) or not 0 <= warn <= 3660:
            problem(f"policy.warn-days must be a whole number of days from 0 to 3660, found"
                    f" {warn!r}", "warn-days")
            warn = 90
        if age is not None and (not isinstance(age, int) or isinstance(age, bool)
                                or not 1 <= age <= 1200):
            problem(f"policy.max-revision-age-months must be a whole number from 1 to 1200,"
                    f" found {age!r}", "max-revision-age-months")
            age = None
        policy = Policy(warn, age, frozenset(policy_data) & _POLICY_KEYS)
    profiles = data.get("profiles", {})
    if not isinstance(profiles, dict):
        problem("[profiles] must be a table of market codes", "profiles")
        profiles = {}
    if problems:
        raise ProblemsError(sorted(problems, key=lambda p: p.location.line))
    return Portfolio(
        root=root,
        source_locale=source,
        markets=tuple(m.upper() for m in markets),
        policy=policy,
        profiles=profiles,
    )


def _read_config(config: Path, where: SourceLocation) -> tuple[str, dict[str, Any]]:
    try:
        size = config.stat().st_size
        if size > MAX_CONFIG_BYTES:
            raise ProblemsError([Problem(where, f"is {size:,} bytes; a settings file is a few"
                                                f" lines (limit {MAX_CONFIG_BYTES:,} bytes)")])
        text = config.read_bytes().decode("utf-8")
        return text, tomllib.loads(text)
    except UnicodeDecodeError as err:
        raise ProblemsError([Problem(where, f"is not valid UTF-8 (byte {err.start})")]
                            ) from None
    except OSError as err:
        raise ProblemsError([Problem(where, f"cannot be read: {err.strerror or err}")]
                            ) from None
    except tomllib.TOMLDecodeError as err:
        end = len(text.splitlines()) if "end of document" in str(err) else 0
        raise ProblemsError([Problem(_toml_location(where, err, end), _toml_message(err))]
                            ) from None


def _toml_location(
    where: SourceLocation, err: tomllib.TOMLDecodeError, end: int = 0
) -> SourceLocation:
    # Python 3.11's tomllib puts the position only in the message: "... (at line 2, column 5)".
    line = getattr(err, "lineno", 0) or 0
    column = getattr(err, "colno", 0) or 0
    found = _TOML_AT.search(str(err))
    if not line and found and found.group(1):
        line, column = int(found.group(1)), int(found.group(2))
    return SourceLocation(where.path, line or end, column)


def _toml_message(err: tomllib.TOMLDecodeError) -> str:
    words = _TOML_AT.sub("", getattr(err, "msg", "") or str(err)).strip()
    return f"is not valid TOML: {words[:1].lower()}{words[1:]}"


def _key_line(lines: list[str], key: str) -> int:
    """The line where a key or table is set in a TOML text, 0 if it cannot be found."""
    if not key:
        return 0
    pattern = re.compile(rf"^\s*(?:\[\s*{re.escape(key)}\s*\]|\"?{re.escape(key)}\"?\s*=)")
    return next((n for n, line in enumerate(lines, 1) if pattern.match(line)), 0)


def portfolio_for(path: Path) -> Portfolio:
    """The portfolio a product file or folder belongs to (defaults if none is found)."""
    root = find_root(path)
    if root is None:
        folder = path if path.is_dir() else path.parent
        return Portfolio(root=folder.resolve())
    return load_portfolio(root)


@dataclass(frozen=True, slots=True)
class Target:
    """A product file and the portfolio it belongs to."""

    path: Path
    portfolio: Portfolio


def expand(paths: Iterable[str | Path]) -> list[Target]:
    """Product files named on the command line, folders expanded to their products.

    A folder is a portfolio (its ``products/*.xml``) or a folder of product files. A path
    that does not exist is a :class:`UsageError`, so a typo is not mistaken for a pass.
    """
    targets: list[Target] = []
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            raise UsageError(f"{path}: no such file or folder")
        if path.is_dir():
            root = path if (path / CONFIG_FILE).is_file() or (path / PRODUCTS_DIR).is_dir() \
                else None
            if root is not None:
                portfolio = load_portfolio(root.resolve())
                files = sorted((path / PRODUCTS_DIR).glob("*.xml"))
            else:
                portfolio = portfolio_for(path)
                files = sorted(path.glob("*.xml"))
            if not files:
                raise UsageError(f"{path}: no product files (expected {PRODUCTS_DIR}/*.xml)")
            targets.extend(Target(f, portfolio) for f in files)
        else:
            targets.append(Target(path, portfolio_for(path)))
    return targets
