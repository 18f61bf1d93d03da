#!/usr/bin/env python3
"""faultline's benchmark: the same workloads natively, under qemu-x86_64 and under faultline.

For each workload the three runners take turns (round robin within each repetition, the
first runner rotating from one repetition to the next), so that load from other users of
the machine falls on all of them alike. The table shows medians of wall time and the
ratios faultline/native and faultline/qemu-user; never compare absolute times across runs.

    python3 tools/bench/bench.py                     # every workload, 5 repetitions
    python3 tools/bench/bench.py -n 3 -w cpu_loop,getppid
    python3 tools/bench/bench.py --list

The workloads are the static musl programs of guest/bench/ (built by CMake into
build/guest/bench/) and real binaries (Debian's busybox, the host's gzip). See the README,
section "Benchmarks", for what each number means and how the targets are derived.
"""

from __future__ import annotations

import argparse
import datetime
import fnmatch
import gzip as gzip_module
import json
import os
import platform
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

REPO = Path(__file__).resolve().parents[2]
RUNNERS = ("native", "qemu", "faultline")
LOG_RUNNER = "faultline+log"  # faultline with --fault-log, on the fault-heavy workloads
RUNNER_TITLES = {"native": "native", "qemu": "qemu-user", "faultline": "faultline", LOG_RUNNER: "faultline+log"}
PAGE = 4096

BUSYBOX = "/bin/busybox"
GZIP = "/bin/gzip"
GZIP_INPUT_BYTES = 16 << 20
# The pipeline loop of the busybox workload; CAT is the command the shell must fork and exec.
SH_LOOP = 'i=0; while [ $i -lt 500 ]; do echo x | {cat} >/dev/null; i=$((i+1)); done'


# --- workloads ---

@dataclass
class Workload:
    name: str
    title: str
    argv: list[str]                      # the guest command line ({guest} is guest/bench's directory)
    faultline_opts: list[str] = field(default_factory=list)
    qemu_argv: Optional[list[str]] = None  # when qemu-x86_64 needs a different command line
    fault_log: bool = False              # also run faultline with --fault-log
    needs: Optional[str] = None          # "swap": only when faultline has --swap
    note: str = ""


# faultline's physical memory for every workload but the swap ones: the largest workloads
# need about 800 MiB of frames (touch_pages, fork_write).
RAM = ["--ram", "1G"]
SWAP_OPTS = ["--ram", "32M", "--swap", "256M"]

WORKLOADS = [
    Workload("cpu_loop", "integer loop, 100M iterations", ["{guest}/cpu_loop", "100000000"], RAM),
    Workload("mem_loop", "memset+memcpy of 256 KiB, 5000 times", ["{guest}/mem_loop", "5000"], RAM),
    Workload("getppid", "2M getppid syscalls", ["{guest}/getppid_loop", "2000000"], RAM),
    Workload("touch_pages", "touch 200k fresh pages", ["{guest}/touch_pages", "200000", "1"], RAM, fault_log=True),
    Workload("touch_pages_base", "touch 1k fresh pages (baseline)", ["{guest}/touch_pages", "1000", "1"], RAM),
    Workload("touch_pages_steady", "touch 50k pages, 3 passes (steady state)",
             ["{guest}/touch_pages", "50000", "3"], RAM, fault_log=True),
    Workload("fork_write", "fork, child writes 100k pages", ["{guest}/fork_write", "100000", "1"], RAM,
             fault_log=True),
    Workload("fork_write_base", "fork, child writes 1k pages (baseline)", ["{guest}/fork_write", "1000", "1"], RAM),
    Workload("fork_write_steady", "fork+write 50k pages, 3 rounds (steady state)",
             ["{guest}/fork_write", "50000", "3"], RAM, fault_log=True),
    Workload("fork_exit", "2000 fork+exit+wait", ["{guest}/fork_exit", "2000"], RAM),
    Workload("fork_64m", "fork of a 64 MiB resident parent", ["{guest}/fork_big", "64"], RAM),
    Workload("fork_512m", "fork of a 512 MiB resident parent", ["{guest}/fork_big", "512"], RAM),
    Workload("malloc_churn", "3M malloc/free operations", ["{guest}/malloc_churn", "3000000"], RAM),
    Workload("busybox_sh", "busybox sh: 500 pipelines `echo x | busybox cat`",
             [BUSYBOX, "sh", "-c", SH_LOOP.format(cat=f"{BUSYBOX} cat")], RAM,
             qemu_argv=[BUSYBOX, "sh", "-c", SH_LOOP.format(cat=f"qemu-x86_64 {BUSYBOX} cat")],
             note="under qemu-user the shell's exec of cat runs `qemu-x86_64 /bin/busybox cat` "
                  "(as binfmt_misc would), since qemu-user's execve leaves emulation"),
    Workload("gzip", "gzip -9 of 16 MiB (host's dynamic /bin/gzip)", [GZIP, "-9", "-c", "{gzip_input}"], RAM),
    Workload("swap", "touch 256 MiB twice, --ram 32M --swap 256M", ["{guest}/swap_touch", "256", "2"],
             SWAP_OPTS, needs="swap",
             note="native and qemu-user run it without a memory limit (no swapping)"),
    Workload("swap_locality", "16 MiB hot set + 112 MiB cold sweep, --ram 32M --swap 256M",
             ["{guest}/swap_locality", "128", "16", "40"], SWAP_OPTS, needs="swap",
             note="native and qemu-user run it without a memory limit (no swapping)"),
]

# The page replacement policies (faultline run --policy) the swap workloads also run under.
POLICIES = ("clock", "fifo", "random", "lru")


# --- running one command ---

@dataclass
class Run:
    runner: str
    wall_s: float
    exit: int
    maxrss_kb: int
    user_s: float
    sys_s: float
    metrics: dict
    stats: Optional[dict] = None   # faultline --stats, parsed
    error: str = ""


def parse_bench_line(text: str) -> dict:
    """The guest's own `bench: key=value ...` line(s)."""
    out = {}
    for line in text.splitlines():
        if line.startswith("bench:"):
            for key, value in re.findall(r"(\w+)=(\d+)", line):
                out[key] = int(value)
    return out


def parse_stats(stderr: str) -> Optional[dict]:
    """faultline --stats: per-process rows by column name (sizes in pages)."""
    lines = stderr.splitlines()
    for i, line in enumerate(lines):
        cols = line.split()
        if cols[:2] == ["pid", "comm"]:
            rows = []
            for row in lines[i + 1:]:
                cells = row.split()
                if not cells or not cells[0].isdigit():
                    break
                # `end` may contain a space ("exit 0"): take the named columns from the left.
                rec = {}
                for name, cell in zip(cols, cells):
                    if re.fullmatch(r"\d+K", cell):
                        rec[name] = int(cell[:-1]) * 1024 // PAGE
                    elif cell.isdigit():
                        rec[name] = int(cell)
                    else:
                        rec[name] = cell
                rows.append(rec)
            total = {}
            for rec in rows:
                for k, v in rec.items():
                    if isinstance(v, int) and k != "pid":
                        total[k] = total.get(k, 0) + v
            # The machine's reclaim line, when faultline prints one: "reclaim: N pages
            # swapped out, M swapped in, ..." (page-outs are nobody's fault, so the
            # per-process table has only the swap-ins).
            for line in lines:
                m = re.match(r"reclaim: (\d+) pages swapped out, (\d+) swapped in", line)
                if m:
                    total["swap-out"] = int(m.group(1))
                    total["swap-in-machine"] = int(m.group(2))
            return {"columns": cols, "processes": rows, "total": total}
    return None


def swap_counts(total: dict) -> tuple[Optional[int], Optional[int]]:
    """(page-ins, page-outs) from a run's --stats totals; None where --stats has none."""
    ins = total.get("swap-in-machine", total.get("swap-in"))
    return ins, total.get("swap-out")


def smaps_sample(pid: int, ram_bytes: int) -> Optional[tuple[int, int]]:
    """(total Rss, Rss of the guest's physical memory) of process `pid` in KiB. The guest's
    RAM is the one anonymous mapping exactly --ram bytes long."""
    total = ram = 0
    size = 0
    try:
        with open(f"/proc/{pid}/smaps") as f:
            for line in f:
                if line[0] in "0123456789abcdef" and "-" in line.split(" ", 1)[0]:
                    lo, hi = line.split(" ", 1)[0].split("-")
                    size = int(hi, 16) - int(lo, 16)
                elif line.startswith("Rss:"):
                    kb = int(line.split()[1])
                    total += kb
                    if size == ram_bytes:
                        ram += kb
    except (OSError, ValueError):
        return None
    return total, ram


TIME = "/usr/bin/time" if os.access("/usr/bin/time", os.X_OK) else None  # Debian package `time`


def command_pid(pid: int) -> int:
    """The command GNU time (process `pid`) started, once it has."""
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return pid
    return int(children[0]) if children else pid


def run_once(runner: str, argv: list[str], timeout: float, log_dir_parent: Path,
             sample_ram_bytes: int = 0) -> Run:
    out = tempfile.TemporaryFile()
    err = tempfile.TemporaryFile()
    log_dir = None
    if runner == LOG_RUNNER:
        log_dir = Path(tempfile.mkdtemp(prefix="faultlog-", dir=log_dir_parent))
        argv = [a.replace("{fault_log}", str(log_dir)) for a in argv]
    # Linux carries a process's peak RSS across execve, and a forked child starts with its
    # parent's peak: a command started straight from this (large) Python process would
    # report at least Python's peak as its own. GNU time, small itself, starts it instead
    # and writes the command's own peak RSS (KiB) to a file.
    rss_file = None
    if TIME:
        rss_file = tempfile.NamedTemporaryFile(prefix="bench-rss-", dir=log_dir_parent, delete=False)
        rss_file.close()
        argv = [TIME, "-f", "%M", "-o", rss_file.name] + argv
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out, stderr=err, start_new_session=True)
    timed_out = threading.Event()

    def kill():
        timed_out.set()
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    timer = threading.Timer(timeout, kill)
    timer.start()
    samples: list[tuple[int, int]] = []
    if sample_ram_bytes:
        # The RSS pass (not timed): faultline's own memory is its RSS minus the guest's RAM.
        while True:
            pid_done, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid_done:
                break
            sample = smaps_sample(command_pid(proc.pid) if TIME else proc.pid, sample_ram_bytes)
            if sample:
                samples.append(sample)
            time.sleep(0.005)
    else:
        _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    timer.cancel()
    proc.returncode = os.waitstatus_to_exitcode(status)
    # Children a workload left behind (none should) do not outlive the measurement.
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    out.seek(0)
    err.seek(0)
    stdout = out.read().decode(errors="replace")
    stderr = err.read().decode(errors="replace")
    out.close()
    err.close()
    if log_dir:
        shutil.rmtree(log_dir, ignore_errors=True)
    maxrss = usage.ru_maxrss
    if rss_file:
        try:
            maxrss = int(Path(rss_file.name).read_text().split()[-1])
        except (OSError, ValueError, IndexError):
            pass  # killed: GNU time wrote its own message instead
        os.unlink(rss_file.name)
    r = Run(runner, wall, proc.returncode, maxrss, usage.ru_utime, usage.ru_stime,
            parse_bench_line(stdout))
    if runner.startswith("faultline"):
        r.stats = parse_stats(stderr)
    if samples:
        r.metrics["rss_samples"] = len(samples)
        r.metrics["rss_max_kb"] = max(t for t, _ in samples)
        r.metrics["ram_rss_max_kb"] = max(g for _, g in samples)
        # The largest sampled difference is a lower bound: sampling misses a peak in the last
        # milliseconds (fork_512m's fork comes just before it exits). Both parts only grow
        # during a run (faultline never gives guest RAM back to the host, and its own memory
        # is mostly allocated once), so the peak is at the end: ru_maxrss minus the guest
        # RAM's last size, which the samples see once the run lasts longer than its growth.
        # That when there are enough samples, else the lower bound.
        r.metrics["rss_beyond_ram_sampled_kb"] = max(t - g for t, g in samples)
        # The last sample that still saw the guest RAM (the very last may come during exit).
        last_ram = next((g for _, g in reversed(samples) if g > 0), 0)
        r.metrics["rss_beyond_ram_at_end_kb"] = maxrss - last_ram
        enough = len(samples) >= 10 and last_ram > 0
        r.metrics["rss_beyond_ram_max_kb"] = (r.metrics["rss_beyond_ram_at_end_kb"] if enough
                                              else r.metrics["rss_beyond_ram_sampled_kb"])
    if timed_out.is_set():
        r.error = f"timed out after {timeout:.0f} s"
    elif proc.returncode != 0:
        tail = stderr.strip().splitlines()[-3:]
        r.error = f"exit {proc.returncode}: " + " / ".join(tail)
    return r


# --- the machine, the versions ---

def sh(cmd: list[str]) -> str:
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=30).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def machine_info() -> dict:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    debian = ""
    try:
        debian = Path("/etc/debian_version").read_text().strip()
    except OSError:
        pass
    mem_kb = 0
    try:
        mem_kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
    except (OSError, AttributeError):
        pass
    hypervisor = "KVM" if "hypervisor" in Path("/proc/cpuinfo").read_text() else ""
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(mem_kb / (1 << 20), 1),
        "kernel": platform.release(),
        "debian": debian,
        "virtualized": bool(hypervisor),
        "loadavg_at_start": os.getloadavg(),
    }


def unicorn_info(faultline: Path) -> dict:
    """The libunicorn faultline really loads (ldd), and its version from the package files
    next to it (pkg-config file, Debian changelog) when there are any."""
    lib = ""
    for line in sh(["ldd", str(faultline)]).splitlines():
        if "libunicorn" in line and "=>" in line:
            lib = line.split("=>", 1)[1].split("(")[0].strip()
    info = {"library": lib, "version": "", "package": ""}
    if not lib:
        info["version"] = "statically linked or not found"
        return info
    libdir = Path(lib).resolve().parent
    pc = libdir / "pkgconfig" / "unicorn.pc"
    if pc.exists():
        m = re.search(r"^Version:\s*(\S+)", pc.read_text(), re.M)
        if m:
            info["version"] = m.group(1)
    # .deps/unicorn/usr/lib/x86_64-linux-gnu -> .deps/unicorn/usr/share/doc/libunicorn2t64
    for usr in (libdir.parent.parent, libdir.parent):
        for doc in sorted((usr / "share" / "doc").glob("libunicorn2*")):
            for name in ("changelog.Debian.amd64.gz", "changelog.Debian.gz"):
                f = doc / name
                if f.exists():
                    first = gzip_module.open(f, "rt").readline()
                    m = re.match(r"(\S+) \(([^)]+)\)", first)
                    if m:
                        info["package"] = f"{doc.name} {m.group(2)}"
                    break
            if info["package"]:
                break
    if not info["package"]:
        pkg = sh(["dpkg", "-S", lib])
        if pkg:
            name = pkg.split(":")[0]
            info["package"] = f"{name} {sh(['dpkg-query', '-W', '-f=${Version}', name])}"
    if not info["version"]:
        info["version"] = sh(["pkg-config", "--modversion", "unicorn"])
    return info


def faultline_info(faultline: Path) -> dict:
    commit = sh(["git", "-C", str(REPO), "rev-parse", "HEAD"])
    dirty = bool(sh(["git", "-C", str(REPO), "status", "--porcelain", "--untracked-files=no"]))
    branch = sh(["git", "-C", str(REPO), "rev-parse", "--abbrev-ref", "HEAD"])
    return {"binary": str(faultline), "commit": commit, "branch": branch, "dirty": dirty,
            "version": sh([str(faultline), "--version"])}


# --- the gzip input ---

def make_gzip_input(path: Path) -> None:
    """16 MiB of text from a fixed pseudo-random sequence over a small vocabulary:
    compressible (about 3:1 with -9) and the same in every run."""
    if path.exists() and path.stat().st_size == GZIP_INPUT_BYTES:
        return
    rnd = random.Random(20240601)
    syll = ["ka", "ri", "to", "ne", "su", "mo", "la", "pe", "di", "vo", "an", "el", "ur", "is", "og"]
    words = ["".join(rnd.choice(syll) for _ in range(rnd.randint(1, 4))) for _ in range(4000)]
    out = bytearray()
    while len(out) < GZIP_INPUT_BYTES:
        line = " ".join(rnd.choices(words, k=rnd.randint(4, 14)))
        out += f"{rnd.randint(0, 99999):05d} {line}\n".encode()
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(bytes(out[:GZIP_INPUT_BYTES]))
    tmp.rename(path)


# --- measuring ---

def command_for(runner: str, w: Workload, faultline: Path, subst: dict, extra: Optional[list[str]] = None) -> list[str]:
    def fill(args):
        out = []
        for a in args:
            for key, value in subst.items():
                a = a.replace("{" + key + "}", value)
            out.append(a)
        return out

    argv = fill(w.argv)
    if runner == "native":
        return argv
    if runner == "qemu":
        return ["qemu-x86_64"] + fill(w.qemu_argv or w.argv)
    opts = ["--real-time", "--stats"] + w.faultline_opts + (extra or [])
    if runner == LOG_RUNNER:
        opts += ["--fault-log", "{fault_log}"]
    return [str(faultline), "run"] + opts + ["--"] + argv


def ram_bytes(opts: list[str]) -> int:
    """faultline's --ram in bytes (default 512M)."""
    text = opts[opts.index("--ram") + 1] if "--ram" in opts else "512M"
    units = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    return int(text[:-1]) * units[text[-1].upper()] if text[-1].upper() in units else int(text)


def median(xs):
    return statistics.median(xs) if xs else None


def summarize(w: Workload, runs: dict[str, list[Run]]) -> dict:
    res = {"name": w.name, "title": w.title, "note": w.note, "median_wall_s": {}, "median_metrics": {},
           "median_maxrss_kb": {}, "runs": {}}
    for runner, rs in runs.items():
        ok = [r for r in rs if not r.error]
        res["runs"][runner] = [{"wall_s": round(r.wall_s, 4), "exit": r.exit, "maxrss_kb": r.maxrss_kb,
                                "user_s": round(r.user_s, 3), "sys_s": round(r.sys_s, 3), "metrics": r.metrics,
                                **({"stats_total": r.stats["total"], "processes": len(r.stats["processes"])}
                                   if r.stats else {}),
                                **({"error": r.error} if r.error else {})} for r in rs]
        if not ok:
            continue
        res["median_wall_s"][runner] = median([r.wall_s for r in ok])
        res["median_maxrss_kb"][runner] = median([r.maxrss_kb for r in ok])
        keys = set().union(*(r.metrics.keys() for r in ok))
        res["median_metrics"][runner] = {k: median([r.metrics[k] for r in ok if k in r.metrics]) for k in keys}
        if runner == "faultline" and ok[0].stats:
            st = [r.stats for r in ok if r.stats]
            res["faultline_stats"] = st[0]["total"]
            res["faultline_processes"] = len(st[0]["processes"])
            guest_kb = [r.stats["total"].get("peak-rss", 0) * PAGE // 1024 for r in ok if r.stats]
            res["faultline_guest_peak_kb"] = median(guest_kb)
            res["faultline_overhead_kb"] = median([r.maxrss_kb - g for r, g in zip(ok, guest_kb)])
    m = res["median_wall_s"]
    if "faultline" in m:
        if "native" in m:
            res["faultline_over_native"] = m["faultline"] / m["native"]
        if "qemu" in m:
            res["faultline_over_qemu"] = m["faultline"] / m["qemu"]
        if LOG_RUNNER in m:
            res["log_over_nolog"] = m[LOG_RUNNER] / m["faultline"]
    errors = [f"{r.runner}: {r.error}" for rs in runs.values() for r in rs if r.error]
    if errors:
        res["errors"] = sorted(set(errors))
    return res


def summarize_policy(w: Workload, policy: str, runs: list[Run]) -> dict:
    """One swap workload under one replacement policy: medians of the faultline runs, and the
    fault and swap counts of --stats (the same in every run: faultline is deterministic)."""
    ok = [r for r in runs if not r.error and r.stats]
    row = {"workload": w.name, "policy": policy, "runs": [
        {"wall_s": round(r.wall_s, 4), "metrics": r.metrics, **({"stats_total": r.stats["total"]} if r.stats else {}),
         **({"error": r.error} if r.error else {})} for r in runs]}
    if not ok:
        row["error"] = runs[0].error if runs else "no runs"
        return row
    total = ok[0].stats["total"]
    secs = [sum(v for k, v in r.metrics.items() if re.fullmatch(r"pass\d+_ns", k)) / 1e9 for r in ok]
    ins, outs = swap_counts(total)
    row.update({"median_wall_s": median([r.wall_s for r in ok]), "median_guest_s": median(secs),
                "minor": total.get("minor"), "major": total.get("major"), "page_ins": ins, "page_outs": outs})
    g = row["median_guest_s"]
    if g and ins is not None:
        row["pages_per_s"] = ((ins + (outs or 0)) / g)
        row["rate_is_ins_only"] = outs is None
    return row


def policy_table(rows: list[dict]) -> str:
    lines = ["| workload | policy | faultline s | in-guest s | minor faults | major faults | page-ins | page-outs | "
             "page-outs+ins per s |", "|---|---|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        if r.get("error"):
            lines.append(f"| {r['workload']} | {r['policy']} | FAILED {r['error'][:120]} |" + " |" * 6)
            continue
        rate = fmt_num(r.get("pages_per_s"), "pages/s") + (" (ins only)" if r.get("rate_is_ins_only") else "")
        lines.append(f"| {r['workload']} | {r['policy']} | {fmt_num(r['median_wall_s'], 's')} | "
                     f"{fmt_num(r['median_guest_s'], 's')} | {r['minor']} | {r['major']} | {r['page_ins']} | "
                     f"{'-' if r['page_outs'] is None else r['page_outs']} | {rate} |")
    return "\n".join(lines)


# --- targets ---

def targets(results: dict[str, dict]) -> list[dict]:
    out = []

    def add(name, value, limit, unit, cmp, detail=""):
        if value is None:
            status = "n/a"
        else:
            status = "PASS" if (value <= limit if cmp == "<=" else value >= limit) else "MISS"
        out.append({"target": name, "value": value, "limit": limit, "unit": unit, "cmp": cmp,
                    "status": status, "detail": detail})

    def get(name, *keys):
        d = results.get(name)
        for k in keys:
            if d is None:
                return None
            d = d.get(k)
        return d

    for name in ("cpu_loop", "mem_loop", "gzip"):
        add(f"CPU-bound ({name}): faultline/qemu-user", get(name, "faultline_over_qemu"), 1.25, "x", "<=")
    add("cheap syscalls (getppid): faultline/qemu-user", get("getppid", "faultline_over_qemu"), 1.0, "x", "<=")

    # Per-fault costs under faultline.
    def per_page(run_name, key_prefix, first=2):
        mm = get(run_name, "median_metrics", "faultline")
        if not mm or "pages" not in mm:
            return None
        vals = [v for k, v in mm.items()
                if (m := re.fullmatch(key_prefix + r"(\d+)_ns", k)) and int(m.group(1)) >= first]
        return median(vals) / mm["pages"] / 1000 if vals else None  # ns -> us

    add("demand-zero fault, steady state (in-guest, passes 2-3)", per_page("touch_pages_steady", "pass"),
        1.0, "us", "<=")
    add("COW fault, steady state (in-guest, rounds 2-3)", per_page("fork_write_steady", "round"), 1.0, "us", "<=")

    # Whole-process difference against a baseline with few pages: includes the host's own
    # first touch of the memory behind each frame.
    def delta(big, base, runner="faultline"):
        a, b = get(big, "median_wall_s", runner), get(base, "median_wall_s", runner)
        pa, pb = get(big, "median_metrics", runner, "pages"), get(base, "median_metrics", runner, "pages")
        if None in (a, b, pa, pb) or pa == pb:
            return None
        return (a - b) / (pa - pb) * 1e6

    dz = delta("touch_pages", "touch_pages_base")
    add("demand-zero fault, first touch (wall delta vs 1k-page baseline)", dz, 1.0, "us", "<=",
        "includes the host's first touch of the frame's memory; native: "
        + fmt_num(delta("touch_pages", "touch_pages_base", "native"), "us"))
    def cow_first(runner):
        fw, z = delta("fork_write", "fork_write_base", runner), delta("touch_pages", "touch_pages_base", runner)
        return fw - z if fw is not None and z is not None else None

    add("COW fault, first touch (fork_write delta minus demand-zero)", cow_first("faultline"), 1.0, "us", "<=",
        "fork_write's per-page delta (parent's demand-zero + child's COW) minus the demand-zero cost; native: "
        + fmt_num(cow_first("native"), "us"))

    fq, ff = get("fork_exit", "median_wall_s", "qemu"), get("fork_exit", "median_wall_s", "faultline")
    add("fork+exit+wait: qemu-user/faultline", fq / ff if fq and ff else None, 3.0, "x", ">=")

    rate, detail = swap_rate(results.get("swap") or {})
    add("swap: page-outs+ins per second", rate, 200000, "pages/s", ">=", detail)

    # faultline's own memory: RSS beyond the guest's RAM mapping, sampled from smaps in a
    # separate, untimed run of each workload (the RSS pass).
    worst, worst_name = None, ""
    for name, r in results.items():
        v = (r.get("rss_pass") or {}).get("rss_beyond_ram_max_kb")
        if v is not None and (worst is None or v > worst):
            worst, worst_name = v, name
    add("faultline RSS beyond guest RAM (worst workload, sampled smaps)",
        worst / 1024 if worst is not None else None, 64, "MiB", "<=", worst_name)
    # The approximation from the issue: max RSS (getrusage) minus the guest's peak resident
    # pages (--stats), on single-process workloads (with several processes the per-process
    # peaks count shared frames more than once).
    worst, worst_name = None, ""
    for name, r in results.items():
        if r.get("faultline_processes") == 1 and r.get("faultline_overhead_kb") is not None:
            if worst is None or r["faultline_overhead_kb"] > worst:
                worst, worst_name = r["faultline_overhead_kb"], name
    add("faultline max RSS minus guest peak resident (worst single-process workload)",
        worst / 1024 if worst is not None else None, 64, "MiB", "<=", worst_name)

    for name in ("touch_pages", "fork_write", "touch_pages_steady", "fork_write_steady"):
        add(f"fault log on/off ({name})", get(name, "log_over_nolog"), 1.5, "x", "<=")
    return out


def swap_rate(r: dict) -> tuple[Optional[float], str]:
    """Page-outs + page-ins per second of in-guest time for a swap workload's faultline runs
    (medians), and what the figure is made of."""
    if r.get("skipped"):
        return None, r["skipped"]
    mm = (r.get("median_metrics") or {}).get("faultline")
    stats = r.get("faultline_stats")
    if not mm or stats is None:
        return None, ""
    secs = sum(v for k, v in mm.items() if re.fullmatch(r"pass\d+_ns", k)) / 1e9
    ins, outs = swap_counts(stats)
    if not secs or ins is None:
        return None, "no swap counts in --stats"
    if outs is None:
        return ins / secs, (f"page-ins only ({ins} in {secs:.2f} s): this --stats has no page-out count, "
                            "so the figure is a lower bound")
    return (ins + outs) / secs, f"{outs} page-outs + {ins} page-ins in {secs:.2f} s (--stats)"


# --- printing ---

def fmt_num(v, unit=""):
    if v is None:
        return "-"
    if unit == "x":
        return f"{v:.2f}x"
    if unit == "s":
        return f"{v:.3f}" if v < 10 else f"{v:.2f}"
    if unit == "us":
        return f"{v:.2f} µs"
    if unit == "pages/s":
        return f"{v / 1000:.0f}k/s"
    if unit == "MiB":
        return f"{v:.1f} MiB"
    return f"{v:g}"


def guest_metric_text(r: dict) -> str:
    """The workload's own in-guest measurement, per runner (fork time, per-fault times)."""
    mm = r.get("median_metrics", {})
    parts = []
    for runner in ("native", "qemu", "faultline"):
        m = mm.get(runner, {})
        if "fork_ns" in m:
            parts.append(f"{RUNNER_TITLES[runner]} fork() {m['fork_ns'] / 1e6:.1f} ms")
        pages = m.get("pages")
        steady = [v for k, v in m.items() if re.fullmatch(r"(pass|round)[2-9]_ns", k)]
        first = [v for k, v in m.items() if re.fullmatch(r"(pass|round)1_ns", k)]
        if pages and (steady or first) and not r["name"].startswith("swap"):
            val = median(steady) if steady else first[0]
            parts.append(f"{RUNNER_TITLES[runner]} {val / pages / 1000:.2f} µs/page")
    return ", ".join(parts)


def table(results: list[dict], tgts: list[dict], info: dict) -> str:
    mi, ui, fi = info["machine"], info["unicorn"], info["faultline"]
    lines = [f"Measured {info['started'][:10]} on {mi['cpu']} ({mi['cores']} cores"
             f"{', VM' if mi['virtualized'] else ''}), Linux {mi['kernel']}, Debian {mi['debian']}, "
             f"load average {mi['loadavg_at_start'][0]:.1f} at the start; faultline {fi['commit'][:10]}"
             f"{' (uncommitted changes)' if fi['dirty'] else ''}, Unicorn {ui['version']} "
             f"({ui['package'] or ui['library']}), {info['qemu']}; {info['reps']} repetitions, medians.", ""]
    head = ["workload", "native s", "qemu-user s", "faultline s", "fl/native", "fl/qemu", "log on/off",
            "in-guest"]
    lines.append("| " + " | ".join(head) + " |")
    lines.append("|" + "|".join(["---"] + ["---:"] * 6 + ["---"]) + "|")
    for r in results:
        if r.get("skipped"):
            lines.append(f"| {r['name']} | {r['skipped']} |" + " |" * (len(head) - 2))
            continue
        m = r["median_wall_s"]
        cells = [r["name"], fmt_num(m.get("native"), "s"), fmt_num(m.get("qemu"), "s"),
                 fmt_num(m.get("faultline"), "s"), fmt_num(r.get("faultline_over_native"), "x"),
                 fmt_num(r.get("faultline_over_qemu"), "x"), fmt_num(r.get("log_over_nolog"), "x"),
                 guest_metric_text(r)]
        if r.get("errors"):
            cells[-1] = (cells[-1] + "; " if cells[-1] else "") + "FAILED " + "; ".join(r["errors"])[:200]
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("")
    lines.append("| target | measured | limit | result | note |")
    lines.append("|---|---:|---:|---|---|")
    for t in tgts:
        lim = f"{t['cmp'].replace('<=', '≤').replace('>=', '≥')} {fmt_num(t['limit'], t['unit'])}"
        lines.append(f"| {t['target']} | {fmt_num(t['value'], t['unit'])} | {lim} | {t['status']} | {t['detail']} |")
    lines.append("")
    lines.append("| workload | faultline max RSS | guest peak resident (--stats) | max RSS − guest peak | "
                 "RSS beyond guest RAM (smaps) | processes |")
    lines.append("|---|---:|---:|---:|---:|---:|")
    for r in results:
        if r.get("faultline_overhead_kb") is None:
            continue
        # With several processes the per-process peaks count shared frames once per process.
        single = r.get("faultline_processes") == 1
        sampled = (r.get("rss_pass") or {}).get("rss_beyond_ram_max_kb")
        lines.append(f"| {r['name']} | {r['median_maxrss_kb']['faultline'] / 1024:.1f} MiB | "
                     f"{r['faultline_guest_peak_kb'] / 1024:.1f} MiB | "
                     + (f"{r['faultline_overhead_kb'] / 1024:.1f} MiB | " if single else "n/a | ")
                     + f"{fmt_num(sampled / 1024 if sampled is not None else None, 'MiB')} | "
                     f"{r['faultline_processes']} |")
    return "\n".join(lines)


# --- main ---

def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-n", "--reps", type=int, default=5, help="repetitions per runner (default 5)")
    ap.add_argument("-w", "--workloads", default="",
                    help="comma-separated workload names or globs (default: all); see --list")
    ap.add_argument("--json", default=str(REPO / "build" / "bench" / "results.json"),
                    help="where to write the results as JSON (default build/bench/results.json)")
    ap.add_argument("--faultline", default=str(REPO / "build" / "faultline"), help="faultline binary")
    ap.add_argument("--guest-dir", default=str(REPO / "build" / "guest" / "bench"),
                    help="the built guest/bench programs")
    ap.add_argument("--work-dir", default=str(REPO / "build" / "bench"),
                    help="for the gzip input and fault logs (default build/bench)")
    ap.add_argument("--timeout", type=float, default=600, help="seconds before one run is killed")
    ap.add_argument("--no-rss", action="store_true",
                    help="skip the untimed extra faultline run per workload that samples its smaps")
    ap.add_argument("--no-policies", action="store_true",
                    help="skip the swap workloads' extra faultline runs under each --policy")
    ap.add_argument("--list", action="store_true", help="list the workloads and exit")
    args = ap.parse_args()

    if args.list:
        for w in WORKLOADS:
            print(f"{w.name:20} {w.title}")
        return 0
    if args.reps < 1:
        ap.error("--reps must be at least 1")
    selected = WORKLOADS
    if args.workloads:
        pats = [p.strip() for p in args.workloads.split(",") if p.strip()]
        selected = [w for w in WORKLOADS if any(fnmatch.fnmatchcase(w.name, p) for p in pats)]
        unknown = [p for p in pats if not any(fnmatch.fnmatchcase(w.name, p) for w in WORKLOADS)]
        if unknown:
            ap.error(f"unknown workload(s): {', '.join(unknown)} (see --list)")

    faultline = Path(args.faultline).resolve()
    guest = Path(args.guest_dir).resolve()
    work = Path(args.work_dir).resolve()
    work.mkdir(parents=True, exist_ok=True)
    if not faultline.exists():
        sys.exit(f"bench: {faultline} not found: build faultline first (README, 'Set up and run')")
    if not shutil.which("qemu-x86_64"):
        sys.exit("bench: qemu-x86_64 not found: apt-get install qemu-user")
    help_text = sh([str(faultline), "run", "--help"])
    has_swap = "--swap" in help_text

    subst = {"guest": str(guest), "gzip_input": str(work / "gzip-input.txt")}
    if any(w.name == "gzip" for w in selected):
        make_gzip_input(work / "gzip-input.txt")

    info = {
        "started": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "machine": machine_info(),
        "unicorn": unicorn_info(faultline),
        "faultline": faultline_info(faultline),
        "qemu": sh(["qemu-x86_64", "--version"]).splitlines()[0] if shutil.which("qemu-x86_64") else "",
        "reps": args.reps,
        "method": "wall time of the whole process (fork+exec to wait4), median over repetitions; runners "
                  "alternate round-robin within each repetition, starting runner rotating; faultline runs "
                  "with --real-time --stats",
    }
    mi, ui, fi = info["machine"], info["unicorn"], info["faultline"]
    print(f"machine: {mi['cpu']}, {mi['cores']} cores, {mi['memory_gib']} GiB, Linux {mi['kernel']}, "
          f"Debian {mi['debian']}{' (VM)' if mi['virtualized'] else ''}, load {mi['loadavg_at_start'][0]:.2f}")
    print(f"faultline {fi['commit'][:12]}{' (dirty)' if fi['dirty'] else ''}, Unicorn {ui['version']} "
          f"({ui['package'] or ui['library']}), {info['qemu']}")
    print(f"{args.reps} repetitions\n", flush=True)

    results = []
    for w in selected:
        program = command_for("native", w, faultline, subst)[0]
        if not Path(program).exists():
            sys.exit(f"bench: {program} not found: build the guests (cmake --build build)")
        if w.needs == "swap" and not has_swap:
            results.append({"name": w.name, "title": w.title, "skipped": "skipped: no --swap"})
            print(f"{w.name:20} skipped: no --swap in `faultline run --help`", flush=True)
            continue
        runners = list(RUNNERS) + ([LOG_RUNNER] if w.fault_log else [])
        runs: dict[str, list[Run]] = {r: [] for r in runners}
        print(f"{w.name:20} ", end="", flush=True)
        for rep in range(args.reps):
            order = runners[rep % len(runners):] + runners[:rep % len(runners)]
            for runner in order:
                r = run_once(runner, command_for(runner, w, faultline, subst), args.timeout, work)
                runs[runner].append(r)
                print("x" if r.error else ".", end="", flush=True)
        res = summarize(w, runs)
        if not args.no_rss:
            ram = ram_bytes(w.faultline_opts)
            r = run_once("faultline", command_for("faultline", w, faultline, subst), args.timeout, work, ram)
            res["rss_pass"] = {k: v for k, v in r.metrics.items() if k.startswith("rss") or k.startswith("ram")}
            if r.error:
                res["rss_pass"]["error"] = r.error
            print("r", end="", flush=True)
        results.append(res)
        m = res["median_wall_s"]
        print(f"  native {fmt_num(m.get('native'), 's')} s, qemu {fmt_num(m.get('qemu'), 's')} s, "
              f"faultline {fmt_num(m.get('faultline'), 's')} s"
              + (f", log on/off {fmt_num(res.get('log_over_nolog'), 'x')}" if w.fault_log else "")
              + (f"  FAILED: {res['errors'][0]}" if res.get("errors") else ""), flush=True)

    # The swap workloads again under each page replacement policy (faultline only: the
    # others do not swap), round robin within each repetition as above.
    policy_rows = []
    swap_workloads = [w for w in selected if w.needs == "swap" and has_swap]
    if swap_workloads and not args.no_policies:
        print(f"\nreplacement policies ({', '.join(POLICIES)}), faultline only:", flush=True)
    for w in swap_workloads if not args.no_policies else []:
        runs: dict[str, list[Run]] = {p: [] for p in POLICIES}
        print(f"{w.name:20} ", end="", flush=True)
        for rep in range(args.reps):
            order = list(POLICIES[rep % len(POLICIES):] + POLICIES[:rep % len(POLICIES)])
            for policy in order:
                r = run_once("faultline", command_for("faultline", w, faultline, subst, ["--policy", policy]),
                             args.timeout, work)
                runs[policy].append(r)
                print("x" if r.error else ".", end="", flush=True)
        rows = [summarize_policy(w, p, runs[p]) for p in POLICIES]
        policy_rows += rows
        print("  " + ", ".join(f"{r['policy']} {r.get('major', '?')} major faults" for r in rows), flush=True)

    by_name = {r["name"]: r for r in results}
    tgts = targets(by_name)
    info["finished"] = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
    info["loadavg_at_end"] = os.getloadavg()
    print()
    print(table(results, tgts, info))
    if policy_rows:
        print()
        print(policy_table(policy_rows))
    out = Path(args.json)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({**info, "workloads": results, "targets": tgts, "policies": policy_rows},
                              indent=1, default=str) + "\n")
    print(f"\nwrote {out}")
    return 1 if any(r.get("errors") for r in results) or any(r.get("error") for r in policy_rows) else 0


if __name__ == "__main__":
    sys.exit(main())
