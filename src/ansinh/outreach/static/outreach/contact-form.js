// The contact's own id, made on the phone: a form sent twice (a double tap, a retry on a bad
// line) records one contact, not two.
(function () {
  "use strict";
  var field = document.getElementById("contact-uuid");
  if (field && !field.value && self.crypto && crypto.randomUUID) field.value = crypto.randomUUID();
})();
