#!/usr/bin/env python3
"""faultline report in a real browser: make a fault log with working-set samples
(--sample-access) from guest programs, run `faultline report`, open report.html in
headless Chromium and check that

  - the page ran without a console message (JS errors show up as "CONSOLE ... Uncaught")
    and marked itself <body data-status="ok">;
  - the DOM after the script ran has the plots: one timeline area per fault kind in the
    logs, one curve per process, VMA bars for every process, heat-map cells on the canvas,
    working-set cells on theirs and one pages-per-period line per sampled process, a table
    row per process in both tables;
  - a screenshot shows them: each plot's region (the page records where they are) has
    coloured, non-blank pixels.

Each check is also run on deliberately broken copies of the page, which it must reject,
so a check that cannot fail is caught; and on the report of the same logs without the
samples, whose working-set plots must be seen as missing (the page says how to get them).

Usage: browser_test.py FAULTLINE GUEST_DIR
Exit status 77 (ctest: skipped) only when no Chromium is installed.
"""

import html
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import png  # noqa: E402

WINDOW = (1280, 3000)
SKIP = 77
FIGURES = ("timeline", "heatmap", "working-set", "working-set-lines", "curves", "layout")
WORKING_SET_FIGURES = ("working-set", "working-set-lines")


class Failure(Exception):
    pass


def find_chromium():
    for name in (os.environ.get("FAULTLINE_CHROMIUM"), "chromium", "chromium-browser"):
        if name and shutil.which(name):
            return shutil.which(name)
    return None


class Browser:
    def __init__(self, binary, work):
        self.binary = binary
        self.profile = os.path.join(work, "chromium-profile")

    def run(self, page, *mode):
        cmd = [self.binary, "--headless=new", "--no-sandbox", "--disable-gpu", "--enable-logging=stderr", "--v=0",
               "--no-first-run", "--disable-dev-shm-usage", "--hide-scrollbars", f"--user-data-dir={self.profile}",
               f"--window-size={WINDOW[0]},{WINDOW[1]}", *mode, "file://" + os.path.abspath(page)]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=90)
        if done.returncode != 0:
            raise Failure(f"chromium exited with {done.returncode}:\n{done.stderr[-2000:]}")
        return done.stdout, done.stderr


def console_messages(stderr):
    """Lines of Chromium's log that come from the page's console (errors, uncaught exceptions)."""
    return [line for line in stderr.splitlines() if ":CONSOLE" in line or "Uncaught" in line]


def body_attributes(dom):
    body = re.search(r"<body([^>]*)>", dom)
    if not body:
        raise Failure("no <body> in the dumped DOM")
    return {k: html.unescape(v) for k, v in re.findall(r'([\w-]+)="([^"]*)"', body.group(1))}


def section(dom, ident, closing="</section>"):
    start = dom.find(f'id="{ident}"')
    if start < 0:
        raise Failure(f"no element #{ident} in the DOM")
    end = dom.find(closing, start)
    return dom[start:end if end >= 0 else len(dom)]


def check_dom(dom, stderr, expect):
    """The page after its script ran: status, console, and what each plot drew."""
    problems = [f"console: {line.strip()}" for line in console_messages(stderr)]
    attrs = body_attributes(dom)
    if attrs.get("data-status") != "ok":
        problems.append(f"body data-status is {attrs.get('data-status')!r}, not 'ok'")
    timeline = section(dom, "timeline")
    if timeline.count("<path") != expect["kinds"]:
        problems.append(f"timeline: {timeline.count('<path')} areas, expected one per kind ({expect['kinds']})")
    heat = section(dom, "heatmap")
    cells = re.search(r'data-cells="(\d+)"', heat)
    if "<canvas" not in heat or not cells or int(cells.group(1)) == 0:
        problems.append("heat map: no canvas with drawn cells")
    curves = section(dom, "curves")
    if curves.count("<path") != expect["curves"]:
        problems.append(f"curves: {curves.count('<path')} lines, expected {expect['curves']}")
    working_set = section(dom, "working-set")
    cells = re.search(r'id="working-set-canvas"[^>]*data-cells="(\d+)"', working_set)
    if not cells or int(cells.group(1)) == 0:
        problems.append("working set: no canvas with drawn cells")
    lines = section(dom, "working-set-lines")
    if lines.count("<path") != expect["lines"]:
        problems.append(f"working-set lines: {lines.count('<path')}, expected {expect['lines']}")
    sampled = section(dom, "working-set-table", "</table>")
    if sampled.count("<tr") != expect["sampled"] + 1:
        problems.append(f"working-set table: {sampled.count('<tr') - 1} rows, expected {expect['sampled']}")
    layout = section(dom, "layout")
    if layout.count("<rect") < 2 * expect["processes"]:
        problems.append(f"layout: {layout.count('<rect')} VMA bars for {expect['processes']} processes")
    table = section(dom, "process-table", "</table>")
    if table.count("<tr") != expect["processes"] + 1:
        problems.append(f"process table: {table.count('<tr') - 1} rows, expected {expect['processes']}")
    try:
        figures = json.loads(attrs.get("data-figures", ""))
    except ValueError:
        figures = None
        problems.append("body has no data-figures (where the plots are)")
    return problems, figures


def region_stats(image, rect):
    """The share of coloured (not white, grey or black) pixels in `rect`, and how many
    distinct colours they have. Text, axes and the background are all grey."""
    x, y, w, h = rect
    x0, y0 = max(0, x), max(0, y)
    x1, y1 = min(image.width, x + w), min(image.height, y + h)
    if x1 <= x0 or y1 <= y0:
        return 0.0, 0
    coloured, colours, total = 0, set(), 0
    for py in range(y0, y1, 2):  # every other pixel is plenty and four times as fast
        for px in range(x0, x1, 2):
            r, g, b = image.pixel(px, py)
            total += 1
            if max(r, g, b) - min(r, g, b) > 40:
                coloured += 1
                colours.add((r >> 3, g >> 3, b >> 3))
    return coloured / total, len(colours)


# Least distinct colours and coloured share of each plot's region: a stacked area per kind,
# heat-map cells (one kind may be all there is), one line per process, the VMA bars.
# A run whose faults all fall in a few time bins colours only ~0.2% of the timeline. The
# working-set map has at least two shades when anything was touched, and a line per process.
THRESHOLDS = {"timeline": (3, 0.001), "heatmap": (1, 0.001), "working-set": (2, 0.001),
              "working-set-lines": (1, 0.0005), "curves": (1, 0.0005), "layout": (2, 0.05)}


def check_screenshot(path, figures, seen=None):
    """Problems with the plots in the screenshot; `seen` gets each region's numbers."""
    if not figures:
        return ["no plot regions to look at"]
    bottom = max(y + h for (_, y, _, h) in figures.values())
    image = png.read_png(path, max_rows=min(bottom, WINDOW[1]))
    problems = []
    for name in FIGURES:
        rect = figures.get(name)
        if not rect or rect[1] >= WINDOW[1]:
            problems.append(f"{name}: not inside the {WINDOW[0]}x{WINDOW[1]} screenshot ({rect})")
            continue
        share, colours = region_stats(image, rect)
        if seen is not None:
            seen[name] = f"{colours} colours, {share:.2%} coloured"
        least_colours, least_share = THRESHOLDS[name]
        if colours < least_colours or share < least_share:
            problems.append(f"{name}: region {rect} looks blank ({colours} colours, {share:.2%} coloured)")
    return problems


def expectations(log_dir):
    """What the page must show, from the logs themselves (read here with Python's json)."""
    kinds, pids, sampled = set(), set(), set()
    for name in os.listdir(log_dir):
        if name.endswith(".faults.jsonl") or name.endswith(".access.jsonl"):
            with open(os.path.join(log_dir, name)) as f:
                for line in f:
                    record = json.loads(line)
                    if name.endswith(".access.jsonl"):
                        sampled.add(record["pid"])
                        continue
                    kinds.add(record["kind"])
                    pids.add(record["pid"])
    return {"kinds": len(kinds), "processes": len(pids), "curves": min(len(pids), 12), "pids": pids,
            "sampled": len(sampled), "lines": min(len(sampled), 12)}


def broken_copy(page, work, name, edit):
    text = open(page, encoding="utf-8").read()
    out = os.path.join(work, name)
    with open(out, "w", encoding="utf-8") as f:
        f.write(edit(text))
    return out


def inject_before_body_end(snippet):
    return lambda text: text.replace("</body>", snippet + "\n</body>")


def main():
    faultline, guests = sys.argv[1], sys.argv[2]
    chromium = find_chromium()
    if not chromium:
        print("SKIP: no Chromium to open the report in (install the Debian package `chromium`; "
              "bootstrap.sh does)")
        return SKIP
    work = tempfile.mkdtemp(prefix="faultline-report-test-")
    try:
        return run(faultline, guests, Browser(chromium, work), work)
    except Failure as e:
        print(f"FAIL: {e}")
        return 1
    finally:
        shutil.rmtree(work, ignore_errors=True)


def run(faultline, guests, browser, work):
    logs = os.path.join(work, "logs")
    touch = os.path.join(guests, "cli", "touch_pages")
    busybox = "/bin/busybox"
    if os.access(busybox, os.X_OK):
        # Several processes and most kinds: fork (cow-*), exec, files, a child that
        # touches 4 MiB (demand-zero).
        command = [busybox, "sh", "-c", f"{touch} 4; ls -l / | sort | gzip -c | wc -c"]
    else:
        command = [touch, "4"]
    subprocess.run([faultline, "run", "--fault-log", logs, "--sample-access", "20us", "--", *command], check=True,
                   timeout=120, stdout=subprocess.DEVNULL)
    expect = expectations(logs)
    if expect["sampled"] == 0:
        raise Failure(f"--sample-access wrote no samples in {logs}")

    done = subprocess.run([faultline, "report", logs], capture_output=True, text=True, timeout=120)
    if done.returncode != 0 or done.stderr:
        raise Failure(f"faultline report exited with {done.returncode}:\n{done.stdout}\n{done.stderr}")
    for pid in expect["pids"]:
        if not re.search(rf"^\s*{pid}\s", done.stdout, re.M):
            raise Failure(f"pid {pid} is not in the process table:\n{done.stdout}")
    page = os.path.join(logs, "report.html")
    text = open(page, encoding="utf-8").read()
    if len(text) > 2 << 20:
        raise Failure(f"report.html is {len(text)} bytes")
    external = re.findall(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//|@import|url\(""", text)
    if external:
        raise Failure(f"report.html is not self-contained: {external}")

    # The real page: every check passes.
    dom, stderr = browser.run(page, "--dump-dom")
    problems, figures = check_dom(dom, stderr, expect)
    shot = os.path.join(work, "report.png")
    _, stderr = browser.run(page, f"--screenshot={shot}")
    problems += [f"console: {line}" for line in console_messages(stderr)]
    seen = {}
    problems += check_screenshot(shot, figures, seen)
    if problems:
        raise Failure("report.html:\n  " + "\n  ".join(problems))
    print(f"ok: {expect['processes']} processes, {expect['kinds']} kinds, {expect['sampled']} sampled; "
          f"plots at {figures}; {seen}")

    # Broken pages: the checks must notice. A script error outside the report's own code
    # (seen only on the console), and data the script cannot draw (seen on the console
    # and in data-status).
    thrown = broken_copy(page, work, "thrown.html", inject_before_body_end("<script>faultline_is_broken();</script>"))
    dom, stderr = browser.run(thrown, "--dump-dom")
    if not any("Uncaught" in p for p in check_dom(dom, stderr, expect)[0]):
        raise Failure("an uncaught exception on the page went unnoticed")
    bad_data = broken_copy(page, work, "bad-data.html",
                           lambda t: re.sub(r'(id="faultline-data">)[^<]*', r'\1{"kinds":[]}', t, count=1))
    dom, stderr = browser.run(bad_data, "--dump-dom")
    caught = check_dom(dom, stderr, expect)[0]
    if not any("data-status" in p for p in caught) or not console_messages(stderr):
        raise Failure(f"a page that failed to draw went unnoticed: {caught}")
    # Plots hidden: the DOM is complete, but the screenshot check must see blank regions.
    hidden = broken_copy(page, work, "hidden.html",
                         inject_before_body_end("<style>.figure { visibility: hidden; }</style>"))
    _, stderr = browser.run(hidden, f"--screenshot={shot}")
    blank = check_screenshot(shot, figures)
    if len(blank) != len(FIGURES):
        raise Failure(f"hidden plots were not all seen as blank: {blank}")
    # The same logs without the samples: the page says how to get them, and both the DOM
    # and the screenshot checks see that the working-set plots are missing.
    unsampled = os.path.join(work, "unsampled")
    os.mkdir(unsampled)
    for name in os.listdir(logs):
        if name.endswith(".faults.jsonl"):
            shutil.copy(os.path.join(logs, name), unsampled)
    done = subprocess.run([faultline, "report", unsampled], capture_output=True, text=True, timeout=120)
    if done.returncode != 0 or "Working set" in done.stdout:
        raise Failure(f"faultline report without samples:\n{done.stdout}\n{done.stderr}")
    page = os.path.join(unsampled, "report.html")
    dom, stderr = browser.run(page, "--dump-dom")
    missing, figures = check_dom(dom, stderr, expect)
    if "--sample-access" not in section(dom, "working-set") or sorted(missing) != sorted([
            "working set: no canvas with drawn cells",
            "working-set lines: 0, expected " + str(expect["lines"]),
            f"working-set table: -1 rows, expected {expect['sampled']}"]):
        raise Failure(f"a report without samples: {missing}")
    _, stderr = browser.run(page, f"--screenshot={shot}")
    blank = check_screenshot(shot, figures)
    if sorted(p.split(":")[0] for p in blank) != sorted(WORKING_SET_FIGURES) or console_messages(stderr):
        raise Failure(f"a report without samples: the screenshot check found {blank}")
    print("ok: the checks reject a thrown error, undrawable data, hidden plots, and missing samples")
    return 0


if __name__ == "__main__":
    sys.exit(main())
