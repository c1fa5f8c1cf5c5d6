#!/usr/bin/env bash
# The smoke test of a release: build the wheel as `pip wheel .` builds it, install it in a
# fresh virtual environment, away from the checkout, and run the installed `smpc` there:
# render the example (compared with its golden file), validate the example, and show the
# --help of `smpc` and of every command it lists. The wheel must carry the LICENSE.
#
# Usage: scripts/smoke_wheel.sh   (PYTHON=python3.12 to pick the interpreter)
# Everything happens in a temporary folder that is removed at the end; the last line says
# whether the smoke test passed, and the exit status is 1 when it did not.
set -euo pipefail
cd "$(dirname "$0")/.."
checkout=$PWD
python=${PYTHON:-python3}

work=$(mktemp -d "${TMPDIR:-/tmp}/smpc-smoke.XXXXXX")
trap 'rm -rf "$work"' EXIT

fail() {
    echo "wheel smoke test: FAILED: $*" >&2
    exit 1
}

echo "== building the wheel in a fresh virtual environment"
"$python" -m venv "$work/venv" || fail "could not create a virtual environment with $python"
pip=("$work/venv/bin/python" -m pip --disable-pip-version-check)
"${pip[@]}" wheel --no-deps -q -w "$work/dist" "$checkout" || fail "pip wheel . did not build"
wheels=("$work"/dist/smpc_manager-*.whl)
[ -f "${wheels[0]}" ] || fail "pip wheel . left no smpc_manager wheel"
wheel=${wheels[0]}
echo "   $(basename "$wheel")"
"$work/venv/bin/python" -m zipfile -l "$wheel" | grep '\.dist-info/licenses/LICENSE ' >/dev/null ||
    fail "the wheel carries no LICENSE"

echo "== installing it"
"${pip[@]}" install -q "$wheel" || fail "the wheel did not install"
smpc=$work/venv/bin/smpc
[ -x "$smpc" ] || fail "the wheel installed no smpc command"

# Work on a copy of the example, from a folder outside the checkout, so that nothing the
# installed tool needs can come from the checkout.
cp -R "$checkout/examples/portfolio" "$work/portfolio"
cd "$work"

echo "== smpc render (the example for AT, against tests/golden/besponsa-AT.txt)"
"$smpc" render portfolio/products/besponsa.xml --market AT --as-of 2026-12-06 \
    >"$work/besponsa-AT.txt" || fail "smpc render exited with status $?"
diff -u "$checkout/tests/golden/besponsa-AT.txt" "$work/besponsa-AT.txt" ||
    fail "smpc render printed something else than tests/golden/besponsa-AT.txt"

echo "== smpc validate (the example portfolio)"
"$smpc" validate portfolio || fail "smpc validate exited with status $?"

echo "== smpc --help, and --help of every command it lists"
"$smpc" --help >"$work/help.txt" || fail "smpc --help exited with status $?"
# click lists the commands under "Commands:", one per line, indented by two spaces.
mapfile -t commands < <(awk '/^Commands:/ { listed = 1; next }
                             listed && /^  [a-z]/ { print $1 }' "$work/help.txt")
[ "${#commands[@]}" -gt 0 ] || fail "smpc --help lists no command"
for command in "${commands[@]}"; do
    "$smpc" "$command" --help >"$work/help-$command.txt" ||
        fail "smpc $command --help exited with status $?"
    grep -q "^Usage: smpc $command " "$work/help-$command.txt" ||
        fail "smpc $command --help printed no usage line"
done
echo "   ${commands[*]}"

echo "wheel smoke test: passed ($(basename "$wheel"): render, validate, --help of" \
     "${#commands[@]} commands)"
