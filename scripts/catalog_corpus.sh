#!/usr/bin/env bash
# Gather a corpus of real translators' catalogs, for tests/test_po_corpus.py: the .po files
# that some Python projects ship inside their wheels (Django, Sphinx, Wagtail, Weblate:
# some 2,500 catalogs in over a hundred languages, with plural forms, flags, obsolete
# entries and previous msgids). The catalogs are other projects' work: they stay outside
# the repository.
#
# Usage: scripts/catalog_corpus.sh FOLDER
#        SMPC_CATALOG_CORPUS=FOLDER pytest tests/test_po_corpus.py
# The wheels are pinned, so that a run compares the same catalogs each time.
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: $0 FOLDER" >&2; exit 2; }
folder=$1
python=${PYTHON:-python3}
wheels=(django==5.2.20 sphinx==9.0.4 wagtail==8.0.1 weblate==5.14.3)

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
echo "$(find "$folder" -name '*.po' | wc -l) catalogs in $folder"
