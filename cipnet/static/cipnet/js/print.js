// Printing. "Print" buttons ([data-print], hidden without JavaScript) print the page; a print
// view ([data-autoprint], reached by an ordinary link, so it works without JavaScript) opens
// the print dialog by itself when it can.
(function () {
  "use strict";
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
  if (document.querySelector("[data-autoprint]")) {
    window.addEventListener("load", function () { window.print(); });
  }
})();
