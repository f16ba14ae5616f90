// Quick entry: after a save through HTMX, put the cursor back in the first field so the
// next visitor can be typed at once; after an error, move to the list of problems.
(function () {
  "use strict";
  document.addEventListener("htmx:afterSettle", function () {
    if (!document.getElementById("entry-panel")) { return; }
    var summary = document.getElementById("error-summary");
    if (summary) { summary.focus(); return; }
    var first = document.getElementById("id_service");
    if (first) { first.focus(); }
  });
})();
