// The offline queue: a form marked data-offline-queue="receipt|enrol" is kept on the phone
// when there is no network, and sent to the sync endpoint when the network comes back.
// Each item carries the client UUID the form was rendered with, so sending twice is harmless.
(function () {
  "use strict";
  var KEY = "ansinh-queue";
  var SYNC = "/field/dong-bo/";
  var T = JSON.parse((document.getElementById("offline-texts") || {}).textContent || "{}");

  function load() {
    try { return JSON.parse(localStorage.getItem(KEY) || "[]"); } catch (e) { return []; }
  }
  function save(queue) { localStorage.setItem(KEY, JSON.stringify(queue)); render(); }
  function csrf() {
    var match = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    if (match) return decodeURIComponent(match[1]);
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function render() {
    var box = document.getElementById("offline-queue");
    if (!box) return;
    var queue = load();
    var waiting = queue.filter(function (i) { return !i._refused; }).length;
    var refused = queue.filter(function (i) { return i._refused; });
    box.hidden = queue.length === 0 && navigator.onLine;
    var parts = [];
    if (!navigator.onLine) parts.push(T.offline || "Offline");
    if (waiting) parts.push((T.waiting || "Waiting to send: %s").replace("%s", waiting));
    box.querySelector(".status").textContent = parts.join(" · ");
    var list = box.querySelector("ul");
    list.innerHTML = "";
    refused.forEach(function (item) {
      var li = document.createElement("li");
      li.textContent = (item._label || item.kind) + ": " + item._refused;
      var drop = document.createElement("button");
      drop.type = "button";
      drop.className = "link";
      drop.textContent = T.discard || "Discard";
      drop.onclick = function () {
        save(load().filter(function (i) { return i.client_uuid !== item.client_uuid; }));
      };
      li.appendChild(drop);
      list.appendChild(li);
    });
  }

  function fromForm(form) {
    var data = new FormData(form);
    var item = { kind: form.getAttribute("data-offline-queue") };
    data.forEach(function (value, key) {
      if (key === "csrfmiddlewaretoken") return;
      var many = form.querySelectorAll("[name='" + key + "']").length > 1 &&
        form.querySelector("[name='" + key + "']").type === "checkbox";
      if (many) { (item[key] = item[key] || []).push(value); } else { item[key] = value; }
    });
    item._label = form.getAttribute("data-offline-label") || item.kind;
    if (item.kind === "receipt" && !String(item.amount || "").trim()) {
      // no network to price the months: the amounts the page showed for the ticked periods
      var sum = 0;
      form.querySelectorAll("input[name=period]:checked").forEach(function (box) {
        sum += parseInt(box.getAttribute("data-amount") || "0", 10);
      });
      item.amount = String(sum);
    }
    return item;
  }

  document.addEventListener("submit", function (event) {
    var form = event.target.closest && event.target.closest("form[data-offline-queue]");
    if (!form || navigator.onLine) return;
    event.preventDefault();
    event.stopPropagation();
    var item = fromForm(form);
    var queue = load().filter(function (i) { return i.client_uuid !== item.client_uuid; });
    queue.push(item);
    save(queue);
    var note = document.createElement("p");
    note.className = "message info";
    note.textContent = T.queued || "Saved on this phone; it will be sent when online.";
    form.parentNode.insertBefore(note, form);
    form.querySelectorAll("button, input[type=submit]").forEach(function (b) { b.disabled = true; });
  }, true);

  // Offline, the receipt page cannot ask the server for the amount: add up the amounts the
  // page showed for the ticked periods (the server checks it again when the queue is sent).
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (navigator.onLine || !box.matches || !box.matches("form[data-offline-queue=receipt] input[name=period]")) return;
    var form = box.form;
    var sum = 0;
    form.querySelectorAll("input[name=period]:checked").forEach(function (b) {
      sum += parseInt(b.getAttribute("data-amount") || "0", 10);
    });
    var amount = form.querySelector("input[name=amount]");
    if (amount) amount.value = sum ? sum.toLocaleString("vi-VN") : "";
  });

  var sending = false;
  function flush() {
    var queue = load().filter(function (i) { return !i._refused; });
    if (sending || !navigator.onLine || queue.length === 0) { render(); return; }
    sending = true;
    fetch(SYNC, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() },
      body: JSON.stringify({ items: queue })
    }).then(function (response) {
      if (!response.ok) throw new Error(response.status);
      return response.json();
    }).then(function (answer) {
      var byKey = {};
      answer.results.forEach(function (r) { byKey[r.client_uuid] = r; });
      save(load().map(function (item) {
        var r = byKey[item.client_uuid];
        if (r && r.status === "refused") item._refused = r.reason;
        return item;
      }).filter(function (item) {
        var r = byKey[item.client_uuid];
        return !(r && (r.status === "recorded" || r.status === "already"));
      }));
      document.dispatchEvent(new CustomEvent("ansinh:synced", { detail: answer }));
    }).catch(function () { render(); }).finally(function () { sending = false; });
  }

  window.addEventListener("online", flush);
  window.addEventListener("offline", render);
  document.addEventListener("DOMContentLoaded", function () { render(); flush(); });
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function () {});
  }
  window.ansinhQueue = { load: load, flush: flush };
})();
