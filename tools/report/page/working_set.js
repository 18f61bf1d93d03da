// The working-set plots (see common.js): the heat map of pages touched per sampling period
// and a line per process, from data.working_set (tools/report/page_working_set.cpp), which
// is null when the directory has no DIR/<pid>.access.jsonl.

// Light to dark: few to all of a row's pages touched per period (every stop is saturated
// enough to tell from the grey of text and axes).
const TOUCH_RAMP = ["#c7e9b4", "#7fcdbb", "#41b6c4", "#1d91c0", "#225ea8", "#0c2c84"];

function rampColour(t) {
  const x = Math.min(Math.max(t, 0), 1) * (TOUCH_RAMP.length - 1);
  const i = Math.min(Math.floor(x), TOUCH_RAMP.length - 2), f = x - i;
  const rgb = (hex) => [1, 3, 5].map((k) => parseInt(hex.slice(k, k + 2), 16));
  const a = rgb(TOUCH_RAMP[i]), b = rgb(TOUCH_RAMP[i + 1]);
  return `rgb(${a.map((v, k) => Math.round(v + (b[k] - v) * f)).join(",")})`;
}

function samplingHint() {
  return "No working-set samples in this directory. Record them with faultline run --fault-log DIR " +
    "--sample-access PERIOD -- PROGRAM (e.g. --sample-access 1ms): every PERIOD of virtual time each " +
    "process's touched pages (its Accessed bits) go to DIR/<pid>.access.jsonl, and faultline report DIR " +
    "draws them here.";
}

// The working-set plots' x axis, as drawTimeAxis takes it.
function sampleRange(axis) {
  return { first: axis.first_ns, last: axis.first_ns + axis.bins * axis.bin_ns - 1, unit: "ns" };
}

function perPeriod(axis) {
  return axis.periods_per_bin === 1 ? `each ${duration(axis.period_ns)} period`
    : `${duration(axis.bin_ns)} columns (${axis.periods_per_bin} periods of ${duration(axis.period_ns)}, averaged)`;
}

function drawWorkingSet() {
  const { figure, note } = section("working-set");
  const ws = data.working_set;
  if (!ws) return empty(figure, samplingHint());
  const map = ws.map, axis = ws.axis;
  note.textContent = `Pages (y, the ${map.bands.length} address ranges touched most, compressed like the fault ` +
    `heat map) against sample time (x, ${perPeriod(axis)}); a cell's colour is the share of its row's pages ` +
    `touched per period, summed over processes: light few, dark all. ` +
    `${count(map.touches_shown)} of ${count(map.touches)} page touches shown.`;
  if (map.rows === 0) return empty(figure, ws.samples > 0 ? "No sample touched a page." : "The access logs hold no valid samples.");
  const m = { left: 230, right: 10, top: 6, bottom: 28 };
  const plotH = Math.max(200, Math.min(400, map.rows * 2));
  const height = plotH + m.top, plotW = WIDTH - m.left - m.right;
  const { canvas, ctx } = makeCanvas(figure, "working-set-canvas", height);
  ctx.fillStyle = "#fafafa";
  ctx.fillRect(m.left, m.top, plotW, plotH);
  const rowH = plotH / map.rows, cellW = plotW / axis.bins;
  const rowY = (row) => m.top + plotH - (row + 1) * rowH;  // row 0 (lowest address) at the bottom
  let drawn = 0;
  map.levels.forEach((digits, row) => {
    for (let bin = 0; bin < digits.length; bin++) {
      const level = parseInt(digits[bin], 36);
      if (!(level > 0)) continue;
      ctx.fillStyle = rampColour(level / map.scale);
      ctx.fillRect(m.left + bin * cellW, rowY(row), Math.max(cellW, 1.5), Math.max(rowH, 1.5));
      drawn++;
    }
  });
  drawBandLabels(ctx, map.bands, rowY, rowH, m.left, plotW);
  canvas.dataset.cells = String(drawn);
  canvas.dataset.bands = String(map.bands.length);
  canvas.addEventListener("mousemove", (event) => {
    const r = canvas.getBoundingClientRect();
    const bin = Math.floor((event.clientX - r.left - m.left) / cellW);
    const row = map.rows - 1 - Math.floor((event.clientY - r.top - m.top) / rowH);
    const band = map.bands.find((b) => row >= b.first_row && row < b.first_row + b.rows);
    if (!band || bin < 0 || bin >= axis.bins) { canvas.title = ""; return; }
    const level = parseInt(map.levels[row][bin], 36), pages = map.row_pages[row];
    const at = axis.first_ns + bin * axis.bin_ns;
    canvas.title = `${band.label}, a row of ${count(pages)} page${pages === 1 ? "" : "s"}; ` +
      `${duration(at)} to ${duration(at + axis.bin_ns)}: ` +
      (level > 0 ? `up to ${Math.round((100 * level) / map.scale)}% of them touched per period` : "none touched");
  });

  const axisSvg = svgElement("svg", { width: WIDTH, height: m.bottom, viewBox: `0 0 ${WIDTH} ${m.bottom}` }, figure);
  drawTimeAxis(axisSvg, m.left, plotW, 1, sampleRange(axis));
  const key = htmlElement("div", { class: "legend" }, figure);
  for (const share of [0.05, 0.25, 0.5, 0.75, 1]) {
    const item = htmlElement("span", {}, key);
    htmlElement("i", { style: `background:${rampColour(share)}` }, item);
    htmlElement("span", {}, item, `${Math.round(share * 100)}% of the row's pages`);
  }
  const list = htmlElement("p", { class: "note" }, figure);
  list.textContent = "Ranges, top to bottom: " + map.bands.slice().reverse()
    .map((b) => `${b.label} ${b.first_page}–${b.last_page} (${count(b.touches)} page touches)`).join("; ");
}

function drawWorkingSetLines() {
  const { figure, note } = section("working-set-lines");
  const ws = data.working_set;
  if (!ws) return empty(figure, "No working-set samples (see above).");
  const lines = ws.lines, axis = ws.axis, k = axis.periods_per_bin;
  note.textContent = `Pages each process touched per period (${perPeriod(axis)}), from its first sample to its ` +
    "last; the last sample of a process covers less than a period." +
    (lines.left_out ? ` ${lines.left_out} process${lines.left_out === 1 ? "" : "es"} that touched fewer pages left out.` : "");
  if (lines.series.length === 0) return empty(figure, "No samples.");
  const series = lines.series.map((s) => Object.assign({}, s, { values: s.values.map((v) => v === null ? null : v / k) }));
  drawStepLines(figure, series, {
    bins: axis.bins, height: 170, yLabel: "pages / period", range: sampleRange(axis),
    title: (s) => `pid ${s.pid} ${s.comm}: at most ${count(s.peak / k)} pages touched per period`,
    label: (s) => `pid ${s.pid} ${truncate(s.comm, 40)} (at most ${count(s.peak / k)})`,
  });
}
