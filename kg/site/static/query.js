// The query page. With YASGUI (vendored, kg/site/static/vendor/yasgui/) the editor completes
// prefixes and variables, checks the syntax, and shows results as a sortable table with CSV
// download; nothing is asked of any other host: the vocabulary completions that would ask
// lov.linkeddata.es are off, and the prefixes come from the catalogue's own PREFIX lines instead of
// prefix.cc. Without it (scripts off or blocked), the plain form below works: the catalogue fills
// the text area; Run asks /sparql for SPARQL JSON and shows a table (every value set as text,
// never as HTML); the download link asks for CSV.
(function () {
  "use strict";
  var queries = JSON.parse(document.getElementById("kg-queries").textContent);
  var pick = document.getElementById("catalogue");
  if (window.Yasgui) { editor(window.Yasgui); } else { plain(); }

  function catalogueText(name) {
    var text = null;
    queries.forEach(function (q) { if (q.name === name) { text = q.text; } });
    return text;
  }

  function prefixes() {
    var found = {}, pattern = /PREFIX\s+([A-Za-z][\w.-]*)?:\s*<([^>]*)>/gi, match;
    queries.forEach(function (q) {
      while ((match = pattern.exec(q.text)) !== null) { found[match[1] || ""] = match[2]; }
    });
    return found;
  }

  function editor(Yasgui) {
    var endpoint = new URL("/sparql", window.location.href).href;
    Yasgui.Yasqe.defaults.autocompleters = ["prefixes", "variables"];
    var known = prefixes();
    Yasgui.Yasqe.defaults.prefixCcApi = "data:application/json," + encodeURIComponent(JSON.stringify(known));
    document.getElementById("plain-editor").hidden = true;
    var yasgui = new Yasgui(document.getElementById("yasgui"), {
      requestConfig: { endpoint: endpoint, method: "POST" },
      copyEndpointOnNewTab: true,
      endpointCatalogueOptions: { getData: function () { return [{ endpoint: endpoint }]; } },
      persistenceId: null,
      populateFromUrl: false,
      autofocus: false,
      yasqe: { value: document.getElementById("query").value },
      yasr: { prefixes: known }
    });
    pick.addEventListener("change", function () {
      var text = catalogueText(pick.value);
      if (text !== null) { yasgui.getTab().getYasqe().setValue(text); }
    });
    accessible(document.getElementById("yasgui"));
  }

  // Names for YASGUI's unlabelled fields, and its scrolling editor reachable by keyboard.
  function accessible(root) {
    root.querySelectorAll(".autocomplete").forEach(function (el) { el.setAttribute("aria-label", "SPARQL endpoint"); });
    root.querySelectorAll(".CodeMirror textarea").forEach(function (el) { el.setAttribute("aria-label", "SPARQL query"); });
    root.querySelectorAll(".CodeMirror-scroll").forEach(function (el) { el.setAttribute("tabindex", "0"); });
  }

  function plain() {
    var editor = document.getElementById("query");
    var area = document.getElementById("results-area");
    var status = document.getElementById("status");
    var download = document.getElementById("download");
    function link() { download.href = "/sparql?query=" + encodeURIComponent(editor.value); download.setAttribute("download", "results.csv"); }
    pick.addEventListener("change", function () {
      var text = catalogueText(pick.value);
      if (text !== null) { editor.value = text; }
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
  }
})();
