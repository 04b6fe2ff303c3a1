// The verdict table: click a header to sort (again to reverse); the selects and the search box filter.
// No dependencies, no network.
(function () {
  "use strict";
  var table = document.getElementById("verdicts");
  if (!table) { return; }
  var tbody = table.tBodies[0];
  var rows = Array.prototype.slice.call(tbody.rows);
  var shown = document.getElementById("shown");

  function cellValue(row, key, type) {
    var cell = row.querySelector('td[data-key="' + key + '"]');
    if (!cell) { return type === "number" ? 0 : ""; }
    var raw = cell.getAttribute("data-value") || cell.textContent.trim();
    return type === "number" ? parseFloat(raw) || 0 : raw.toLowerCase();
  }

  function sortBy(th) {
    var key = th.getAttribute("data-key"), type = th.getAttribute("data-type");
    var asc = th.getAttribute("aria-sort") !== "ascending";
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (h) { h.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", asc ? "ascending" : "descending");
    rows.sort(function (a, b) {
      var x = cellValue(a, key, type), y = cellValue(b, key, type);
      var c = x < y ? -1 : x > y ? 1 : 0;
      return asc ? c : -c;
    });
    rows.forEach(function (r) { tbody.appendChild(r); });
  }

  function applyFilters() {
    var wanted = {};
    document.querySelectorAll("#filters select").forEach(function (s) { wanted[s.getAttribute("data-col")] = s.value; });
    var text = document.getElementById("f-text").value.trim().toLowerCase();
    var n = 0;
    rows.forEach(function (r) {
      var ok = Object.keys(wanted).every(function (col) {
        return !wanted[col] || r.getAttribute("data-" + col) === wanted[col];
      });
      if (ok && text) { ok = r.getAttribute("data-text").toLowerCase().indexOf(text) >= 0; }
      r.hidden = !ok;
      if (ok) { n += 1; }
    });
    shown.textContent = n + " of " + rows.length + " shown";
  }

  Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th) {
    th.addEventListener("click", function () { sortBy(th); });
  });
  document.querySelectorAll("#filters select").forEach(function (s) { s.addEventListener("change", applyFilters); });
  document.getElementById("f-text").addEventListener("input", applyFilters);
  applyFilters();
}());
