"""What an output is made from: the one resolver of an output's inputs, and their names.

Every rendering records the sha256 of each file it read (and of the approved SmPC the
market's word-for-word elements are held to), keyed by a name that stays the same
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
import stat
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from smpc_manager.boundary import RefusedInput, resolved_relative
from smpc_manager.locales import locale_chain, same_language
from smpc_manager.markets import PROFILE_DIR
from smpc_manager.portfolio import TEMPLATES_DIR
from smpc_manager.render.formats import format_named
from smpc_manager.resources import resource_dir
from smpc_manager.sources import source_paths
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
    #: The approved SmPC in the locale's language, where the market prints elements of it
    #: word for word (``smpc check`` holds them to it): the output stands or falls with it.
    sources: tuple[Input, ...] = ()

    def __iter__(self) -> Iterator[Input]:
        yield self.product
        if self.catalog is not None:
            yield self.catalog
        yield from self.labels
        yield self.profile
        if self.template is not None:
            yield self.template
        yield from self.sources
        yield TOOL


class InputResolver:
    """Which files each output of one portfolio is made from.

    An instance remembers, for its lifetime, what it found of the files every product
    shares (the ``smpc`` catalogs of a locale, a format's template) and, through its
    :class:`~smpc_manager.boundary.Boundary`, where each folder lies and which catalog
    folders do not exist (``locales/de_AT/LC_MESSAGES`` where only ``de`` has catalogs); a
    product's own catalog is looked for on every call. Make a new one to see shared files
    or folders added since (a build makes one per plan, a renderer one for its lifetime).

    An input that resolves outside the portfolio (and the folders its ``[inputs] allow``
    names), a link to nothing, a device, pipe or socket is a
    :class:`~smpc_manager.boundary.RefusedInput` before anything reads it.
    """

    def __init__(self, portfolio: Portfolio) -> None:
        self.portfolio = portfolio
        self._labels: dict[str, tuple[Input, ...]] = {}
        self._templates: dict[str, Input | None] = {}
        self._profiles: dict[str, Input] = {}
        self._boundary = portfolio.boundary()
        #: The product file last named, by its path and the working folder it was named in.
        self._product: tuple[tuple[str, str], Input] | None = None
        #: The SmPC files of the product last asked for, by its id and the sources it names.
        self._sources: tuple[tuple[str, tuple[tuple[str, str], ...]], dict[str, Path]] | None \
            = None

    def resolve(self, *, product_id: str, product_path: str, product_lang: str | None,
                profile: MarketProfile, locale: str, fmt: str,
                smpc_sources: Sequence[tuple[str, str]] = ()) -> tuple[Input, ...]:
        """Every file the rendering of one output reads: the product file, its catalog for
        the locale, the ``smpc`` catalogs, the profile, the format's template, the approved
        SmPC it is held to (:meth:`sources`), and the tool version.

        ``product_lang`` is the product's ``xml:lang`` (None: the portfolio's source
        locale); ``locale`` the target locale, normalised (``de_AT``); ``fmt`` a registered
        format name. A product's catalog is the first of the locale chain (``de_AT``,
        ``de``) that is a regular file; there is none when the locale's language is the
        product's, and none either when no catalog exists (the renderer then refuses).
        """
        return tuple(self.inputs(product_id=product_id, product_path=product_path,
                                 product_lang=product_lang, profile=profile, locale=locale,
                                 fmt=fmt, smpc_sources=smpc_sources))

    def inputs(self, *, product_id: str, product_path: str, product_lang: str | None,
               profile: MarketProfile, locale: str, fmt: str | None,
               smpc_sources: Sequence[tuple[str, str]] = ()) -> OutputInputs:
        """:meth:`resolve`'s inputs, each in its role; ``fmt`` None leaves the template out
        (what every format of the output shares). ``smpc_sources`` are the languages and
        paths of the SmPC files the product names (``smpc-source``)."""
        translated = not same_language(locale, product_lang or self.portfolio.source_locale)
        return OutputInputs(
            product=self.product(product_path),
            catalog=self.catalog(product_id, locale) if translated else None,
            labels=self.labels(locale),
            profile=self.profile(profile),
            template=None if fmt is None else self.template(fmt),
            translated=translated,
            sources=self.sources(product_id, smpc_sources, profile, locale),
        )

    def product(self, path: str) -> Input:
        """The product file at ``path``; each output of a product asks for it again.

        The product has been read by whoever hands it over (the portfolio's listing refuses
        one that leads outside), so one from elsewhere is named as :func:`relative_name`
        names it, not refused: a program may render any product file it loaded itself."""
        key = (path, "" if os.path.isabs(path) else os.getcwd())
        if self._product is None or self._product[0] != key:
            try:
                name = self.name(path)
            except RefusedInput:
                name = Path(path).as_posix()
            self._product = (key, Input(name, path))
        return self._product[1]

    def catalog(self, product_id: str, locale: str) -> Input | None:
        """The product's catalog for ``locale`` (:meth:`Portfolio.catalog_file`), or None."""
        path = self.portfolio.catalog_file(product_id, locale, self._boundary)
        return None if path is None else Input(self.name(path), path)

    def sources(self, product_id: str, named: Sequence[tuple[str, str]],
                profile: MarketProfile, locale: str) -> tuple[Input, ...]:
        """The product's approved SmPC in ``locale``'s language (the first of the locale
        chain it has, :func:`~smpc_manager.sources.source_paths`) where the market prints
        elements of it word for word; none where it prints none, or the product has no
        SmPC in that language. A product's sources are looked for once for all its
        outputs."""
        if not profile.verbatim_fields():
            return ()
        key = (product_id, tuple(named))
        if self._sources is None or self._sources[0] != key:
            self._sources = (key, source_paths(self.portfolio, product_id, named))
        paths = self._sources[1]
        for candidate in locale_chain(locale):
            path = paths.get(candidate)
            if path is not None and _is_file(self._boundary.file(str(path))):
                return (Input(self.name(str(path)), str(path)),)
        return ()

    def labels(self, locale: str) -> tuple[Input, ...]:
        """The ``smpc`` catalogs of ``locale``: the portfolio's own (for the labels of its
        own profiles), then the tool's, each the first of the locale chain that is a file."""
        if locale not in self._labels:
            found: list[Input] = []
            for candidate in locale_chain(locale):
                path = str(self.portfolio.locales_dir / candidate / "LC_MESSAGES" /
                           f"{DOMAIN}.po")
                if _is_file(self._boundary.file(path)):
                    found.append(Input(self.name(path), path))
                    break
            for candidate in locale_chain(locale):
                path = str(resource_dir("locales") / candidate / "LC_MESSAGES" / f"{DOMAIN}.po")
                if os.path.isfile(path):
                    found.append(Input(f"{SHIPPED_LOCALES}/{candidate}/LC_MESSAGES/{DOMAIN}.po",
                                       path))
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
                own = str(self.portfolio.root / TEMPLATES_DIR / file)
                found = Input(self.name(own), own) if _is_file(self._boundary.file(own)) \
                    else Input(f"{SHIPPED_TEMPLATES}/{file}", str(template_dir() / file))
            self._templates[fmt] = found
        return self._templates[fmt]

    def name(self, path: str) -> str:
        """:func:`relative_name` of ``path`` under the portfolio root, for a file inside it
        or in a folder its ``[inputs] allow`` names; any other is a
        :class:`~smpc_manager.boundary.RefusedInput` (see
        :meth:`~smpc_manager.boundary.Boundary.name`)."""
        return self._boundary.name(path)


def _is_file(info: os.stat_result | None) -> bool:
    """Whether a :meth:`~smpc_manager.boundary.Boundary.file` answer is a regular file (a
    folder of a file's name is passed over, as if nothing were there)."""
    return info is not None and stat.S_ISREG(info.st_mode)


def relative_name(path: str, root: str | os.PathLike[str]) -> str:
    """``path`` relative to the portfolio ``root`` where it lies inside it (both resolved:
    a symlink is named by where it leads), with ``/``; else the path as it is.

    A relative path or root is taken from the working folder of the moment.
    """
    inside = resolved_relative(path, root)
    return Path(path).as_posix() if inside is None else inside


def template_dir() -> Path:
    """The folder of the shipped templates."""
    return resource_dir("templates")
