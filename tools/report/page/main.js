// Runs the drawing (see common.js); the last part of the script.

// One failing plot must not hide the others, nor go unnoticed: it is reported on the
// page, marked on <body>, and logged as an error (which a headless test sees).
const failures = [];
const draws = [drawHeader, drawTimeline, drawHeatMap, drawWorkingSet, drawWorkingSetLines, drawCurves, drawLayout,
               drawTables, drawWorkingSetTable];
for (const draw of draws) {
  try {
    draw();
  } catch (e) {
    failures.push(`${draw.name}: ${e}`);
    console.error(`faultline report: ${draw.name} failed:`, e && e.stack ? e.stack : e);
  }
}
const where = {};
for (const id of ["timeline", "heatmap", "working-set", "working-set-lines", "curves", "layout"]) {
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
