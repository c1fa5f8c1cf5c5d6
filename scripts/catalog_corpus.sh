#!/usr/bin/env bash
# Gather a corpus of real translators' catalogs, for tests/test_po_corpus.py: the .po files
# that some Python projects ship inside their wheels (Django, Sphinx, Wagtail, Weblate:
# some 2,500 catalogs in over a hundred languages, with plural forms, flags, obsolete
# entries and previous msgids), and those of other languages' projects, from Debian: the GNU
# sources that its binutils-source, gdb-source and glibc-source packages carry, whose po/
# folders hold the Translation Project's catalogs (some 200, most entries c-format), and
# the Lazarus IDE's sources (some 750 catalogs, object-pascal-format). The catalogs are
# other projects' work: they stay outside the repository.
#
# Usage: scripts/catalog_corpus.sh FOLDER
#        SMPC_CATALOG_CORPUS=FOLDER pytest tests/test_po_corpus.py
# The wheels and Debian packages are pinned, so that a run compares the same catalogs each
# time. The Debian packages need apt-get (after apt-get update); without it they are left
# out.
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: $0 FOLDER" >&2; exit 2; }
folder=$1
python=${PYTHON:-python3}
wheels=(django==5.2.20 sphinx==9.0.4 wagtail==8.0.1 weblate==5.14.3)
debs=(binutils-source=2.40-2 gdb-source=13.1-3 glibc-source=2.36-9+deb12u14
      lazarus-src-2.2=2.2.6+dfsg2-2)

work=$(mktemp -d "${TMPDIR:-/tmp}/smpc-corpus.XXXXXX")
trap 'rm -rf "$work"' EXIT
"$python" -m pip download --disable-pip-version-check --no-deps -q -d "$work" "${wheels[@]}"
mkdir -p "$folder"
for wheel in "$work"/*.whl; do
    name=$(basename "$wheel" .whl)
    "$python" - "$wheel" "$folder/$name" <<'PY'
import sys
import zipfile
from pathlib import Path

wheel, target = sys.argv[1], Path(sys.argv[2])
with zipfile.ZipFile(wheel) as archive:
    for member in archive.namelist():
        if member.endswith(".po"):
            path = target / member
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(archive.read(member))
PY
done
if command -v apt-get >/dev/null; then
    (cd "$work" && apt-get download -q "${debs[@]}")
    for deb in "$work"/*.deb; do
        name=$(basename "$deb" .deb)
        mkdir -p "$work/$name" "$folder/$name"
        dpkg-deb -x "$deb" "$work/$name"
        # The sources are the package's files or tarballs inside it: only their catalogs
        # are taken (those under debian/ are Debian's own, not the project's).
        (cd "$work/$name" && find . -name '*.po' -not -path '*/debian/*' \
            -exec cp --parents {} "$folder/$name" \;)
        find "$work/$name" -name '*.tar.xz' -exec tar -xJf {} -C "$folder/$name" \
            --wildcards '*.po' \;
    done
else
    echo "apt-get not found: the C projects' catalogs are left out" >&2
fi
echo "$(find "$folder" -name '*.po' | wc -l) catalogs in $folder"
