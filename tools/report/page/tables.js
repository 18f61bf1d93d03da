// The tables under the plots (see common.js).

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

function drawWorkingSetTable() {
  const table = document.getElementById("working-set-table");
  const ws = data.working_set;
  if (!ws) {
    table.after(htmlElement("p", { class: "empty" }, null,
      "No working-set samples: record them with faultline run --fault-log DIR --sample-access PERIOD."));
    return;
  }
  fillTable(table, [
    { title: "pid", value: (p) => p.pid },
    { title: "comm", text: true, value: (p) => p.comm },
    { title: "samples", value: (p) => count(p.samples) },
    { title: "mean pages / period", value: (p) => p.mean.toFixed(1) },
    { title: "max pages / period", value: (p) => count(p.max) },
    { title: "distinct pages", value: (p) => count(p.distinct) },
    { title: "first sample", value: (p) => duration(p.first_ns) },
    { title: "last sample", value: (p) => duration(p.last_ns) },
  ], ws.processes);
  if (ws.processes_left_out > 0) {
    table.after(htmlElement("p", { class: "note" }, null,
      `${count(ws.processes_left_out)} processes that touched fewer pages are left out of this table (stdout has them all).`));
  }
}
