// What the pages' buttons and lists do without inline script (the Content-Security-Policy
// allows only script files, settings.CONTENT_SECURITY_POLICY):
// - a <select data-autosubmit> sends its form when a choice is made (the filters);
// - a <button data-print> prints the page;
// - a <button data-fill="ID" data-value="V"> writes V into the field ID (the quick dates).
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target instanceof Element && target.matches("[data-autosubmit]") && target.form) {
      target.form.submit();
    }
  });
  document.addEventListener("click", function (event) {
    if (!(event.target instanceof Element)) return;
    var button = event.target.closest("[data-print], [data-fill]");
    if (!button) return;
    if (button.hasAttribute("data-print")) {
      window.print();
      return;
    }
    var field = document.getElementById(button.getAttribute("data-fill"));
    if (field) {
      field.value = button.getAttribute("data-value");
      field.dispatchEvent(new Event("change", {bubbles: true}));
    }
  });
})();
