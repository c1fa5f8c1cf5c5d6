#!/usr/bin/env python3
"""Refresh the tool's own gettext domain ``smpc`` in this checkout's ``locales/``.

A maintainer's command, not part of the installed tool: after changing a market profile
(``src/smpc_manager/markets/data/*.toml``) or a template, run it from a checkout whose
package Python imports (``pip install -e '.[test]'``)::

    python scripts/tool_domain.py            # rewrite smpc.pot, merge into each smpc.po
    python scripts/tool_domain.py --check    # change nothing; exit 1 if a file is stale

The folder it writes is found from where this script lies, never from where the package is
installed, so it cannot write into site-packages. The work itself is
:func:`smpc_manager.tooldomain.refresh`; this file only picks the folder and reports.
"""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

import click

import smpc_manager
from smpc_manager.errors import SmpcError
from smpc_manager.tooldomain import refresh

#: The top of the checkout this script belongs to.
ROOT = Path(__file__).resolve().parents[1]
SCRIPT = "scripts/tool_domain.py"


def _is_checkout(root: Path) -> bool:
    """Whether ``root`` is the top of an smpc-manager checkout: its pyproject.toml names the
    project, and the package and the tool's catalogs lie where the wheel takes them from."""
    try:
        with (root / "pyproject.toml").open("rb") as handle:
            name = tomllib.load(handle).get("project", {}).get("name")
    except (OSError, tomllib.TOMLDecodeError):
        return False
    return (name == "smpc-manager" and (root / "src" / "smpc_manager").is_dir()
            and (root / "locales").is_dir())


def checkout_locales(root: Path = ROOT) -> Path:
    """The checkout's ``locales/``; a usage error outside a checkout, or when Python imports
    smpc_manager from elsewhere (the catalogs would follow that copy's profiles)."""
    if not _is_checkout(root):
        raise click.UsageError(
            f"{root} is not a checkout of smpc-manager (pyproject.toml, src/smpc_manager/ and"
            f" locales/): run {SCRIPT} from a clone of the repository, or name the folder"
            " with --locales")
    imported = Path(smpc_manager.__file__).resolve().parent
    if imported != root / "src" / "smpc_manager":
        raise click.UsageError(
            f"smpc_manager is imported from {imported}, not from this checkout's"
            f" {root / 'src'}: install the checkout in editable mode (pip install -e"
            " '.[test]') so that the catalogs follow its profiles and templates")
    return root / "locales"


def _shown(path: str) -> str:
    """``path`` relative to the working folder when it lies below it."""
    try:
        return str(Path(path).relative_to(Path.cwd()))
    except ValueError:
        return path


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--check", is_flag=True,
              help="Change nothing; exit 1 if smpc.pot or an smpc.po is not current (for CI).")
@click.option("--locales", "locales", default=None,
              type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="The folder holding smpc.pot and <lang>/LC_MESSAGES/smpc.po. Default: the"
                   " locales/ of the checkout this script lies in.")
def main(check: bool, locales: Path | None) -> None:
    """Extract the smpc domain (the templates' and the market profiles' labels, titles and
    legal phrases) into locales/smpc.pot and merge it into every
    locales/<lang>/LC_MESSAGES/smpc.po.

    A changed English phrase turns its translation fuzzy; the English catalog holds each
    new message as its own translation. Unchanged input leaves every file byte-identical;
    a rewritten template takes SOURCE_DATE_EPOCH as its date when set.

    The changed files are listed on stdout, the summary on stderr. Exit status: 0 done (or
    current), 1 not current (--check) or a catalog that cannot be read, 2 wrong usage.
    """
    folder = locales if locales is not None else checkout_locales()
    try:
        changed = refresh(folder, write=not check)
    except SmpcError as err:
        for line in err.lines():
            click.echo(line, err=True)
        sys.exit(err.exit_code)
    verb = "not current" if check else "written"
    for path in changed:
        click.echo(f"{_shown(path)}: {verb}")
    files = f"{len(changed)} file{'' if len(changed) == 1 else 's'}"
    if not changed:
        click.echo(f"{_shown(str(folder))}: the smpc catalogs are current", err=True)
    elif check:
        click.echo(f"{files} not current: run {SCRIPT} and commit the result", err=True)
        sys.exit(1)
    else:
        click.echo(f"{files} written", err=True)


if __name__ == "__main__":
    main()
