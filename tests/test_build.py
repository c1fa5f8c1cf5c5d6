"""The portfolio build: outputs and manifest, incremental skips, failures, workers, atomicity."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import signal
import time
from pathlib import Path
from typing import Any

import pytest

from smpc_manager.builder import (
    MANIFEST_FILE,
    BuildOptions,
    BuildResult,
    Manifest,
    build,
    prepare,
    run_plan,
    valid_window,
)
from smpc_manager.builder import runner as runner_module
from smpc_manager.builder.plan import Task
from smpc_manager.errors import UsageError
from smpc_manager.portfolio import load_portfolio
from smpc_manager.products.loader import load_product
from smpc_manager.render import EXTENSIONS
from smpc_manager.render.renderer import Renderer
from smpc_manager.rules.dates import expiry_errors
from tests.conftest import EXAMPLE, REPO

AS_OF = dt.date(2026, 11, 25)
IDS = ("alpha", "bravo", "charlie")
MARKETS = ("AT", "DE", "IE")


def make_portfolio(root: Path, ids: tuple[str, ...] = IDS) -> Path:
    """A portfolio of copies of the example's BESPONSA, each with its own id and catalogs,
    for the markets BESPONSA has data for (AT, DE, IE)."""
    root.mkdir(parents=True)
    settings = (EXAMPLE / "smpc.toml").read_text(encoding="utf-8")
    (root / "smpc.toml").write_text(settings.replace('markets = ["AT", "DE", "IE", "GB"]',
                                                     'markets = ["AT", "DE", "IE"]'),
                                    encoding="utf-8")
    source = EXAMPLE / "products" / "besponsa.xml"
    catalogs = sorted((EXAMPLE / "locales").glob("*/LC_MESSAGES/besponsa.po"))
    for product_id in ids:
        add_product(root, product_id, source, catalogs)
    return root


def add_product(root: Path, product_id: str, source: Path, catalogs: list[Path]) -> None:
    products = root / "products"
    products.mkdir(exist_ok=True)
    xml = source.read_text(encoding="utf-8").replace('id="besponsa"', f'id="{product_id}"')
    (products / f"{product_id}.xml").write_text(xml, encoding="utf-8")
    for catalog in catalogs:
        target = root / catalog.relative_to(EXAMPLE).parent / f"{product_id}.po"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(catalog, target)


@pytest.fixture
def small(tmp_path: Path) -> Path:
    return make_portfolio(tmp_path / "portfolio")


def options(out: Path, **changes: object) -> BuildOptions:
    values: dict[str, object] = {"out_dir": out, "as_of": AS_OF, "jobs": 1}
    values.update(changes)
    return BuildOptions(**values)  # type: ignore[arg-type]


def run(root: Path, out: Path, **changes: object) -> BuildResult:
    return build(load_portfolio(root), options(out, **changes))


def files_under(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` by its relative path, with its bytes."""
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def without_stamps(manifest: bytes) -> bytes:
    """A manifest's bytes with the lines that change with every file written taken out: its
    outputs' stamps, and its inputs' (times and inodes differ from copy to copy)."""
    data = json.loads(manifest)
    for record in data["outputs"].values():
        record.pop("stamp", None)
    data["files"] = sorted(data["files"])
    return json.dumps(data, sort_keys=True).encode()


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def expected_keys(ids: tuple[str, ...] = IDS, markets: tuple[str, ...] = MARKETS,
                  formats: tuple[str, ...] = ("text",)) -> set[str]:
    locales = {"AT": "de_AT", "DE": "de_DE", "IE": "en_IE", "GB": "en_GB"}
    return {f"{m}/{locales[m]}/{i}.{EXTENSIONS[f]}" for i in ids for m in markets
            for f in formats}


# ------------------------------------------------------------------------ outputs


def test_outputs_and_manifest(small: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run(small, out, formats=("text", "html", "json"))

    assert result.problems == ()
    assert (result.built, result.unchanged, result.failed) == (27, 0, 0)
    files = files_under(out)
    keys = expected_keys(formats=("text", "html", "json"))
    assert set(files) == keys | {MANIFEST_FILE}
    manifest = json.loads(files[MANIFEST_FILE])
    assert set(manifest["outputs"]) == keys
    # Each output is what the renderer makes of the product, and the manifest says so.
    settings = load_portfolio(small)
    renderer = Renderer(settings)
    for key, record in manifest["outputs"].items():
        product = load_product(small / "products" / f"{record['product']}.xml")
        rendering = renderer.render(product, record["market"], fmt=record["format"],
                                    as_of=AS_OF)
        assert files[key] == rendering.content.encode("utf-8"), key
        assert record["sha256"] == sha(files[key])
        assert record["size"] == len(files[key])
        assert record["inputs"] == rendering.inputs
        assert record["locale"] == rendering.locale
    assert set(manifest["products"]) == set(IDS)
    assert manifest["products"]["alpha"]["markets"] == list(MARKETS)
    assert manifest["products"]["alpha"]["source"] == "products/alpha.xml"


def test_manifest_is_stable_and_sorted(small: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run(small, out)
    first = (out / MANIFEST_FILE).read_bytes()
    text = first.decode()

    def keys_in_order(pairs: list[tuple[str, object]]) -> dict[str, object]:
        keys = [k for k, _ in pairs]
        assert keys == sorted(keys)
        return dict(pairs)

    data = json.loads(text, object_pairs_hook=keys_in_order)
    assert data["manifest-version"] == 2
    assert str(AS_OF) not in text  # nothing of the day or the clock
    # One record per line, so that a rebuild's diff names the outputs that changed.
    records = len(data["files"]) + len(data["outputs"]) + len(data["products"])
    assert len(text.splitlines()) == records + 10
    run(small, out)
    assert (out / MANIFEST_FILE).read_bytes() == first
    # A build that changes something rewrites it with the same layout; only the stamp of
    # the file written again differs.
    (out / "IE/en_IE/alpha.txt").unlink()
    run(small, out)
    assert without_stamps((out / MANIFEST_FILE).read_bytes()) == without_stamps(first)


def test_market_and_format_narrow_the_build(small: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run(small, out, markets=("IE",), formats=("html", "json"))
    assert result.built == 6
    assert set(files_under(out)) == expected_keys(markets=("IE",), formats=("html", "json")) \
        | {MANIFEST_FILE}
    # Building the other markets afterwards keeps the first ones.
    result = run(small, out, markets=("AT",), formats=("html", "json"))
    assert (result.built, result.unchanged) == (6, 0)
    manifest = Manifest.read(out / MANIFEST_FILE)
    assert set(manifest.outputs) == expected_keys(markets=("AT", "IE"), formats=("html", "json"))


# ------------------------------------------------------------------------ incremental


def test_unchanged_rebuild_plans_no_work(small: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run(small, out)
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*.txt")}
    settings = load_portfolio(small)
    plan = prepare(settings, options(out))
    # No task: no product is parsed, nothing is rendered.
    assert plan.tasks == []
    assert set(plan.unchanged) == expected_keys()
    result = run_plan(plan)
    assert (result.built, result.unchanged, result.failed) == (0, 9, 0)
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*.txt")} == before


def test_changed_catalog_rebuilds_only_what_uses_it(small: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run(small, out)
    manifest_before = Manifest.read(out / MANIFEST_FILE)
    catalog = small / "locales" / "de" / "LC_MESSAGES" / "bravo.po"
    catalog.write_bytes(catalog.read_bytes() + b"\n# a translator's note\n")

    settings = load_portfolio(small)
    plan = prepare(settings, options(out))
    assert plan.tasks == [Task(str(small / "products" / "bravo.xml"), "bravo",
                               (("AT", "text"), ("DE", "text")), 2)]
    result = run_plan(plan)
    assert (result.built, result.unchanged) == (2, 7)
    after = Manifest.read(out / MANIFEST_FILE)
    for key in ("AT/de_AT/bravo.txt", "DE/de_DE/bravo.txt"):
        assert after.outputs[key].inputs["locales/de/LC_MESSAGES/bravo.po"] == sha(
            catalog.read_bytes())
        assert after.outputs[key].inputs != manifest_before.outputs[key].inputs
    assert {k: v for k, v in after.outputs.items() if "bravo" not in k or k.startswith("IE")} \
        == {k: v for k, v in manifest_before.outputs.items()
            if "bravo" not in k or k.startswith("IE")}


def test_a_new_catalog_the_renderer_would_use_is_noticed(small: Path, tmp_path: Path) -> None:
    """A more specific catalog (de_AT before de), or the portfolio's own smpc.po, appearing
    changes an output's inputs although no file it used before changed."""
    out = tmp_path / "out"
    run(small, out)
    austrian = small / "locales" / "de_AT" / "LC_MESSAGES" / "alpha.po"
    austrian.parent.mkdir(parents=True)
    shutil.copy2(small / "locales" / "de" / "LC_MESSAGES" / "alpha.po", austrian)
    result = run(small, out)
    assert (result.built, result.unchanged) == (1, 8)
    record = Manifest.read(out / MANIFEST_FILE).outputs["AT/de_AT/alpha.txt"]
    assert "locales/de_AT/LC_MESSAGES/alpha.po" in record.inputs

    shipped = REPO / "locales" / "de" / "LC_MESSAGES" / "smpc.po"
    shutil.copy2(shipped, small / "locales" / "de" / "LC_MESSAGES" / "smpc.po")
    result = run(small, out)
    assert (result.built, result.unchanged) == (6, 3)
    # What the build predicted from file names is what the renderer reports using.
    settings = load_portfolio(small)
    renderer = Renderer(settings)
    for key, record in Manifest.read(out / MANIFEST_FILE).outputs.items():
        product = load_product(small / "products" / f"{record.product}.xml")
        assert record.inputs == renderer.render(product, record.market, as_of=AS_OF).inputs, key
    assert run(small, out).built == 0


def test_a_portfolio_template_appearing_is_noticed(small: Path, tmp_path: Path) -> None:
    """The portfolio's own template of a format replaces the tool's for every output in it;
    the plan names it as the renderer does, so the outputs are laid out again once."""
    out = tmp_path / "out"
    run(small, out, formats=("text", "json"))
    own = small / "templates" / "text.txt.j2"
    own.parent.mkdir()
    own.write_text("{{ title }}\n\n{{ product_id }} ({{ market }})\n", encoding="utf-8")
    result = run(small, out, formats=("text", "json"))
    assert (result.built, result.unchanged) == (9, 9)
    assert (out / "AT" / "de_AT" / "alpha.txt").read_text(encoding="utf-8") == \
        "Fachkurzinformation\n\nalpha (AT)\n"
    record = Manifest.read(out / MANIFEST_FILE).outputs["AT/de_AT/alpha.txt"]
    assert record.inputs["templates/text.txt.j2"] == sha(own.read_bytes())
    assert "smpc_manager/templates/text.txt.j2" not in record.inputs
    assert run(small, out, formats=("text", "json")).built == 0


def test_catalogs_found_by_listing_agree_with_the_renderer(small: Path, tmp_path: Path
                                                           ) -> None:
    """The plan finds catalogs from one listing of each folder: a symlinked catalog (named
    by where it leads) and a folder where a catalog would be are seen as the renderer sees
    them, and an edit of a symlink's target is noticed."""
    elsewhere = tmp_path / "shared" / "bravo.po"
    elsewhere.parent.mkdir()
    settings = small / "smpc.toml"  # links may lead to shared/, outside the portfolio
    settings.write_text(settings.read_text() + '\n[inputs]\nallow = ["../shared"]\n')
    german = small / "locales" / "de" / "LC_MESSAGES"
    (german / "bravo.po").rename(elsewhere)
    (german / "bravo.po").symlink_to(elsewhere)
    (german / "charlie.po").rename(german / "charlie-real.po")
    (german / "charlie.po").symlink_to("charlie-real.po")
    austrian = small / "locales" / "de_AT" / "LC_MESSAGES"
    (austrian / "alpha.po").mkdir(parents=True)  # not a file: de is used
    linked = small / "products" / "alpha.xml"
    linked.rename(tmp_path / "shared" / "alpha.xml")
    linked.symlink_to(tmp_path / "shared" / "alpha.xml")
    out = tmp_path / "out"
    assert run(small, out).built == 9
    settings = load_portfolio(small)
    renderer = Renderer(settings)
    for key, record in Manifest.read(out / MANIFEST_FILE).outputs.items():
        product = load_product(small / "products" / f"{record.product}.xml")
        assert record.inputs == renderer.render(product, record.market, as_of=AS_OF).inputs, key
    inputs = Manifest.read(out / MANIFEST_FILE).outputs["AT/de_AT/alpha.txt"].inputs
    assert str(linked) in inputs  # leads out of the portfolio: named as it is
    inputs = Manifest.read(out / MANIFEST_FILE).outputs["AT/de_AT/charlie.txt"].inputs
    assert "locales/de/LC_MESSAGES/charlie-real.po" in inputs
    assert run(small, out).built == 0

    elsewhere.write_bytes(elsewhere.read_bytes() + b"\n# a translator's note\n")
    result = run(small, out)
    assert (result.built, result.unchanged) == (2, 7)


def test_changed_product_is_parsed_again(small: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run(small, out)
    path = small / "products" / "alpha.xml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "the infusion is given over 1 hour", "the infusion is given over one hour"),
        encoding="utf-8")
    settings = load_portfolio(small)
    plan = prepare(settings, options(out, markets=("IE",)))
    assert [(t.product, t.wanted) for t in plan.tasks] == [("alpha", None)]
    result = run_plan(plan)
    assert (result.built, result.unchanged) == (1, 2)
    assert "given over one hour" in (out / "IE/en_IE/alpha.txt").read_text(encoding="utf-8")


def test_altered_or_deleted_output_is_made_again(small: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run(small, out)
    good = (out / "IE/en_IE/alpha.txt").read_bytes()
    (out / "IE/en_IE/alpha.txt").write_bytes(b"edited by hand\n")
    (out / "AT/de_AT/charlie.txt").unlink()
    result = run(small, out)
    assert (result.built, result.unchanged) == (2, 7)
    assert (out / "IE/en_IE/alpha.txt").read_bytes() == good
    assert (out / "AT/de_AT/charlie.txt").is_file()


def test_removed_product_leaves_the_manifest_and_the_folder(small: Path, tmp_path: Path
                                                            ) -> None:
    out = tmp_path / "out"
    run(small, out, formats=("text", "json"))
    (small / "products" / "charlie.xml").unlink()
    result = run(small, out, formats=("text", "json"))
    assert (result.built, result.unchanged, result.removed) == (0, 12, 6)
    assert set(files_under(out)) == expected_keys(("alpha", "bravo"), formats=("text", "json")) \
        | {MANIFEST_FILE}
    assert "charlie" not in Manifest.read(out / MANIFEST_FILE).products


def test_market_a_product_no_longer_serves_is_removed(small: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run(small, out)
    path = small / "products" / "bravo.xml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        '  <prescription-status market="DE">Rx</prescription-status>\n', ""), encoding="utf-8")
    result = run(small, out)
    assert result.ok
    assert (result.built, result.unchanged) == (2, 6)
    assert not (out / "DE/de_DE/bravo.txt").exists()
    manifest = Manifest.read(out / MANIFEST_FILE)
    assert set(manifest.outputs) == expected_keys() - {"DE/de_DE/bravo.txt"}
    assert manifest.products["bravo"].markets == ("AT", "IE")


def test_unreadable_manifest_means_a_full_build(small: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run(small, out)
    (out / MANIFEST_FILE).write_text("{ not json", encoding="utf-8")
    result = run(small, out)
    assert (result.built, result.unchanged) == (9, 0)
    assert json.loads((out / MANIFEST_FILE).read_bytes())["outputs"]


# ------------------------------------------------------------------------ failures


def test_failing_products_are_all_reported_and_the_rest_is_built(small: Path, tmp_path: Path
                                                                ) -> None:
    out = tmp_path / "out"
    run(small, out)
    broken = small / "products" / "bravo.xml"
    broken.write_text(broken.read_text(encoding="utf-8").replace(
        "<atc-code>L01XC26</atc-code>", "<atc-code>L1XC</atc-code>"), encoding="utf-8")
    (small / "locales" / "de" / "LC_MESSAGES" / "charlie.po").unlink()

    result = run(small, out)

    assert not result.ok
    lines = [str(p) for p in result.problems]
    atc_line = next(n for n, text in enumerate(broken.read_text().splitlines(), 1)
                    if "<atc-code>" in text)
    assert any(line.startswith(f"{broken}:{atc_line}:") and "L1XC" in line for line in lines)
    assert any("charlie" in line and "de_AT" in line for line in lines)
    assert any("charlie" in line and "de_DE" in line for line in lines)
    # bravo fails whole (1), charlie for its two German markets (2).
    assert result.failed == 3
    # What failed is gone, not left stale; the rest is there and unchanged.
    on_disk = set(files_under(out))
    assert on_disk == expected_keys(("alpha",)) | {"IE/en_IE/charlie.txt", MANIFEST_FILE}
    manifest = Manifest.read(out / MANIFEST_FILE)
    assert set(manifest.outputs) == on_disk - {MANIFEST_FILE}
    assert set(manifest.products) == {"alpha", "charlie"}


def test_expired_product_is_refused_with_the_check_findings(small: Path, tmp_path: Path
                                                           ) -> None:
    out = tmp_path / "out"
    assert run(small, out).ok
    product = load_product(small / "products" / "alpha.xml")
    day_after = product.review_by.value + dt.timedelta(days=1)

    # Nothing changed but the day: the recorded window tells the build to look again.
    settings = load_portfolio(small)
    plan = prepare(settings, options(out, as_of=day_after))
    assert len(plan.tasks) == 3
    result = run_plan(plan)

    findings = expiry_errors(product, settings, day_after, "AT")
    assert findings
    assert result.failed == 9
    assert {str(f) for f in findings} <= {str(p) for p in result.problems}
    assert set(files_under(out)) == {MANIFEST_FILE}
    assert Manifest.read(out / MANIFEST_FILE).outputs == {}


def test_valid_window_is_the_stretch_the_check_passes_day_by_day(small: Path) -> None:
    """The recorded window equals a day-by-day walk of the check, in every market."""
    path = small / "products" / "alpha.xml"
    xml = path.read_text(encoding="utf-8")
    xml = xml.replace("<review-by>2027-12-31</review-by>", "<review-by>2022-07-15</review-by>")
    xml = xml.replace("  <prescription-status", """  <marketing-authorisation markets="GB">
    <number>PLGB 00057/1488</number>
    <first-authorisation>2021-01-01</first-authorisation>
    <valid-until>2022-05-31</valid-until>
  </marketing-authorisation>
  <prescription-status""", 1)
    path.write_text(xml, encoding="utf-8")
    settings = load_portfolio(small)
    product = load_product(path)
    as_of = dt.date(2022, 3, 10)
    one = dt.timedelta(days=1)

    def passes(day: dt.date, markets: tuple[str, ...]) -> bool:
        return not any(expiry_errors(product, settings, day, m) for m in markets)

    for markets in (("AT", "IE"), ("AT", "GB", "IE"), ("GB",)):
        assert passes(as_of, markets)
        until = as_of
        while passes(until + one, markets):
            until += one
        since = as_of
        while passes(since - one, markets):
            since -= one
        assert valid_window(product, as_of, markets) == (since, until), markets
    assert valid_window(product, as_of, ("AT", "IE"))[1] == dt.date(2022, 7, 15)
    assert valid_window(product, as_of, ("AT", "GB"))[1] == dt.date(2022, 5, 31)


# ------------------------------------------------------------------------ workers, atomicity


def test_one_and_two_workers_give_the_same_bytes(small: Path, tmp_path: Path) -> None:
    one, two = tmp_path / "one", tmp_path / "two"
    first = run(small, one, jobs=1, formats=("text", "json"))
    second = run(small, two, jobs=2, formats=("text", "json"))
    assert (first.built, second.built) == (18, 18)
    outputs = [files_under(one), files_under(two)]
    manifests = [without_stamps(files.pop(MANIFEST_FILE)) for files in outputs]
    assert outputs[0] == outputs[1]
    assert manifests[0] == manifests[1]


@pytest.mark.skipif(not hasattr(os, "fork"), reason="forked workers only")
def test_a_product_that_kills_its_worker_fails_alone(small: Path, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    # A crash in a C library, or the kernel out of memory, ends the worker building bravo;
    # the workers are forked from this process and inherit the wrapped function.
    real = runner_module.build_product

    def crashing(renderer: Renderer, portfolio: Any, options: BuildOptions, task: Any,
                 config: str, **more: Any) -> Any:
        if task.product == "bravo":
            os.kill(os.getpid(), signal.SIGKILL)
        return real(renderer, portfolio, options, task, config, **more)

    monkeypatch.setattr(runner_module, "build_product", crashing)
    out = tmp_path / "out"
    result = run(small, out, jobs=2)
    assert not result.ok
    assert result.failed == 1
    [problem] = result.problems
    assert str(problem) == (f"{small / 'products' / 'bravo.xml'}: the process building bravo"
                            " ended unexpectedly (its process was killed or crashed); its"
                            " outputs were not written")
    assert set(files_under(out)) == expected_keys(("alpha", "charlie")) | {MANIFEST_FILE}
    assert set(Manifest.read(out / MANIFEST_FILE).products) == {"alpha", "charlie"}


def test_the_manifest_is_put_in_place_only_after_the_outputs_are_synced(
        small: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The manifest must not vouch for the outputs until the flush has returned, however
    # long that takes.
    out = tmp_path / "out"
    real_sync = os.sync
    seen: list[bool] = []

    def slow_sync() -> None:
        real_sync()
        time.sleep(0.3)  # a slow disk: the manifest's lines are long since made
        seen.append((out / MANIFEST_FILE).exists())

    monkeypatch.setattr(os, "sync", slow_sync)
    assert run(small, out).ok
    assert seen == [False]
    assert set(Manifest.read(out / MANIFEST_FILE).products) == {"alpha", "bravo", "charlie"}


def test_no_temporary_file_is_left_behind(small: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run(small, out, jobs=2)
    (small / "locales" / "de" / "LC_MESSAGES" / "alpha.po").unlink()
    run(small, out, jobs=2)
    leftovers = [p for p in out.rglob("*") if p.name.startswith(".") or p.suffix == ".tmp"]
    assert leftovers == []


def test_temporary_files_a_killed_build_left_are_removed(small: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run(small, out, jobs=2)
    stale = out / ".smpc-tmp" / "4242" / ".alpha.txt.4242-7.tmp"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"half a")
    result = run(small, out, jobs=1)  # nothing to render: the folder goes all the same
    assert result.built == 0
    assert not (out / ".smpc-tmp").exists()


@pytest.mark.parametrize("kind", ["file", "symlink"])
def test_a_temporary_folder_name_taken_by_something_else(small: Path, tmp_path: Path,
                                                         kind: str) -> None:
    out = tmp_path / "out"
    out.mkdir()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    if kind == "file":
        (out / ".smpc-tmp").write_text("someone's notes\n")
    else:
        (out / ".smpc-tmp").symlink_to(elsewhere)
    result = run(small, out, jobs=2)
    assert result.ok
    assert result.built == len(expected_keys())
    assert list(elsewhere.iterdir()) == []  # nothing written through the link
    if kind == "file":
        assert (out / ".smpc-tmp").read_text() == "someone's notes\n"


class Bar:
    """What a progress bar shows: outputs counted, of how many."""

    def __init__(self, length: int) -> None:
        self.length, self.pos = length, 0

    def update(self, count: int) -> None:
        self.pos += count
        assert self.pos <= self.length  # never ahead of the outputs the build accounts for

    def resize(self, length: int) -> None:
        self.length = length


def test_progress_counts_the_outputs_each_product_is_built_for(tmp_path: Path) -> None:
    """The portfolio builds GB too, for which BESPONSA's copies have no data: a product is
    counted for the markets it is built for, whether its markets are guessed (a new
    product: every market of the portfolio) or known from the last build (a changed one)."""
    root = make_portfolio(tmp_path / "portfolio", ("alpha", "bravo"))
    config = root / "smpc.toml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        'markets = ["AT", "DE", "IE"]', 'markets = ["AT", "DE", "IE", "GB"]'), encoding="utf-8")
    out = tmp_path / "out"
    for round_ in ("new", "changed"):
        plan = prepare(load_portfolio(root), options(out))
        bar = Bar(plan.total)
        result = run_plan(plan, bar.update, bar.resize)
        assert result.ok
        assert (bar.pos, bar.length) == (result.built + result.unchanged,) * 2, round_
        xml = root / "products" / "alpha.xml"
        xml.write_text(xml.read_text(encoding="utf-8").replace("<review-by>2027",
                                                               "<review-by>2028"))
    assert (result.built, result.unchanged) == (3, 3)
    assert plan.total == 6  # the changed product is planned for the markets it served


def test_interrupted_build_leaves_a_consistent_manifest(small: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    plan = prepare(load_portfolio(small), options(out))
    seen: list[int] = []

    def progress(count: int) -> None:
        seen.append(count)
        if len(seen) == 2:  # the unchanged ones (none), then the first product
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_plan(plan, progress)
    manifest = Manifest.read(out / MANIFEST_FILE)
    assert len(manifest.outputs) == 3
    for key, record in manifest.outputs.items():
        assert sha((out / key).read_bytes()) == record.sha256
    # The next build finishes the job and keeps what was done.
    result = run(small, out)
    assert (result.built, result.unchanged) == (6, 3)


def test_a_market_no_product_serves_says_what_each_lacks(small: Path, tmp_path: Path
                                                        ) -> None:
    """GB has a profile, but no product has the GB data it requires: an error, not a build
    that silently does nothing, and the same answer whatever the last build left."""
    out = tmp_path / "out"
    assert run(small, out).ok  # the other markets, built and recorded
    for _ in range(2):
        result = run(small, out, markets=("GB",))
        assert not result.ok
        assert (result.built, result.unchanged, result.failed) == (0, 0, 0)
        lines = [str(p) for p in result.problems]
        assert lines[0] == (f"{small / 'smpc.toml'}: --market GB: no product is built for"
                            " this market; what each product lacks for it follows")
        for product_id in IDS:
            assert any(line.startswith(f"{small / 'products' / product_id}.xml:") and
                       "the GB profile requires a marketing-authorisation covering GB" in line
                       for line in lines), product_id
    # A market some product serves is no error, though others do not serve it.
    assert run(small, out, markets=("AT",)).ok


def test_counts_do_not_depend_on_what_was_built_before(small: Path, tmp_path: Path) -> None:
    fresh = run(small, tmp_path / "fresh", markets=("IE",))
    warm = tmp_path / "warm"
    run(small, warm)
    again = run(small, warm, markets=("IE",))
    assert (fresh.built + fresh.unchanged, again.built + again.unchanged) == (3, 3)
    assert (again.built, again.unchanged, again.failed, again.removed) == (0, 3, 0, 0)


def test_unknown_market_is_a_usage_error(small: Path, tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="XX"):
        run(small, tmp_path / "out", markets=("XX",))


def test_the_manifest_reads_back_the_same(small: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run(small, out, jobs=2, formats=("text", "json")).ok
    written = (out / MANIFEST_FILE).read_bytes()
    manifest = Manifest.read(out / MANIFEST_FILE)
    assert manifest.to_bytes() == written
    # Read a line at a time in its own layout, and whole in any other: the same records.
    other = tmp_path / "reformatted.json"
    other.write_text(json.dumps(json.loads(written), indent=4), encoding="utf-8")
    assert Manifest.read(other) == manifest
    assert Manifest.read(other).to_bytes() == written
