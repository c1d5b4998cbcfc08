/* The participant's copy of a receipt, sent from the agent's phone: the share sheet where the
   browser has one (Zalo, SMS, …), otherwise the text copied to the clipboard, otherwise the
   text selected for the agent to copy. The words come from the page (#share-texts). */
(function () {
  "use strict";
  var texts = JSON.parse((document.getElementById("share-texts") || {}).textContent || "{}");
  function say(message) {
    var done = document.querySelector("[data-share-done]");
    if (done) { done.textContent = message; done.hidden = false; }
  }
  function selectText(area) {
    area.focus();
    area.select();
    say(texts.select || "");
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-share]");
    if (!button) return;
    var area = document.querySelector(button.getAttribute("data-share"));
    if (!area) return;
    var text = area.value;
    if (navigator.share) {
      navigator.share({ title: texts.title, text: text }).catch(function (error) {
        // the agent closed the sheet: nothing to do; anything else: copy instead
        if (!error || error.name !== "AbortError") copy(area, text);
      });
    } else {
      copy(area, text);
    }
  });
  function copy(area, text) {
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(function () { say(texts.copied || ""); },
        function () { selectText(area); });
    } else {
      selectText(area);
      try { if (document.execCommand("copy")) say(texts.copied || ""); } catch (e) { /* kept selected */ }
    }
  }
})();
