"""QR codes searched in zones: what a batch searches after the first file of a design, language and edition,
and what it keeps of a zone it has searched before."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from leaflets import preflight as pf
from leaflets.errors import ContentError

SAMPLE = Path("content/batches/sample")


@pytest.fixture(scope="module")
def ws(root, font_cache):
    from leaflets.build import Workspace
    return Workspace(root, font_cache)


def _spec(folder: Path, name: str, org: str, logo: str = "logo.png") -> Path:
    text = (folder / "sample.yaml").read_text("utf-8")
    text = text.replace("id: sample\n", f"id: {name}\n").replace("Sample Support Centre", org)
    text = text.replace("logo: logo.png", f"logo: {logo}").replace("languages: [en, th]", "languages: [en]")
    text = text.replace("formats: [a4-leaflet, a5-flyer]", "formats: [a4-leaflet]")
    text = text.replace("  formats: {a5-flyer: 50}\n", "")
    path = folder / f"{name}.yaml"
    path.write_text(text, "utf-8")
    return path


@pytest.fixture(scope="module")
def specs(root, tmp_path_factory):
    folder = tmp_path_factory.mktemp("zones")
    for p in (root / SAMPLE).iterdir():
        shutil.copy(p, folder / p.name)
    import qrcode
    from PIL import Image
    code = qrcode.make("https://elsewhere.example/pay", box_size=12, border=4).get_image().convert("RGB")
    logo = Image.new("RGB", (code.width + 40, code.height), "white")
    logo.paste(code, (20, 0))
    logo.save(folder / "coded.png")
    return {"first": _spec(folder, "first", "First Support Office"),
            "second": _spec(folder, "second", "Second Support Office"),
            "coded": _spec(folder, "coded", "Coded Support Office", "coded.png")}


def _load(ws, path):
    from leaflets.batch.run import _Spec
    from leaflets.batch.spec import load_spec
    return _Spec(load_spec(path, ws.project), ws.project)


def test_a_code_in_a_logo_is_found_in_its_zone_after_the_first_file(ws, specs):
    from leaflets.batch.run import _qr_checks, render_leaflet
    render_leaflet(ws, _load(ws, specs["first"]), "a4-leaflet", "en")
    checks = _qr_checks(ws)
    assert {("a4-leaflet", "en", "print"), ("a4-leaflet", "en", "online")} <= checks.searched
    outs, _warnings = render_leaflet(ws, _load(ws, specs["second"]), "a4-leaflet", "en")
    assert {e for _rel, e, _data, _n in outs} == {"print", "online"}
    assert checks.memo, "the zones searched were not kept"
    for edition in ("print", "online"):
        with pytest.raises(ContentError) as caught:
            render_leaflet(ws, _load(ws, specs["coded"]), "a4-leaflet", "en", editions=[edition])
        text = " ".join(d.message for d in caught.value.diagnostics)
        assert "elsewhere.example" in text, text


def test_zones_give_what_the_whole_page_gives(ws, specs):
    from leaflets.batch.run import _zones, render_leaflet
    from leaflets.render import PRINT
    s = _load(ws, specs["second"])
    outs, _warnings = render_leaflet(ws, s, "a4-leaflet", "en", editions=["print"])
    data = outs[0][2]
    whole = pf.preflight(data, pf.BUILD_PROFILE, qr=pf.BUILD_QR)
    page, _diags = __import__("leaflets.batch.run", fromlist=["_layout"])._layout(ws, s, "a4-leaflet", "en")
    boxes = _zones(ws.project.designs["a4-leaflet"], page, PRINT)
    memo: dict = {}
    first = pf.preflight(data, pf.BUILD_PROFILE, qr=pf.BUILD_QR, qr_zones=pf.QrZones(boxes, memo))
    assert memo
    again = pf.preflight(data, pf.BUILD_PROFILE, qr=pf.BUILD_QR, qr_zones=pf.QrZones(boxes, memo))
    assert [q.text for q in whole.qr] == [q.text for q in first.qr] == [q.text for q in again.qr] == [s.target]
    for a, b in zip(whole.qr, first.qr):
        assert a.modules == b.modules
        assert abs(a.module_mm - b.module_mm) < 0.05
        assert abs(a.quiet_modules - b.quiet_modules) < 1.0
    assert [q.to_json() for q in first.qr] == [q.to_json() for q in again.qr]
    assert [f.to_json() for f in first.findings] == [f.to_json() for f in again.findings]
    # a zone that misses the code finds nothing: the zones are all that is searched
    empty = pf.preflight(data, pf.BUILD_PROFILE, qr=pf.BUILD_QR, expect_qr=[s.target],
                         qr_zones=pf.QrZones({1: [(0.0, 0.0, 20.0, 20.0)]}, {}))
    assert not empty.qr and any(f.rule == "qr" for f in empty.errors)


def test_zone_codes_reads_each_zone_once(ws, specs):
    from leaflets.batch.run import _layout, _zones
    from leaflets.render import ONLINE
    s = _load(ws, specs["coded"])
    page, _diags = _layout(ws, s, "a4-leaflet", "en")
    data = ws.renderer.render(page, ONLINE)
    boxes = _zones(ws.project.designs["a4-leaflet"], page, ONLINE)
    memo: dict = {}
    found = pf.zone_codes(data, boxes, 150, memo)
    assert sorted(found[1]) == sorted([s.target, "https://elsewhere.example/pay"])
    kept = dict(memo)
    assert pf.zone_codes(data, boxes, 150, memo) == found and memo == kept
