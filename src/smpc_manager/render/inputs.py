"""What an output is made from: the one resolver of an output's inputs, and their names.

Every rendering records the sha256 of each file it read, keyed by a name that stays the same
from machine to machine: a path relative to the portfolio (``products/besponsa.xml``), or
``smpc_manager/...`` for what ships with the tool. :class:`InputResolver` says which files
those are: the renderer loads exactly what it returns, and a build hashes exactly what it
returns to tell, without rendering, whether an output is up to date. Both asking the one
resolver is what keeps them from disagreeing (a ``de_AT`` catalog added beside ``de`` must
make the outputs it changes stale).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from smpc_manager.locales import locale_chain, same_language
from smpc_manager.markets import PROFILE_DIR
from smpc_manager.portfolio import TEMPLATES_DIR
from smpc_manager.render.formats import format_named
from smpc_manager.resources import resource_dir
from smpc_manager.version import __version__

if TYPE_CHECKING:
    from smpc_manager.markets import MarketProfile
    from smpc_manager.portfolio import Portfolio

#: The gettext domain of the tool's own labels and phrases.
DOMAIN = "smpc"
#: The name of the tool's version among the inputs, and its hash: a new version renders
#: everything anew.
TOOL_INPUT = "smpc-manager"
TOOL_HASH = hashlib.sha256(f"smpc-manager {__version__}".encode()).hexdigest()
#: How the tool's own files are named among the inputs, wherever the package keeps them.
SHIPPED_LOCALES = "smpc_manager/locales"
SHIPPED_PROFILES = "smpc_manager/profiles"
SHIPPED_TEMPLATES = "smpc_manager/templates"


@dataclass(frozen=True, slots=True)
class Input:
    """One file an output is made from."""

    #: Its stable name among an output's inputs, as an output's ``inputs`` and the build
    #: manifest record it: ``products/besponsa.xml``, ``locales/de/LC_MESSAGES/besponsa.po``,
    #: ``smpc_manager/locales/de/LC_MESSAGES/smpc.po``, ``smpc_manager/profiles/at.toml``,
    #: ``templates/page.html.j2`` (a portfolio's own), ``smpc-manager`` (the tool version).
    name: str
    #: The file to read and hash (absolute, or as the portfolio root was given); None only
    #: for the tool version, whose hash is :data:`TOOL_HASH`.
    path: str | None

    @property
    def shipped(self) -> bool:
        """Whether it ships with the tool (the tool version counts as shipped)."""
        return self.path is None or self.name.startswith("smpc_manager/")


#: The tool's version as an input.
TOOL = Input(TOOL_INPUT, None)


@dataclass(frozen=True, slots=True)
class OutputInputs:
    """The inputs of one output, each in its role; iterating gives them in the order
    :meth:`InputResolver.resolve` returns them."""

    product: Input
    #: The product's catalog for the locale; None when the product is written in the
    #: locale's language (``translated`` false) or when it has no catalog there.
    catalog: Input | None
    #: The ``smpc`` catalogs of the tool's labels and phrases: the portfolio's own first.
    labels: tuple[Input, ...]
    profile: Input
    #: The format's template, the portfolio's own or the shipped one (None for JSON).
    template: Input | None
    #: Whether the product's text needs a catalog in the locale (its language is not the
    #: product's source language).
    translated: bool

    def __iter__(self) -> Iterator[Input]:
        yield self.product
        if self.catalog is not None:
            yield self.catalog
        yield from self.labels
        yield self.profile
        if self.template is not None:
            yield self.template
        yield TOOL


class InputResolver:
    """Which files each output of one portfolio is made from.

    An instance remembers, for its lifetime, what it found of the files every product
    shares (the ``smpc`` catalogs of a locale, a format's template) and which catalog
    folders do not exist (``locales/de_AT/LC_MESSAGES`` where only ``de`` has catalogs); a
    product's own catalog is looked for on every call. Make a new one to see shared files
    or folders added since (a build makes one per plan, a renderer one for its lifetime).
    """

    def __init__(self, portfolio: Portfolio) -> None:
        self.portfolio = portfolio
        self._labels: dict[str, tuple[Input, ...]] = {}
        self._templates: dict[str, Input | None] = {}
        self._profiles: dict[str, Input] = {}
        #: Catalog folders found missing.
        self._missing: set[str] = set()
        #: What :func:`relative_name` gives a file's folder, by the folder as given and the
        #: working folder: the folder's own name with ``/`` after it, None outside the root.
        self._prefixes: dict[tuple[str, str], str | None] = {}
        #: The product file last named, by its path and the working folder it was named in.
        self._product: tuple[tuple[str, str], Input] | None = None

    def resolve(self, *, product_id: str, product_path: str, product_lang: str | None,
                profile: MarketProfile, locale: str, fmt: str) -> tuple[Input, ...]:
        """Every file the rendering of one output reads: the product file, its catalog for
        the locale, the ``smpc`` catalogs, the profile, the format's template, and the tool
        version.

        ``product_lang`` is the product's ``xml:lang`` (None: the portfolio's source
        locale); ``locale`` the target locale, normalised (``de_AT``); ``fmt`` a registered
        format name. A product's catalog is the first of the locale chain (``de_AT``,
        ``de``) that is a regular file; there is none when the locale's language is the
        product's, and none either when no catalog exists (the renderer then refuses).
        """
        return tuple(self.inputs(product_id=product_id, product_path=product_path,
                                 product_lang=product_lang, profile=profile, locale=locale,
                                 fmt=fmt))

    def inputs(self, *, product_id: str, product_path: str, product_lang: str | None,
               profile: MarketProfile, locale: str, fmt: str | None) -> OutputInputs:
        """:meth:`resolve`'s inputs, each in its role; ``fmt`` None leaves the template out
        (what every format of the output shares)."""
        translated = not same_language(locale, product_lang or self.portfolio.source_locale)
        return OutputInputs(
            product=self.product(product_path),
            catalog=self.catalog(product_id, locale) if translated else None,
            labels=self.labels(locale),
            profile=self.profile(profile),
            template=None if fmt is None else self.template(fmt),
            translated=translated,
        )

    def product(self, path: str) -> Input:
        """The product file at ``path``; each output of a product asks for it again."""
        key = (path, "" if os.path.isabs(path) else os.getcwd())
        if self._product is None or self._product[0] != key:
            self._product = (key, Input(self.name(path), path))
        return self._product[1]

    def catalog(self, product_id: str, locale: str) -> Input | None:
        """The product's catalog for ``locale`` (:meth:`Portfolio.catalog_file`), or None."""
        path = self.portfolio.catalog_file(product_id, locale, self._missing)
        if path is None:
            return None
        return Input(self.name(path) if os.path.islink(path) else self._unlinked_name(path),
                     path)

    def labels(self, locale: str) -> tuple[Input, ...]:
        """The ``smpc`` catalogs of ``locale``: the portfolio's own (for the labels of its
        own profiles), then the tool's, each the first of the locale chain that is a file."""
        if locale not in self._labels:
            found: list[Input] = []
            for folder, shown in ((self.portfolio.locales_dir, None),
                                  (resource_dir("locales"), SHIPPED_LOCALES)):
                for candidate in locale_chain(locale):
                    path = folder / candidate / "LC_MESSAGES" / f"{DOMAIN}.po"
                    if path.is_file():
                        name = f"{shown}/{candidate}/LC_MESSAGES/{DOMAIN}.po" if shown \
                            else self.name(str(path))
                        found.append(Input(name, str(path)))
                        break
            self._labels[locale] = tuple(found)
        return self._labels[locale]

    def profile(self, profile: MarketProfile) -> Input:
        """A market profile's file: shipped, the portfolio's own, or its ``smpc.toml`` for a
        profile written there."""
        shown = profile.source.path
        if shown not in self._profiles:
            if shown.startswith(SHIPPED_PROFILES + "/"):
                path = str(PROFILE_DIR / shown[len(SHIPPED_PROFILES) + 1:])
                self._profiles[shown] = Input(shown, path)
            else:
                self._profiles[shown] = Input(self.name(shown), shown)
        return self._profiles[shown]

    def template(self, fmt: str) -> Input | None:
        """The template ``fmt`` is laid out with: the portfolio's own
        (``templates/page.html.j2``) where it has one, else the shipped one; None for a
        format built without one."""
        if fmt not in self._templates:
            file = format_named(fmt).template
            found: Input | None = None
            if file is not None:
                own = self.portfolio.root / TEMPLATES_DIR / file
                found = Input(self.name(str(own)), str(own)) if own.is_file() else \
                    Input(f"{SHIPPED_TEMPLATES}/{file}", str(template_dir() / file))
            self._templates[fmt] = found
        return self._templates[fmt]

    def name(self, path: str) -> str:
        """:func:`relative_name` of ``path`` under the portfolio root."""
        if os.path.islink(path):  # named by where it leads
            return relative_name(path, self.portfolio.root)
        return self._unlinked_name(path)

    def _unlinked_name(self, path: str) -> str:
        """:func:`relative_name` of a path that is no symlink, from its folder's name.

        A build names thousands of files in the same few folders: each folder is resolved
        once per instance and working folder (a relative path is taken from the working
        folder of the moment), and a file in it named by joining its name.
        """
        folder, base = os.path.split(path)
        if base in ("", ".", ".."):
            return relative_name(path, self.portfolio.root)
        key = (folder, os.getcwd())
        prefix = self._prefixes.get(key, _UNKNOWN)
        if prefix is _UNKNOWN:
            inside = _relative(_absolute(folder or os.curdir),
                               _absolute(os.fspath(self.portfolio.root)))
            prefix = self._prefixes[key] = None if inside is None else \
                "" if inside == "." else inside + "/"
        return relative_name(path, self.portfolio.root) if prefix is None else \
            f"{prefix}{base}"


#: What :meth:`InputResolver._unlinked_name` has not yet found for a folder.
_UNKNOWN = "\0"


def relative_name(path: str, root: str | os.PathLike[str]) -> str:
    """``path`` relative to the portfolio ``root`` where it lies inside it (both resolved:
    a symlink is named by where it leads), with ``/``; else the path as it is.

    A relative path or root is taken from the working folder of the moment.
    """
    inside = _relative(path, root)
    return Path(path).as_posix() if inside is None else inside


def _relative(path: str, root: str | os.PathLike[str]) -> str | None:
    """``path`` resolved, relative to ``root`` resolved, with ``/``; None outside it."""
    try:
        return Path(os.path.realpath(path)).relative_to(os.path.realpath(root)).as_posix()
    except ValueError:
        return None


def _absolute(path: str) -> str:
    """``path`` joined to the working folder as it is now, unresolved (``os.path.abspath``
    would fold ``link/..`` as if ``link`` were no symlink)."""
    return path if os.path.isabs(path) else os.path.join(os.getcwd(), path)


def template_dir() -> Path:
    """The folder of the shipped templates."""
    return resource_dir("templates")

