// The header and the plots of the fault logs (see common.js).

// --- header and legend -------------------------------------------------------------

function drawHeader() {
  const s = data.source;
  document.getElementById("source").textContent =
    `${s.dir}: ${count(s.events)} faults from ${count(s.files)} log file${s.files === 1 ? "" : "s"}, ` +
    `${count(s.processes)} process${s.processes === 1 ? "" : "es"}; ` +
    `x axis: ${data.axis.label}` + (data.axis.unit === "ns" ? ` (0 to ${duration(data.axis.last)})` : "") +
    (s.access_files > 0 ? `; ${count(s.access_samples)} working-set samples from ${count(s.access_files)} ` +
                          `access file${s.access_files === 1 ? "" : "s"}` : "");
  const malformed = s.malformed_lines + (s.access_malformed_lines || 0);
  if (malformed > 0) {
    const p = document.getElementById("problems");
    p.hidden = false;
    p.textContent = `${count(malformed)} malformed line${malformed === 1 ? " was" : "s were"} skipped (faultline report names them on stderr).`;
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
  const { canvas, ctx } = makeCanvas(figure, "heatmap-canvas", height);
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

  drawBandLabels(ctx, heat.bands, rowY, rowH, m.left, plotW);

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
  note.textContent = "Distinct pages each process has faulted in so far (any fault that did not become a signal " +
    "maps its page; page reclaim takes it away again), drawn from its first fault to its last, and, dashed, " +
    "its pages in swap (paged out, until swapped in). The log has no munmap, exec or exit records, " +
    "so this is an upper bound on what stayed resident, not RSS." +
    (curves.left_out ? ` ${curves.left_out} smaller process${curves.left_out === 1 ? "" : "es"} left out.` : "");
  if (curves.series.length === 0) return empty(figure, "No processes.");
  drawStepLines(figure, curves.series, {
    bins: data.axis.bins, height: 230, yLabel: "pages",
    title: (s) => `pid ${s.pid} ${s.comm}: ${s.label}, peak ${count(s.peak)}`,
    label: (s) => `pid ${s.pid} ${truncate(s.comm, 40)} (${s.label}, peak ${count(s.peak)})`,
    dash: (s) => s.state === "resident" ? "none" : "5 3",
  });
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
