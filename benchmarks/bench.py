"""Speed figures for leaflets.

    python benchmarks/bench.py [--quick]

1. One A4 leaflet rendered in a warm process (layout + PDF), per language and
   edition, with text that changes every iteration so no cache hides the work:
   median wall time.
2. `leaflets build` as a whole cold process (warm font cache): one language,
   the first three languages, and every language; median wall time and peak
   memory (RSS).
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def machine() -> str:
    cpu = "unknown cpu"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores, {cpu}, Python {platform.python_version()}"


def warm(langs, iterations: int) -> dict:
    from leaflets.build import Workspace
    from leaflets.layout.page import Composer
    from leaflets.model.schema import Text
    from leaflets.render import ONLINE, PRINT

    cache = Path(tempfile.mkdtemp())
    ws = Workspace(ROOT, cache)
    results = {}
    for lang in langs:
        language = ws.project.languages[lang]
        for name, options in (("print", PRINT), ("online", ONLINE)):
            times = []
            for i in range(iterations + 3):
                # change the text every time: a different sentence length, so a
                # different layout and different glyphs to embed
                strings = dict(language.strings)
                key = "statement"
                base = ws.project.string(lang, key)[0]
                cut = max(10, len(base) - (i % 17))
                strings[key] = Text(key, base[:cut], None, None, None)
                project = dataclasses.replace(
                    ws.project, languages={**ws.project.languages,
                                           lang: dataclasses.replace(language, strings=strings)})
                composer = Composer(project, ws.fonts)
                t0 = time.perf_counter()
                page, _ = composer.compose("a4-leaflet", lang)
                ws.renderer.render(page, options)
                t1 = time.perf_counter()
                if i >= 3:
                    times.append((t1 - t0) * 1000)
            results[(lang, name)] = statistics.median(times)
    return results


def warm_preview(lang: str, iterations: int) -> float:
    from leaflets.build import Workspace
    from leaflets.proof import preview

    ws = Workspace(ROOT, Path(tempfile.mkdtemp()))
    out = Path(tempfile.mkdtemp())
    times = []
    for i in range(iterations + 2):
        t0 = time.perf_counter()
        preview(ws, lang, ["a4-leaflet"], out)
        if i >= 2:
            times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def cold(args: list[str], runs: int, command: str = "build", cache: str | None = None) -> tuple[float, float]:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    times, peaks = [], []
    for _ in range(runs):
        out = tempfile.mkdtemp()
        if cache == "empty":
            env["LEAFLETS_CACHE_DIR"] = tempfile.mkdtemp()
        extra = ["-q"] if command == "build" else []
        t0 = time.perf_counter()
        r = subprocess.run([sys.executable, "-m", "leaflets", command, *extra, "--out", out, *args],
                           cwd=ROOT, env=env, capture_output=True, text=True)
        times.append(time.perf_counter() - t0)
        if r.returncode:
            raise SystemExit(r.stderr + r.stdout)
        peaks.append(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)
    return statistics.median(times), max(peaks)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    a = ap.parse_args()
    print("machine:", machine())
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "leaflets")], check=True)
    iterations = 5 if a.quick else 25
    print("\nwarm process, one A4 leaflet (layout + PDF), median ms:")
    for (lang, edition), ms in warm(["en", "ja", "th"], iterations).items():
        print(f"  {lang:3} {edition:7} {ms:7.1f} ms")
    runs = 2 if a.quick else 5
    cold(["--lang", "en", "--edition", "print,online"], 1)   # warms the font cache
    print("\ncold process `leaflets build` (warm font cache), median s, peak RSS:")
    for label, args in (("en, print+online", ["--lang", "en", "--edition", "print,online"]),
                        ("ja, print+online", ["--lang", "ja", "--edition", "print,online"]),
                        ("th, print+online", ["--lang", "th", "--edition", "print,online"]),
                        ("en+ja+th, print+online", ["--lang", "en,ja,th", "--edition", "print,online"]),
                        ("en+ja+th, all editions", ["--lang", "en,ja,th"]),
                        ("every language, print+online", ["--edition", "print,online"]),
                        ("every language, all editions", [])):
        s, mb = cold(args, runs)
        print(f"  {label:32} {s:6.2f} s  {mb:6.0f} MB")
    s, mb = cold(["--edition", "print,online"], max(1, runs // 2), cache="empty")
    print(f"  {'every language, empty font cache':32} {s:6.2f} s  {mb:6.0f} MB")
    print("\ntranslator preview (PDF + PNG + proof PNG, one design):")
    print(f"  th, warm process                 {warm_preview('th', iterations):6.0f} ms")
    s, _mb = cold(["th"], runs, command="preview")
    print(f"  th, cold process                 {s:6.2f} s")


if __name__ == "__main__":
    main()
