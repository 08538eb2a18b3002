// The query page: the catalogue fills the editor; Run asks /sparql for SPARQL JSON and shows a
// table (every value set as text, never as HTML); the download link asks for CSV.
(function () {
  "use strict";
  var queries = JSON.parse(document.getElementById("kg-queries").textContent);
  var editor = document.getElementById("query");
  var pick = document.getElementById("catalogue");
  var area = document.getElementById("results-area");
  var status = document.getElementById("status");
  var download = document.getElementById("download");
  function link() { download.href = "/sparql?query=" + encodeURIComponent(editor.value); download.setAttribute("download", "results.csv"); }
  pick.addEventListener("change", function () {
    queries.forEach(function (q) { if (q.name === pick.value) { editor.value = q.text; } });
    link();
  });
  editor.addEventListener("input", link);
  download.addEventListener("click", function (event) {
    event.preventDefault();
    fetch("/sparql", { method: "POST", headers: { "Content-Type": "application/sparql-query", "Accept": "text/csv" }, body: editor.value })
      .then(function (r) { return r.blob(); })
      .then(function (blob) { var a = document.createElement("a"); a.href = URL.createObjectURL(blob); a.download = "results.csv"; a.click(); });
  });
  link();
  document.getElementById("query-form").addEventListener("submit", function (event) {
    event.preventDefault();
    status.textContent = "running…";
    area.textContent = "";
    fetch("/sparql", { method: "POST", headers: { "Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json" }, body: editor.value })
      .then(function (r) { return r.text().then(function (text) { return { ok: r.ok, status: r.status, text: text }; }); })
      .then(function (answer) {
        if (!answer.ok) { status.textContent = answer.status + ": " + answer.text; return; }
        var json = JSON.parse(answer.text);
        if (json.boolean !== undefined) { status.textContent = "answer: " + json.boolean; return; }
        var vars = json.head.vars, rows = json.results.bindings;
        status.textContent = rows.length + " rows";
        var table = document.createElement("table"), head = table.createTHead().insertRow();
        vars.forEach(function (v) { var th = document.createElement("th"); th.scope = "col"; th.textContent = v; head.appendChild(th); });
        var body = table.createTBody();
        rows.forEach(function (row) {
          var tr = body.insertRow();
          vars.forEach(function (v) { tr.insertCell().textContent = row[v] ? row[v].value : ""; });
        });
        area.appendChild(table);
      })
      .catch(function (e) { status.textContent = "failed: " + e; });
  });
})();
