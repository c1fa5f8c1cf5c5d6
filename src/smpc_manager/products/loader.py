"""Load a product file: read it safely, parse, validate against the schema, build, check.

Each step refuses what the next must not see: :mod:`.reader` the bytes, the root element
and the element count here, :mod:`.schema` the structure and the values, :mod:`.checks`
what the values mean together. Every problem names ``path:line:column``, what was wrong and
what was found, on one line. The root element's namespace says which schema the file
follows, 1 or 2; each is read by its own walk into the one model.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from lxml import etree

from smpc_manager.errors import Problem, ProblemsError, Severity, SourceLocation
from smpc_manager.model import PRODUCT_NAMESPACE, PRODUCT_NAMESPACE_2, SCHEMA_VERSIONS, Product
from smpc_manager.products.checks import check_product
from smpc_manager.products.positions import StartTags
from smpc_manager.products.reader import check_bytes, parse, read_source
from smpc_manager.products.schema import MAX_PROBLEMS, more_problems, schema_problems
from smpc_manager.products.tree import build_product
from smpc_manager.products.tree2 import build_product_2

#: A product has a few hundred elements. The time libxml2's schema validation takes grows
#: with the square of the number of bad values, so files with more are refused unchecked.
MAX_ELEMENTS = 2000

#: The schema version of a file, by the tag of its root element.
_ROOT_TAGS = {f"{{{namespace}}}product": version for namespace, version in SCHEMA_VERSIONS.items()}
_NAMESPACE_PREFIX = PRODUCT_NAMESPACE.rpartition(":")[0] + ":"


def load_product(path: str | Path, *, data: bytes | None = None) -> Product:
    """Load and validate a product file; raise :class:`ProblemsError` listing every error.

    Warnings (an ATC code above level 5, say) do not stop loading; :func:`validate_file`
    returns them. ``data``, if given, is read as the file's bytes instead of the file: what
    a command is about to write there (``smpc migrate``), checked before it is written.
    """
    product, problems = _load(Path(path), data)
    errors = [p for p in problems if p.severity is Severity.ERROR]
    if errors or product is None:
        raise ProblemsError(errors)
    return product


def validate_file(path: str | Path) -> list[Problem]:
    """Every problem of one product file, errors and warnings, in file order."""
    return _load(Path(path))[1]


def _load(path: Path, data: bytes | None = None) -> tuple[Product | None, list[Problem]]:
    """The product (None where it could not be built) and every problem of its file (of
    ``data`` as that file, if given)."""
    where = SourceLocation(str(path))
    try:
        product = _read(path, where, data)
    except ProblemsError as err:
        return None, list(err.problems)
    problems = check_product(product, path)
    if len(problems) > MAX_PROBLEMS:
        problems = [*problems[:MAX_PROBLEMS], more_problems(where, len(problems) - MAX_PROBLEMS)]
    return product, problems


def _read(path: Path, where: SourceLocation, data: bytes | None = None) -> Product:
    """The product in the file at ``path`` (or in ``data``, as that file); raise
    :class:`ProblemsError` at the first step that refuses it."""
    if data is None:
        data = read_source(path)
    else:
        check_bytes(data, where)
    digest = hashlib.sha256(data).hexdigest()
    # XML turns CR LF and a lone CR into LF before anything else; doing it first keeps
    # libxml2's line numbers right for files saved with old Mac line ends.
    data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    root = parse(data, where)
    tags = StartTags(data.decode("utf-8-sig"), root)
    version = _check_root(root, where, tags)
    _check_size(root, data, where)
    problems = schema_problems(root, where, tags, version)
    if problems:
        raise ProblemsError(problems)
    build = build_product if version == 1 else build_product_2
    try:
        return build(root, path, tags, digest)
    except (ValueError, ArithmeticError) as err:  # the schema should have caught it
        raise ProblemsError(
            [Problem(where, f"a value the schema let through cannot be read: {err}")]
        ) from err


def _check_root(root: etree._Element, where: SourceLocation, tags: StartTags) -> int:
    """The schema version the root element declares; raise ProblemsError for another root."""
    version = _ROOT_TAGS.get(root.tag) if isinstance(root.tag, str) else None
    if version is not None:
        return version
    qname = etree.QName(root)
    found = f"<{qname.localname}>" + (
        f' in namespace "{qname.namespace}"' if qname.namespace else " in no namespace"
    )
    if qname.localname == "product" and (qname.namespace or "").startswith(_NAMESPACE_PREFIX):
        known = " and ".join(str(v) for v in SCHEMA_VERSIONS.values())
        hint = f" (this version of smpc reads schemas {known}; a newer one may read it)"
    else:
        hint = f' (or xmlns="{PRODUCT_NAMESPACE_2}" for schema 2)'
    raise ProblemsError([Problem(
        SourceLocation(where.path, *tags.place(root, qname.localname)),
        f'the root element must be <product xmlns="{PRODUCT_NAMESPACE}">; found'
        f" {found}{hint}",
        field=qname.localname,
    )])


def _check_size(root: etree._Element, data: bytes, where: SourceLocation) -> None:
    """Refuse a tree of more than :data:`MAX_ELEMENTS` nodes before the schema sees it."""
    # Every node below the root starts with a '<' of its own, so a file with no more '<'
    # than the limit has no more nodes, and its tree need not be walked.
    count = sum(1 for _ in root.iter()) if data.count(b"<") > MAX_ELEMENTS else 0
    if count > MAX_ELEMENTS:
        raise ProblemsError([Problem(
            where,
            f"the file holds {count:,} elements, over the limit of {MAX_ELEMENTS:,} for a"
            " product file; refused unchecked",
        )])
