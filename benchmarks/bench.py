"""Speed and memory figures for leaflets.

    python benchmarks/bench.py [--quick] [--json FILE]

1. Warm process (the library API, one handle kept open): one A4 leaflet per
   language (en, ja, th), median wall time per leaflet.  Every iteration sets
   every string of the language anew through ``with_strings`` (each text with
   a fresh counter appended), so no cache of text, shaping or layout hides the
   work; the time to set and check those strings is reported apart.  Four
   figures per language: the print edition as ``leaflets build`` makes it
   (layout and checks, painter, PDF/X, preflight), the print edition without
   PDF/X and preflight (layout and checks, painter), the online edition, and
   the layout with its checks alone.
2. ``leaflets build`` as a whole cold process (a new Python each run, warm
   font cache): median wall time, its CPU time (user + system), and the peak
   memory (maximum resident set) of that process itself, read with
   ``os.wait4`` for each run.  The warm figures give CPU time too: on a
   shared machine wall time also counts the time other programs had the CPU.
   For ja also the layout with its checks when every string gains a
   character not seen before each iteration (a translator's new kanji: the
   CJK face's subset is new every time).
3. The translator preview, warm and cold.
4. The print family's targets (``--family`` runs only these): a cold
   ``leaflets build --edition print,online`` of every print format (the
   designs in :data:`FAMILY`) in all 18 languages, preflight included (the
   build preflights every print file), warm font cache; and the preflight of
   one of our print files in a warm process (median ms; ``qr="off"`` is the
   analytic rules, ``fast`` adds the build's QR pass at 100 dpi), for the A4
   leaflet, the card and the B2 poster.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DESIGN = "a4-leaflet"
FAMILY = ("a4-leaflet", "a5-flyer", "hotline-card", "a3-poster", "b3-poster", "a2-poster", "b2-poster")
PREFLIGHT_DESIGNS = ("a4-leaflet", "hotline-card", "b2-poster")


def machine() -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = "unknown"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                break
    except OSError:
        pass
    try:
        load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        load = "unknown"
    commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True).stdout.strip() or os.environ.get("LEAFLETS_BENCH_COMMIT", "unknown")
    return {"system": f"{platform.system()} {platform.machine()}", "nproc": os.cpu_count(), "cpu": cpu,
            "memory": memory, "python": platform.python_version(), "date": datetime.date.today().isoformat(),
            "load average at start": load, "commit": commit}


def _median_ms(times: list[float]) -> float:
    return statistics.median(times) * 1000


def warm(langs: list[str], iterations: int, cache: Path) -> dict:
    """Median ms per leaflet for each language: print (as build makes it), print without PDF/X and
    preflight, online, the layout and its checks alone (examine); and the time with_strings takes to set
    and check every string."""
    import leaflets
    from leaflets.build import Job
    from leaflets.render import PRINT

    base = leaflets.open_project(ROOT, cache)
    results = {}
    counter = 0
    for lang in langs:
        texts = {k: v for k, v in base.strings(lang).items() if v}
        modes = ("print", "print without PDF/X and preflight", "online", "layout and checks")
        times: dict[str, list[float]] = {k: [] for k in (*modes, "with_strings")}
        cpu: dict[str, list[float]] = {k: [] for k in (*modes, "with_strings")}
        for i in range(iterations + 3):
            for mode in modes:
                counter += 1
                # every text of the page changes: " r<n>" (no digit run the facts guard refuses)
                c0, t0 = time.process_time(), time.perf_counter()
                handle = base.with_strings({lang: {k: f"{v} r{counter}" for k, v in texts.items()}})
                c1, t1 = time.process_time(), time.perf_counter()
                if mode in ("print without PDF/X and preflight", "layout and checks"):
                    ws = handle.workspace
                    page, _problems, diagnostics = ws.examine(Job(DESIGN, lang, ("print",)))
                    assert not [d for d in diagnostics if d.severity == "error"], diagnostics
                    if mode != "layout and checks":
                        ws.renderer.render(page, PRINT)
                else:
                    handle.render(DESIGN, lang, mode)
                c2, t2 = time.process_time(), time.perf_counter()
                if i >= 3:
                    times[mode].append(t2 - t1)
                    times["with_strings"].append(t1 - t0)
                    cpu[mode].append(c2 - c1)
                    cpu["with_strings"].append(c1 - c0)
        results[lang] = {k: _median_ms(v) for k, v in times.items()}
        results[lang]["cpu"] = {k: _median_ms(v) for k, v in cpu.items()}
        results[lang]["strings"] = len(texts)
    return results


def warm_new_characters(lang: str, iterations: int, cache: Path) -> dict:
    """Median ms (wall, and CPU) of the layout and its checks when each iteration appends to every string
    of ``lang`` a character of its script's first face that the language's text does not have yet."""
    import leaflets
    from leaflets.build import Job

    base = leaflets.open_project(ROOT, cache, languages=[lang])
    texts = {k: v for k, v in base.strings(lang).items() if v}
    ws = base.workspace
    face = ws.fonts.faces(ws.project.languages[lang].script, "regular")[0]
    seen = set("".join(texts.values()))
    fresh = (chr(c) for c in range(0x4E00, 0xA000, 7) if c in face.unicodes and chr(c) not in seen)
    walls, cpus = [], []
    for i in range(iterations + 2):
        ch = next(fresh)
        handle = base.with_strings({lang: {k: f"{v}{ch}" for k, v in texts.items()}})
        c0, t0 = time.process_time(), time.perf_counter()
        _page, _problems, diagnostics = handle.workspace.examine(Job(DESIGN, lang, ("print",)))
        c1, t1 = time.process_time(), time.perf_counter()
        assert not [d for d in diagnostics if d.severity == "error"], diagnostics
        if i >= 2:
            walls.append(t1 - t0)
            cpus.append(c1 - c0)
    return {"ms": _median_ms(walls), "cpu ms": _median_ms(cpus)}


def preflight_ms(iterations: int, cache: Path, lang: str = "en") -> dict:
    """Median ms (wall, and CPU) of preflighting one print file as build writes it, per design of
    :data:`PREFLIGHT_DESIGNS`: the analytic rules (qr off) and with the build's QR pass (fast)."""
    import leaflets
    from leaflets.preflight import preflight

    handle = leaflets.open_project(ROOT, cache)
    out = {}
    for design in PREFLIGHT_DESIGNS:
        data = handle.render(design, lang, "print").data
        row = {}
        for qr in ("off", "fast"):
            walls, cpus = [], []
            for i in range(iterations + 2):
                c0, t0 = time.process_time(), time.perf_counter()
                report = preflight(data, "shop", qr=qr)
                c1, t1 = time.process_time(), time.perf_counter()
                assert report.ok, report.format()
                if i >= 2:
                    walls.append(t1 - t0)
                    cpus.append(c1 - c0)
            row[f"qr {qr}"] = _median_ms(walls)
            row[f"qr {qr} cpu"] = _median_ms(cpus)
        out[design] = row
    return out


def family(runs: int, iterations: int, cache: Path) -> dict:
    """The print family's two speed figures: the cold build and one print file's preflight."""
    figures = {}
    label = f"every print format ({len(FAMILY)}), 18 languages, print + online, preflight included"
    r = cold(["--edition", "print,online", "--design", ",".join(FAMILY)], runs, cache)
    figures[label] = r
    print(f"  {label:72} {r['s']:6.2f} s [{r['min s']:.2f}-{r['max s']:.2f}]  CPU {r['cpu s']:5.2f} s  "
          f"{r['peak MB']:5.0f} MB")
    figures["preflight ms"] = preflight_ms(iterations, cache)
    for design, row in figures["preflight ms"].items():
        print(f"  preflight of {design}.en.print.pdf (shop): analytic {row['qr off']:6.1f} ms "
              f"(CPU {row['qr off cpu']:.1f}), with the 100 dpi QR pass {row['qr fast']:6.1f} ms "
              f"(CPU {row['qr fast cpu']:.1f})")
    return figures


def warm_preview(lang: str, iterations: int, cache: Path) -> float:
    import leaflets
    from leaflets.proof import preview

    handle = leaflets.open_project(ROOT, cache)
    out = Path(tempfile.mkdtemp())
    times = []
    for i in range(iterations + 2):
        t0 = time.perf_counter()
        preview(handle.workspace, lang, [DESIGN], out)
        if i >= 2:
            times.append(time.perf_counter() - t0)
    return _median_ms(times)


# A small process that runs the measured one and reports its rusage: Linux starts a process's peak
# resident memory (ru_maxrss) at that of the process it was forked from, so the benchmark, grown by its
# warm section, would otherwise lend every cold run its own size.
_REAP = """import os, sys, time
t0 = time.perf_counter()
pid = os.fork()
if pid == 0:
    os.execv(sys.argv[1], sys.argv[1:])
_pid, status, usage = os.wait4(pid, 0)
elapsed = time.perf_counter() - t0
with open(os.environ["LEAFLETS_BENCH_RUSAGE"], "w") as f:
    f.write("%r %r %r" % (elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss))
sys.exit(os.waitstatus_to_exitcode(status))
"""


def run_once(argv: list[str], env: dict) -> tuple[float, float, float]:
    """Wall time (s), CPU time (user + system, s) and peak resident memory (MB) of one process running
    ``argv``: its own rusage, read when it is reaped (not the largest of every child so far), by a small
    process between the benchmark and it (see :data:`_REAP`)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, \
            tempfile.NamedTemporaryFile(suffix=".rusage") as report:
        p = subprocess.run([sys.executable, "-c", _REAP, *argv], cwd=ROOT,
                           env={**env, "LEAFLETS_BENCH_RUSAGE": report.name}, stdout=out, stderr=err)
        if p.returncode:
            err.seek(0)
            out.seek(0)
            raise SystemExit(f"{' '.join(argv)} failed ({p.returncode}):\n"
                             f"{err.read().decode(errors='replace')}{out.read().decode(errors='replace')}")
        elapsed, cpu, maxrss = (float(x) for x in Path(report.name).read_text().split())
    return elapsed, cpu, maxrss / 1024       # Linux: kilobytes


def cold(args: list[str], runs: int, cache: Path, command: str = "build", empty_cache: bool = False) -> dict:
    """Median wall time and peak memory of ``leaflets <command> <args>`` in a new process each run."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    times, cpus, peaks = [], [], []
    for _ in range(runs):
        env["LEAFLETS_CACHE_DIR"] = tempfile.mkdtemp() if empty_cache else str(cache)
        extra = ["-q", "--out", tempfile.mkdtemp()] if command == "build" else ["--out", tempfile.mkdtemp()]
        s, c, mb = run_once([sys.executable, "-m", "leaflets", command, *extra, *args], env)
        times.append(s)
        cpus.append(c)
        peaks.append(mb)
    return {"s": statistics.median(times), "min s": min(times), "max s": max(times),
            "cpu s": statistics.median(cpus), "peak MB": statistics.median(peaks), "max peak MB": max(peaks),
            "runs": runs}


COLD = [
    ("en, print, one design (`--lang en --edition print --design a4-leaflet`)",
     ["--lang", "en", "--edition", "print", "--design", DESIGN]),
    ("en, print + online, one design", ["--lang", "en", "--edition", "print,online", "--design", DESIGN]),
    ("th, print + online, one design", ["--lang", "th", "--edition", "print,online", "--design", DESIGN]),
    ("en + ja + th, every edition, one design", ["--lang", "en,ja,th", "--design", DESIGN]),
    ("18 languages, print + online, one design", ["--edition", "print,online", "--design", DESIGN]),
    ("18 languages, every edition, one design", ["--design", DESIGN]),
    ("18 languages, every edition, every design (`leaflets build`)", []),
]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="fewer iterations and runs")
    ap.add_argument("--json", type=Path, default=None, help="also write the figures to this file")
    ap.add_argument("--family", action="store_true",
                    help="only the print family's figures: the cold build of every print format in 18 languages "
                         "(print + online) and the preflight of one print file")
    a = ap.parse_args()
    info = machine()
    print("machine:", ", ".join(f"{k} {v}" for k, v in info.items()))
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "leaflets")], check=True)
    iterations = 5 if a.quick else 25
    runs = 2 if a.quick else 5
    cache = Path(tempfile.mkdtemp())
    figures: dict = {"machine": info, "iterations": iterations, "runs": runs}

    # fills the font cache: every language's subsets for the one design in every edition (the first build
    # of a language set in a CJK face converts its subsets, seconds and a hundred megabytes more; a
    # "warm font cache" figure must not include that)
    cold(["--design", DESIGN], 1, cache)
    if a.family:
        cold(["--edition", "print", "--design", ",".join(FAMILY)], 1, cache)    # every format's subsets
        print("\nthe print family (cold build: median wall s [min-max], CPU s, peak RSS):")
        figures["family"] = family(runs, iterations, cache)
        try:
            figures["load average at end"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
        except OSError:
            pass
        print("\nload average at end:", figures.get("load average at end", "unknown"))
        if a.json:
            a.json.write_text(json.dumps(figures, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        return
    print(f"\nwarm process (API), one {DESIGN}, every string changed each iteration, median ms per leaflet:")
    figures["warm"] = warm(["en", "ja", "th"], iterations, cache)
    print("  (wall time; CPU time of the process in parentheses)")
    for lang, row in figures["warm"].items():
        c = row["cpu"]
        bare = "print without PDF/X and preflight"
        print(f"  {lang:3} print {row['print']:6.1f} ({c['print']:5.1f})   print without PDF/X+preflight "
              f"{row[bare]:6.1f} ({c[bare]:5.1f})   online {row['online']:6.1f} ({c['online']:5.1f})   "
              f"layout+checks {row['layout and checks']:6.1f} ({c['layout and checks']:5.1f})   "
              f"with_strings ({row['strings']} strings) {row['with_strings']:5.1f} ({c['with_strings']:5.1f})")
    figures["warm new characters"] = r = warm_new_characters("ja", iterations, cache)
    print(f"  ja  layout+checks, every string with a character not seen before {r['ms']:6.1f} ({r['cpu ms']:5.1f})")

    print("\ncold process `leaflets build` (warm font cache): median wall s [min-max], CPU s, "
          "peak RSS of the process:")
    figures["cold"] = {}
    for label, args in COLD:
        try:
            r = cold(args, runs if args else max(1, runs // 2), cache)
        except SystemExit as exc:          # a build that fails is reported, and the others still measured
            figures["cold"][label] = {"failed": str(exc)}
            lines = str(exc).strip().splitlines()
            print(f"  {label:72} failed: {next((x for x in lines[1:] if 'error' in x), lines[-1]).strip()}")
            continue
        figures["cold"][label] = r
        print(f"  {label:72} {r['s']:6.2f} s [{r['min s']:.2f}-{r['max s']:.2f}]  CPU {r['cpu s']:5.2f} s  "
              f"{r['peak MB']:5.0f} MB (max {r['max peak MB']:.0f})")
    r = cold(["--edition", "print,online", "--design", DESIGN], 1, cache, empty_cache=True)
    figures["cold"]["18 languages, print + online, one design, empty font cache"] = r
    print(f"  {'18 languages, print + online, one design, empty font cache':72} {r['s']:6.2f} s  "
          f"CPU {r['cpu s']:5.2f} s  {r['peak MB']:5.0f} MB")

    print("\ntranslator preview (PDF + PNG + proof PNG, one design):")
    figures["preview warm ms"] = warm_preview("th", iterations, cache)
    figures["preview cold"] = cold(["th", "--design", DESIGN], runs, cache, command="preview")
    print(f"  th, warm process {figures['preview warm ms']:6.0f} ms")
    print(f"  th, cold process {figures['preview cold']['s']:6.2f} s  {figures['preview cold']['peak MB']:5.0f} MB")
    try:
        figures["load average at end"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        pass
    print("\nload average at end:", figures.get("load average at end", "unknown"))
    if a.json:
        a.json.write_text(json.dumps(figures, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
