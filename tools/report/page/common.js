// faultline report: the page's script, part 1 of 5 (common.js, fault_plots.js,
// working_set.js, tables.js, main.js). embed_assets.cmake joins them in that order inside
// one function in report.html, so they share these constants and helpers. They draw the
// plots of report.html from the JSON in #faultline-data (written by tools/report/page_data.cpp
// and page_working_set.cpp). Plain DOM, SVG and canvas: no libraries.

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

// A position on an x axis (time in ns, or a sequence number).
function axisValue(v, unit) {
  return unit === "ns" ? duration(v) : "#" + count(Math.round(v));
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

// The x axis: the fault plots' shared one (data.axis), or `range` ({first, last, unit}).
function drawTimeAxis(g, left, width, y, range) {
  const r = range || data.axis;
  const axis = svgElement("g", { class: "axis" }, g);
  svgElement("line", { x1: left, x2: left + width, y1: y, y2: y }, axis);
  const span = r.last - r.first + 1;
  for (let i = 0; i <= 5; i++) {
    const x = left + (i / 5) * width;
    svgElement("line", { x1: x, x2: x, y1: y, y2: y + 4 }, axis);
    svgText(axis, x, y + 15, axisValue(r.first + (i / 5) * span, r.unit),
            { "text-anchor": i === 0 ? "start" : i === 5 ? "end" : "middle" });
  }
}

// A canvas of WIDTH x height CSS pixels, sharp on high-density screens.
function makeCanvas(figure, id, height) {
  const canvas = htmlElement("canvas", { id: id }, figure);
  const ratio = window.devicePixelRatio || 1;
  canvas.width = Math.round(WIDTH * ratio);
  canvas.height = Math.round(height * ratio);
  canvas.style.width = WIDTH + "px";
  canvas.style.height = height + "px";
  const ctx = canvas.getContext("2d");
  ctx.scale(ratio, ratio);
  return { canvas, ctx };
}

// The bands of a heat map's compressed address axis (tools/report/address_bands.h): a rule
// under each and its label on the left, where there is room. rowY(row) is a row's top.
function drawBandLabels(ctx, bands, rowY, rowH, left, width) {
  ctx.font = "11px system-ui, 'DejaVu Sans', sans-serif";
  ctx.textBaseline = "middle";
  bands.forEach((band, i) => {
    const yTop = rowY(band.first_row + band.rows - 1), yBottom = rowY(band.first_row) + rowH;
    ctx.strokeStyle = "#bbb";
    ctx.beginPath();
    ctx.moveTo(left - 6, yBottom + 0.5);
    ctx.lineTo(left + width, yBottom + 0.5);
    ctx.stroke();
    ctx.fillStyle = i % 2 ? "#555" : "#222";
    ctx.textAlign = "right";
    if (yBottom - yTop >= 9) {
      ctx.fillText(truncate(baseName(band.label), 22) + "  " + band.first_page, left - 8, (yTop + yBottom) / 2);
    }
  });
  ctx.fillStyle = "#222";
  ctx.textAlign = "start";
}

// Step lines, one per series ({pid, values: [number or null per bin]}), on an SVG with a
// count axis, coloured from PALETTE, with a legend under the plot. `o`: bins, height,
// yLabel, title(s) and label(s) (its tooltip and legend text), dash(s) (optional), range
// (the x axis, as drawTimeAxis takes it).
function drawStepLines(figure, series, o) {
  const m = { left: 70, right: 10, top: 8, bottom: 28 };
  const plotW = WIDTH - m.left - m.right, plotH = o.height - m.top - m.bottom;
  let max = 1;
  for (const s of series) for (const v of s.values) if (v !== null) max = Math.max(max, v);
  const svg = svgElement("svg", { width: WIDTH, height: o.height, viewBox: `0 0 ${WIDTH} ${o.height}` }, figure);
  drawCountAxis(svg, m.left, m.top, plotH, max, o.yLabel);
  const y = (v) => (m.top + plotH - (v / max) * plotH).toFixed(1);
  const legend = htmlElement("div", { class: "legend" }, figure);
  series.forEach((s, i) => {
    const colour = PALETTE[i % PALETTE.length];
    let d = "", open = false;
    for (let b = 0; b < o.bins; b++) {
      const v = s.values[b];
      if (v === null) { open = false; continue; }
      const x0 = binX(b, o.bins, m.left, plotW).toFixed(1), x1 = binX(b + 1, o.bins, m.left, plotW).toFixed(1);
      d += (open ? "L" : "M") + `${x0},${y(v)}L${x1},${y(v)}`;
      open = true;
    }
    const path = svgElement("path", {
      d: d, fill: "none", stroke: colour, "stroke-width": 1.8, "data-pid": s.pid,
      "stroke-dasharray": o.dash ? o.dash(s) : "none",
    }, svg);
    tooltip(path, o.title(s));
    const item = htmlElement("span", {}, legend);
    htmlElement("i", { style: `background:${colour}` }, item);
    htmlElement("span", {}, item, o.label(s));
  });
  drawTimeAxis(svg, m.left, plotW, m.top + plotH, o.range);
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
