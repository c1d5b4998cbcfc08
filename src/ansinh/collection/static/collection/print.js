/* The receipt sheet's "Print" button (no inline handler: the pages run under a CSP). */
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) window.print();
  });
})();
