// faultline report: draws the plots of report.html from the JSON in #faultline-data
// (written by tools/report/page_data.cpp). Plain DOM, SVG and canvas: no libraries.
"use strict";

(function () {
  const SVG_NS = "http://www.w3.org/2000/svg";
  const WIDTH = 1200;
  const PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
                   "#e377c2", "#7f7f7f", "#bcbd22", "#17becf", "#393b79", "#637939"];

  const data = JSON.parse(document.getElementById("faultline-data").textContent);
  const kinds = data.kinds;

  // --- small helpers -----------------------------------------------------------------

  function svgElement(tag, attrs, parent) {
    const e = document.createElementNS(SVG_NS, tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
    if (parent) parent.appendChild(e);
    return e;
  }

  function htmlElement(tag, attrs, parent, text) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
    if (text !== undefined) e.textContent = text;
    if (parent) parent.appendChild(e);
    return e;
  }

  function svgText(parent, x, y, text, attrs) {
    const t = svgElement("text", Object.assign({ x: x, y: y }, attrs || {}), parent);
    t.textContent = text;
    return t;
  }

  function tooltip(element, text) {
    svgElement("title", {}, element).textContent = text;
  }

  function count(n) {
    return Number(n).toLocaleString("en-US");
  }

  function duration(ns) {
    if (ns < 1e3) return ns.toFixed(0) + " ns";
    if (ns < 1e6) return (ns / 1e3).toFixed(ns < 1e4 ? 1 : 0) + " µs";
    if (ns < 1e9) return (ns / 1e6).toFixed(ns < 1e7 ? 2 : 1) + " ms";
    return (ns / 1e9).toFixed(2) + " s";
  }

  // A position on the shared x axis (time in ns, or a sequence number).
  function axisValue(v) {
    return data.axis.unit === "ns" ? duration(v) : "#" + count(Math.round(v));
  }

  function baseName(path) {
    const slash = path.lastIndexOf("/");
    return slash >= 0 && slash < path.length - 1 ? path.slice(slash + 1) : path;
  }

  function truncate(text, max) {
    return text.length > max ? text.slice(0, max - 1) + "…" : text;
  }

  // About `want` round tick values from 0 to max.
  function ticks(max, want) {
    if (!(max > 0)) return [0];
    const raw = max / want;
    const step = Math.pow(10, Math.floor(Math.log10(raw)));
    const nice = [1, 2, 5, 10].map((m) => m * step).find((s) => s >= raw);
    const out = [];
    for (let v = 0; v <= max + 1e-9; v += nice) out.push(v);
    return out;
  }

  function section(id) {
    const s = document.getElementById(id);
    return { figure: s.querySelector(".figure"), note: s.querySelector(".note") };
  }

  function empty(figure, text) {
    htmlElement("p", { class: "empty" }, figure, text);
  }

  // x of the start of bin b of `bins` inside [left, left + width].
  function binX(b, bins, left, width) {
    return left + (b / bins) * width;
  }

  function drawTimeAxis(g, left, width, y) {
    const axis = svgElement("g", { class: "axis" }, g);
    svgElement("line", { x1: left, x2: left + width, y1: y, y2: y }, axis);
    const span = data.axis.last - data.axis.first + 1;
    for (let i = 0; i <= 5; i++) {
      const x = left + (i / 5) * width;
      svgElement("line", { x1: x, x2: x, y1: y, y2: y + 4 }, axis);
      svgText(axis, x, y + 15, axisValue(data.axis.first + (i / 5) * span),
              { "text-anchor": i === 0 ? "start" : i === 5 ? "end" : "middle" });
    }
  }

  function drawCountAxis(g, left, top, height, max, label) {
    const axis = svgElement("g", { class: "axis" }, g);
    const grid = svgElement("g", { class: "grid" }, g);
    svgElement("line", { x1: left, x2: left, y1: top, y2: top + height }, axis);
    for (const v of ticks(max, 4)) {
      const y = top + height - (v / max) * height;
      svgElement("line", { x1: left - 4, x2: left, y1: y, y2: y }, axis);
      if (v > 0) svgElement("line", { x1: left, x2: left + WIDTH, y1: y, y2: y }, grid);
      svgText(axis, left - 6, y + 4, count(v), { "text-anchor": "end" });
    }
    svgText(axis, 12, top + height / 2, label, { transform: `rotate(-90 12 ${top + height / 2})`, "text-anchor": "middle" });
  }

  // --- header and legend -------------------------------------------------------------

  function drawHeader() {
    const s = data.source;
    document.getElementById("source").textContent =
      `${s.dir}: ${count(s.events)} faults from ${count(s.files)} log file${s.files === 1 ? "" : "s"}, ` +
      `${count(s.processes)} process${s.processes === 1 ? "" : "es"}; ` +
      `x axis: ${data.axis.label}` + (data.axis.unit === "ns" ? ` (0 to ${duration(data.axis.last)})` : "");
    if (s.malformed_lines > 0) {
      const p = document.getElementById("problems");
      p.hidden = false;
      p.textContent = `${count(s.malformed_lines)} malformed line${s.malformed_lines === 1 ? " was" : "s were"} skipped (faultline report names them on stderr).`;
    }
    const legend = document.getElementById("legend");
    const used = new Set(data.timeline.map((t) => t.kind));
    kinds.forEach((k, i) => {
      if (!used.has(i)) return;
      const item = htmlElement("span", {}, legend);
      htmlElement("i", { style: `background:${k.colour}` }, item);
      htmlElement("span", {}, item, k.name);
    });
  }

  // --- (a) faults over time, stacked by kind ----------------------------------------------

  function drawTimeline() {
    const { figure, note } = section("timeline");
    const bins = data.axis.bins;
    note.textContent = `Faults per time bin (${bins} bins over the run), stacked by kind.`;
    if (data.timeline.length === 0) return empty(figure, "No faults.");
    const m = { left: 70, right: 10, top: 8, bottom: 28 };
    const height = 230, plotW = WIDTH - m.left - m.right, plotH = height - m.top - m.bottom;
    const totals = new Array(bins).fill(0);
    for (const t of data.timeline) t.counts.forEach((c, b) => { totals[b] += c; });
    const max = Math.max(1, ...totals);
    const svg = svgElement("svg", { width: WIDTH, height: height, viewBox: `0 0 ${WIDTH} ${height}` }, figure);
    drawCountAxis(svg, m.left, m.top, plotH, max, "faults / bin");
    const below = new Array(bins).fill(0);
    const y = (v) => m.top + plotH - (v / max) * plotH;
    for (const t of data.timeline) {
      const top = [], bottom = [];
      for (let b = 0; b < bins; b++) {
        const x0 = binX(b, bins, m.left, plotW), x1 = binX(b + 1, bins, m.left, plotW);
        const lo = below[b], hi = below[b] + t.counts[b];
        top.push(`${x0.toFixed(1)},${y(hi).toFixed(1)}`, `${x1.toFixed(1)},${y(hi).toFixed(1)}`);
        bottom.push(`${x1.toFixed(1)},${y(lo).toFixed(1)}`, `${x0.toFixed(1)},${y(lo).toFixed(1)}`);
        below[b] = hi;
      }
      const path = svgElement("path", {
        d: "M" + top.join("L") + "L" + bottom.reverse().join("L") + "Z",
        fill: kinds[t.kind].colour, stroke: "none", "data-kind": kinds[t.kind].name,
      }, svg);
      tooltip(path, `${kinds[t.kind].name}: ${count(t.counts.reduce((a, c) => a + c, 0))} faults`);
    }
    drawTimeAxis(svg, m.left, plotW, m.top + plotH);
  }

  // --- (b) address-space heat map ----------------------------------------------------------

  function drawHeatMap() {
    const { figure, note } = section("heatmap");
    const heat = data.heat;
    note.textContent = `Pages (y, the ${heat.bands.length} busiest address ranges stacked in address order, ` +
      `each showing only the span of pages that faulted) against time (x, ${heat.bins} bins); ` +
      `a cell's colour is its most frequent kind, darker for more faults. ` +
      `${count(heat.events_shown)} of ${count(data.source.events)} faults shown.`;
    if (heat.rows === 0 || heat.cells.length === 0) return empty(figure, "No faults.");
    const m = { left: 230, right: 10, top: 6, bottom: 28 };
    const plotH = Math.max(240, Math.min(480, heat.rows * 2));
    const height = plotH + m.top, plotW = WIDTH - m.left - m.right;
    const canvas = htmlElement("canvas", { id: "heatmap-canvas" }, figure);
    const ratio = window.devicePixelRatio || 1;
    canvas.width = Math.round(WIDTH * ratio);
    canvas.height = Math.round(height * ratio);
    canvas.style.width = WIDTH + "px";
    canvas.style.height = height + "px";
    const ctx = canvas.getContext("2d");
    ctx.scale(ratio, ratio);
    ctx.fillStyle = "#fafafa";
    ctx.fillRect(m.left, m.top, plotW, plotH);

    const rowH = plotH / heat.rows, cellW = plotW / heat.bins;
    const rowY = (row) => m.top + plotH - (row + 1) * rowH;  // row 0 (lowest address) at the bottom
    let maxCount = 1;
    for (let i = 3; i < heat.cells.length; i += 4) maxCount = Math.max(maxCount, heat.cells[i]);
    const scale = Math.log1p(maxCount);
    let drawn = 0;
    for (let i = 0; i + 3 < heat.cells.length; i += 4) {
      const [bin, row, kind, n] = [heat.cells[i], heat.cells[i + 1], heat.cells[i + 2], heat.cells[i + 3]];
      ctx.globalAlpha = 0.35 + 0.65 * (Math.log1p(n) / scale);
      ctx.fillStyle = kinds[kind].colour;
      // At least a pixel wide and high, so that single faults stay visible.
      ctx.fillRect(m.left + bin * cellW, rowY(row), Math.max(cellW, 1.5), Math.max(rowH, 1.5));
      drawn++;
    }
    ctx.globalAlpha = 1;

    ctx.font = "11px system-ui, 'DejaVu Sans', sans-serif";
    ctx.textBaseline = "middle";
    heat.bands.forEach((band, i) => {
      const yTop = rowY(band.first_row + band.rows - 1), yBottom = rowY(band.first_row) + rowH;
      ctx.strokeStyle = "#bbb";
      ctx.beginPath();
      ctx.moveTo(m.left - 6, yBottom + 0.5);
      ctx.lineTo(m.left + plotW, yBottom + 0.5);
      ctx.stroke();
      ctx.fillStyle = i % 2 ? "#555" : "#222";
      ctx.textAlign = "right";
      const mid = (yTop + yBottom) / 2;
      if (yBottom - yTop >= 9) {
        ctx.fillText(truncate(baseName(band.label), 22) + "  " + band.first_page, m.left - 8, mid);
      }
    });
    ctx.fillStyle = "#222";
    ctx.textAlign = "start";

    // The time axis under the canvas, drawn the same way as the other plots.
    const axisSvg = svgElement("svg", { width: WIDTH, height: m.bottom, viewBox: `0 0 ${WIDTH} ${m.bottom}` }, figure);
    drawTimeAxis(axisSvg, m.left, plotW, 1);
    canvas.dataset.cells = String(drawn);
    canvas.dataset.bands = String(heat.bands.length);
    const list = htmlElement("p", { class: "note" }, figure);
    list.textContent = "Ranges, top to bottom: " + heat.bands.slice().reverse()
      .map((b) => `${b.label} ${b.first_page}–${b.last_page} (${count(b.faults)} faults)`).join("; ");
  }

  // --- (c) pages per process over time --------------------------------------------------

  function drawCurves() {
    const { figure, note } = section("curves");
    const curves = data.curves;
    const bins = data.axis.bins;
    note.textContent = "Distinct pages each process has faulted in so far (any fault that did not become a signal " +
      "maps its page), drawn from its first fault to its last. The log has no munmap, exec or exit records, " +
      "so this is an upper bound on what stayed resident, not RSS." +
      (curves.left_out ? ` ${curves.left_out} smaller process${curves.left_out === 1 ? "" : "es"} left out.` : "");
    if (curves.series.length === 0) return empty(figure, "No processes.");
    const m = { left: 70, right: 10, top: 8, bottom: 28 };
    const height = 230, plotW = WIDTH - m.left - m.right, plotH = height - m.top - m.bottom;
    let max = 1;
    for (const s of curves.series) for (const v of s.values) if (v !== null) max = Math.max(max, v);
    const svg = svgElement("svg", { width: WIDTH, height: height, viewBox: `0 0 ${WIDTH} ${height}` }, figure);
    drawCountAxis(svg, m.left, m.top, plotH, max, "pages");
    const y = (v) => (m.top + plotH - (v / max) * plotH).toFixed(1);
    const legend = htmlElement("div", { class: "legend" }, figure);
    curves.series.forEach((s, i) => {
      const colour = PALETTE[i % PALETTE.length];
      let d = "", open = false;
      for (let b = 0; b < bins; b++) {
        const v = s.values[b];
        if (v === null) { open = false; continue; }
        const x0 = binX(b, bins, m.left, plotW).toFixed(1), x1 = binX(b + 1, bins, m.left, plotW).toFixed(1);
        d += (open ? "L" : "M") + `${x0},${y(v)}L${x1},${y(v)}`;
        open = true;
      }
      const path = svgElement("path", {
        d: d, fill: "none", stroke: colour, "stroke-width": 1.8, "data-pid": s.pid,
        "stroke-dasharray": s.state === "resident" ? "none" : "5 3",
      }, svg);
      tooltip(path, `pid ${s.pid} ${s.comm}: ${s.label}, peak ${count(s.peak)}`);
      const item = htmlElement("span", {}, legend);
      htmlElement("i", { style: `background:${colour}` }, item);
      htmlElement("span", {}, item, `pid ${s.pid} ${truncate(s.comm, 40)} (${s.label}, peak ${count(s.peak)})`);
    });
    drawTimeAxis(svg, m.left, plotW, m.top + plotH);
  }

  // --- (d) VMA layout -----------------------------------------------------------------

  function permsColour(perms) {
    if (perms[2] === "x") return "#fdae6b";
    if (perms[1] === "w") return "#9ecae1";
    if (perms[0] === "r") return "#d9d9d9";
    return "#f4f4f4";
  }

  function drawLayout() {
    const { figure, note } = section("layout");
    const layouts = data.layouts;
    note.textContent = "Each process's VMAs as its faults named them, in address order. Widths grow with " +
      "log2 of the size; gaps between mappings are not to scale. Colour: orange executable, blue writable, " +
      "grey read-only. Hover for the range." +
      (layouts.left_out ? ` ${layouts.left_out} process${layouts.left_out === 1 ? "" : "es"} with fewer faults left out.` : "");
    if (layouts.processes.length === 0) return empty(figure, "No VMAs.");
    const labelW = 190, rowH = 26, gapW = 10;
    const height = layouts.processes.length * rowH + 4;
    const svg = svgElement("svg", { width: WIDTH, height: height, viewBox: `0 0 ${WIDTH} ${height}` }, figure);
    layouts.processes.forEach((p, row) => {
      const y = row * rowH + 2;
      svgText(svg, 0, y + rowH / 2 + 3, truncate(`pid ${p.pid} ${p.comm}`, 30));
      const weights = p.vmas.map((v) => 1 + Math.log2(Math.max(1, v.pages)));
      let gaps = 0;
      for (let i = 1; i < p.vmas.length; i++) if (p.vmas[i].start !== p.vmas[i - 1].end) gaps++;
      const total = weights.reduce((a, w) => a + w, 0);
      const unit = (WIDTH - labelW - gaps * gapW) / total;
      let x = labelW;
      p.vmas.forEach((v, i) => {
        if (i > 0 && v.start !== p.vmas[i - 1].end) x += gapW;
        const w = Math.max(1, weights[i] * unit);
        const rect = svgElement("rect", {
          x: x.toFixed(1), y: y, width: Math.max(1, w - 1).toFixed(1), height: rowH - 6,
          fill: permsColour(v.perms), stroke: "#888", "stroke-width": 0.5, "data-name": v.name,
        }, svg);
        tooltip(rect, `${v.name} ${v.perms} ${v.start}–${v.end} (${count(v.pages)} pages), ${count(v.faults)} faults`);
        const label = baseName(v.name);
        if (w > 30) svgText(svg, x + 3, y + rowH / 2, truncate(label, Math.floor((w - 6) / 6.2)));
        x += w;
      });
    });
  }

  // --- tables --------------------------------------------------------------------------

  function kindSummary(byKind) {
    return byKind.map((n, k) => [n, k]).filter(([n]) => n > 0).sort((a, b) => b[0] - a[0])
      .map(([n, k]) => `${kinds[k].name} ${count(n)}`).join(", ");
  }

  function fillTable(table, columns, rows) {
    const head = htmlElement("tr", {}, htmlElement("thead", {}, table));
    for (const c of columns) htmlElement("th", c.text ? { class: "text" } : {}, head, c.title);
    const body = htmlElement("tbody", {}, table);
    for (const r of rows) {
      const tr = htmlElement("tr", {}, body);
      for (const c of columns) htmlElement("td", c.text ? { class: "text" } : {}, tr, c.value(r));
    }
  }

  function drawTables() {
    fillTable(document.getElementById("process-table"), [
      { title: "pid", value: (p) => p.pid },
      { title: "comm", text: true, value: (p) => p.comm },
      { title: "events", value: (p) => count(p.events) },
      { title: "minor", value: (p) => count(p.minor) },
      { title: "major", value: (p) => count(p.major) },
      { title: "first", value: (p) => duration(p.first_ns) },
      { title: "last", value: (p) => duration(p.last_ns) },
      { title: "pages", value: (p) => count(p.pages) },
      { title: "by kind", text: true, value: (p) => kindSummary(p.by_kind) },
    ], data.processes);
    if (data.processes_left_out > 0) {
      const note = htmlElement("p", { class: "note" }, null,
        `${count(data.processes_left_out)} processes with fewer faults are left out of this table (stdout has them all).`);
      document.getElementById("process-table").after(note);
    }
    fillTable(document.getElementById("vma-table"), [
      { title: "faults", value: (v) => count(v.events) },
      { title: "minor", value: (v) => count(v.minor) },
      { title: "major", value: (v) => count(v.major) },
      { title: "procs", value: (v) => count(v.processes) },
      { title: "pages", value: (v) => count(v.pages) },
      { title: "vma", text: true, value: (v) => v.name },
      { title: "by kind", text: true, value: (v) => kindSummary(v.by_kind) },
    ], data.vmas);
  }

  // --- run -----------------------------------------------------------------------------

  // One failing plot must not hide the others, nor go unnoticed: it is reported on the
  // page, marked on <body>, and logged as an error (which a headless test sees).
  const failures = [];
  for (const draw of [drawHeader, drawTimeline, drawHeatMap, drawCurves, drawLayout, drawTables]) {
    try {
      draw();
    } catch (e) {
      failures.push(`${draw.name}: ${e}`);
      console.error(`faultline report: ${draw.name} failed:`, e && e.stack ? e.stack : e);
    }
  }
  const where = {};
  for (const id of ["timeline", "heatmap", "curves", "layout"]) {
    const r = document.getElementById(id).querySelector(".figure").getBoundingClientRect();
    where[id] = [Math.round(r.left + window.scrollX), Math.round(r.top + window.scrollY),
                 Math.round(r.width), Math.round(r.height)];
  }
  document.body.dataset.figures = JSON.stringify(where);
  if (failures.length > 0) {
    const p = document.getElementById("problems");
    p.hidden = false;
    p.textContent = "This page failed to draw: " + failures.join("; ");
    document.body.dataset.status = "error";
  } else {
    document.body.dataset.status = "ok";
  }
})();
