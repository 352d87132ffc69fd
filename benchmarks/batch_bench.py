"""Local batches at scale: throughput, a no-change rerun, memory per worker.

    python benchmarks/batch_bench.py [--specs 200] [--languages en,th,vi] [--jobs N] [--json FILE]

Generates ``--specs`` batch specs in a temporary folder (each its own organisation: name, phone number,
address and opening hours differ, so each file's own content differs), each asking for the A4 leaflet in
the ``--languages`` in the print and online editions: 200 x 3 x 2 = 1200 PDFs by default.  Then, with a
warm font cache:

1. builds them all with ``leaflets batch`` (the library call the command makes, in this process, with
   ``--jobs`` worker processes, default the cores): everything a batch does by default, every spec
   validated and every leaflet laid out first, each file checked (print: PDF/X and preflight with its QR
   codes decoded; online: its QR codes decoded from a 150 dpi raster), published one by one with the
   manifests.  Reported: PDFs per second (wall), the time of the validation, and the peak resident memory
   of each worker process (sampled every 50 ms with psutil, or the largest child's from getrusage);
2. runs ``leaflets batch`` again as a new process with nothing changed: every file up to date (its wall
   time, which includes starting Python and loading the project);
3. with ``--change-language``: changes one language file (a comment) in a copy of the content and runs
   it again: only that language's files are built (their count and the wall time).

The machine's core count, CPU model and load average (before and after) are printed with the figures:
on a shared machine they are rough.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SPEC = """id: org-{i:03d}
organisation:
  name: Community Support Office {i}
  phones:
    - number: "03-5555-{phone:04d}"
      label: Office
  website: https://www.example.org/office-{i}/
  email: office{i}@example.org
  postal_code: "160-{post:04d}"
  address: {i}-2-3 Nishi-Shinjuku, Tokyo
  hours: Mon–Fri 10:00–{close}:00
  languages_spoken: [ja, en]
  logo: logo.png
languages: [{languages}]
formats: [a4-leaflet]
editions: [print, online]
copies:
  default: {copies}
"""


def machine() -> dict:
    model = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {"cores": cores, "cpu": model, "python": platform.python_version(), "load": os.getloadavg()}


def write_specs(folder: Path, n: int, languages: list[str]) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "content" / "batches" / "sample" / "logo.png", folder / "logo.png")
    out = []
    for i in range(n):
        path = folder / f"org-{i:03d}.yaml"
        path.write_text(SPEC.format(i=i, phone=1000 + i, post=1 + i, close=16 + i % 4, copies=50 + i,
                                    languages=", ".join(languages)), "utf-8")
        out.append(path)
    return out


class Sampler:
    """The peak resident memory of each child process of this one (psutil), sampled in a thread."""

    def __init__(self, every: float = 0.05):
        self.every = every
        self.peaks: dict[int, int] = {}
        self._stop = threading.Event()
        try:
            import psutil
            self.me = psutil.Process()
        except ImportError:
            self.me = None
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.is_set():
            try:
                for child in self.me.children(recursive=True):
                    try:
                        rss = child.memory_info().rss
                    except Exception:
                        continue
                    self.peaks[child.pid] = max(self.peaks.get(child.pid, 0), rss)
            except Exception:
                pass
            self._stop.wait(self.every)

    def __enter__(self):
        if self.me is not None:
            self.thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        if self.me is not None:
            self.thread.join()
        return False


def _cpu() -> float:
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--specs", type=int, default=200)
    ap.add_argument("--languages", default="en,th,vi")
    ap.add_argument("--jobs", type=int, default=None, help="worker processes (default: the cores)")
    ap.add_argument("--json", type=Path, default=None)
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder")
    ap.add_argument("--change-language", action="store_true",
                    help="also time a rerun after one language file changed (builds a third of the files)")
    args = ap.parse_args(argv)
    languages = [t.strip() for t in args.languages.split(",") if t.strip()]

    from leaflets.batch.run import default_jobs, run_batches
    from leaflets.build import Workspace
    jobs = args.jobs or default_jobs()
    cache = Path(os.environ.get("LEAFLETS_CACHE_DIR") or tempfile.mkdtemp(prefix="leaflets-bench-cache-"))
    tmp = Path(tempfile.mkdtemp(prefix="leaflets-batch-bench-"))
    figures = {"machine": machine(), "specs": args.specs, "languages": languages, "jobs": jobs}
    try:
        specs = write_specs(tmp / "specs", args.specs, languages)
        out = tmp / "out"
        # warm the font cache (subsets of every language's fonts), not counted
        warm = write_specs(tmp / "warm", 1, languages)
        run_batches(Workspace(ROOT, cache), warm, tmp / "warm-out", jobs=1, cache_dir=cache)

        t0 = time.perf_counter()
        cpu0 = _cpu()
        ws = Workspace(ROOT, cache)
        with Sampler() as sampler:
            import leaflets.batch.run as batch_run
            original = batch_run.validate
            phases = {}

            def timed_validate(*a, **kw):
                start = time.perf_counter()
                try:
                    return original(*a, **kw)
                finally:
                    phases["validate"] = time.perf_counter() - start
            batch_run.validate = timed_validate
            try:
                results, _warnings = run_batches(ws, specs, out, jobs=jobs, cache_dir=cache)
            finally:
                batch_run.validate = original
        wall = time.perf_counter() - t0
        cpu = _cpu() - cpu0
        pdfs = sum(1 for r in results for f in r.files if f.path.endswith(".pdf") and not f.edition.startswith("sheet"))
        peaks = sorted(sampler.peaks.values(), reverse=True)[:jobs]
        if not peaks:
            peaks = [resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024]
        figures["build"] = {
            "pdfs": pdfs, "wall_s": round(wall, 2), "pdfs_per_s": round(pdfs / wall, 2),
            # CPU seconds of this process and its workers: what the load of other programs does not inflate
            "cpu_s": round(cpu, 2), "pdfs_per_cpu_s": round(pdfs / cpu, 2),
            "pdfs_per_s_on_idle_cores": round(pdfs / cpu * jobs, 2),
            "validate_s": round(phases.get("validate", 0.0), 2),
            "worker_peak_rss_mb": [round(p / 2**20) for p in peaks],
            "client_peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        }

        cmd = [sys.executable, "-m", "leaflets", "batch", *map(str, specs), "--project", str(ROOT), "--cache",
               str(cache), "--out", str(out), "-q"]
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        _pid, status, usage = os.wait4(proc.pid, 0)
        rerun = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode:
            raise SystemExit(proc.stderr.read().decode())
        proc.stderr.close()
        # (not its peak memory: a forked child's maximum resident set counts what it shared with this process)
        figures["no_change_rerun"] = {"wall_s": round(rerun, 2), "cpu_s": round(usage.ru_utime + usage.ru_stime, 2)}

        if not args.change_language:
            return _report(figures, args)
        lang = languages[-1]
        figures["language_changed"] = {"language": lang}
        project = tmp / "project"          # a copy of the content whose language file changes
        shutil.copytree(ROOT / "content", project / "content")
        (project / "fonts").symlink_to(ROOT / "fonts", target_is_directory=True)
        (project / "icc").symlink_to(ROOT / "icc", target_is_directory=True)
        cmd[cmd.index("--project") + 1] = str(project)
        subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=True)   # the copy's keys: same
        path = project / "content" / "languages" / f"{lang}.yaml"
        path.write_text(path.read_text("utf-8") + "\n# a comment\n", "utf-8")
        t0 = time.perf_counter()
        done = subprocess.run(cmd[:-1], cwd=ROOT, capture_output=True, text=True, check=True)
        figures["language_changed"].update(
            wall_s=round(time.perf_counter() - t0, 2),
            built=sum(int(line.split(": ")[1].split(" built")[0]) for line in done.stdout.splitlines()
                      if line.startswith("wrote ") and " built" in line))
    finally:
        figures["machine"]["load_after"] = os.getloadavg()
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    return _report(figures, args)


def _report(figures: dict, args) -> int:
    figures["machine"]["load_after"] = os.getloadavg()
    print(json.dumps(figures, indent=2))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
