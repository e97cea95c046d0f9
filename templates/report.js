// evtdiag report: optional sorting and a problem filter. The page is complete without it.
(function () {
  "use strict";
  function cellValue(row, index, numeric) {
    var cell = row.cells[index];
    if (!cell) return numeric ? -Infinity : "";
    var raw = cell.getAttribute("data-sort");
    var text = raw !== null ? raw : cell.textContent.trim();
    if (numeric) {
      var number = parseFloat(text.replace(/[^0-9.\-]/g, ""));
      return isNaN(number) ? -Infinity : number;
    }
    return text.toLowerCase();
  }
  function sortBy(table, th, index) {
    var numeric = th.getAttribute("data-type") === "num";
    var ascending = th.getAttribute("aria-sort") !== "ascending";
    var headers = table.tHead.rows[0].cells;
    for (var i = 0; i < headers.length; i++) headers[i].removeAttribute("aria-sort");
    th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = cellValue(a, index, numeric), y = cellValue(b, index, numeric);
      var order = x < y ? -1 : x > y ? 1 : 0;
      return ascending ? order : -order;
    });
    rows.forEach(function (row) { body.appendChild(row); });
  }
  document.querySelectorAll("table.sortable").forEach(function (table) {
    if (!table.tHead || !table.tBodies.length) return;
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, index) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort";
      button.title = "Sort by this column";
      while (th.firstChild) button.appendChild(th.firstChild);
      th.appendChild(button);
      button.addEventListener("click", function () { sortBy(table, th, index); });
    });
  });
  // The filter hides what does not name the text typed: the cards, the rows of the
  // triage table (a group's row by any of its members, which it unfolds to), and the
  // rows of the tables that list the problems beyond the cards.
  var problems = document.getElementById("problems");
  var triage = document.querySelector("#triage table.triage");
  if (problems && (problems.querySelector(".card") || triage)) {
    var box = document.createElement("div");
    box.className = "filter";
    var label = document.createElement("label");
    label.textContent = "Filter problems:";
    label.htmlFor = "problem-filter";
    var input = document.createElement("input");
    input.type = "search";
    input.id = "problem-filter";
    input.placeholder = "account, host or cause";
    box.appendChild(label);
    box.appendChild(input);
    var place = triage ? triage.closest(".scroll") : problems.firstChild;
    place.parentNode.insertBefore(box, place);
    var misses = function (hay, needle) {
      return needle !== "" && hay.toLowerCase().indexOf(needle) < 0;
    };
    input.addEventListener("input", function () {
      var needle = input.value.trim().toLowerCase();
      problems.querySelectorAll(".card").forEach(function (card) {
        card.classList.toggle("hidden-by-filter", misses(card.getAttribute("data-filter") || "", needle));
      });
      document.querySelectorAll("table.triage > tbody > tr, table.more-problems > tbody > tr")
        .forEach(function (row) {
          var members = row.querySelector("details.group-members");
          var own = members ? row.textContent.replace(members.textContent, "") : row.textContent;
          var matches = !misses(own, needle);
          var found = 0;
          if (members) {
            members.querySelectorAll("li").forEach(function (item) {
              var out = !matches && misses(item.textContent, needle);
              item.classList.toggle("hidden-by-filter", out);
              if (!out) found++;
            });
            members.open = needle !== "" && !matches && found > 0;
          }
          row.classList.toggle("hidden-by-filter", !matches && found === 0);
        });
    });
  }
  if (navigator.clipboard) {
    document.querySelectorAll("pre.copy").forEach(function (pre) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "copy-button";
      button.textContent = "Copy";
      button.setAttribute("aria-label", "Copy this to the clipboard");
      button.addEventListener("click", function () {
        var text = pre.firstChild && pre.firstChild.nodeType === 3 ? pre.firstChild.nodeValue : pre.textContent;
        navigator.clipboard.writeText(text).then(function () { button.textContent = "Copied"; });
      });
      pre.appendChild(button);
    });
  }
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details").forEach(function (d) { d.open = true; });
  });
  document.documentElement.setAttribute("data-enhanced", "1");
})();
