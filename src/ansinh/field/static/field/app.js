// The offline field app's screens: worklist, search, person card, receipt, contact, follow-up,
// enrolment, new person, outbox and download. Everything it shows comes from IndexedDB
// (store.js) plus what the outbox still holds; every text comes from the page (#field-texts).
(function () {
  "use strict";
  var S = window.AnsinhStore;
  var N = window.AnsinhSync;
  var T = JSON.parse(document.getElementById("field-texts").textContent);
  var ME = JSON.parse(document.getElementById("field-me").textContent);
  var LANG = document.documentElement.lang || "vi";
  // Today is the phone's date: the page may be a copy the service worker kept from another day.
  ME.today = (function (d) {
    return d.getFullYear() + "-" + ("0" + (d.getMonth() + 1)).slice(-2) + "-" + ("0" + d.getDate()).slice(-2);
  })(new Date());
  var PAGE_ROWS = 30;
  var MODE_MONTHS = { monthly: 1, quarterly: 3, half_yearly: 6, yearly: 12 };
  var view = document.getElementById("view");
  var data = null;     // what the screens show: the copy plus the outbox
  var filters = { village: "", kind: "", shown: PAGE_ROWS, q: "" };

  // --- small helpers -------------------------------------------------------------------------

  function h(tag, attrs) {
    var el = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      var value = attrs[key];
      if (value === null || value === undefined || value === false) return;
      if (key === "text") el.textContent = value;
      else if (key.slice(0, 2) === "on") el.addEventListener(key.slice(2), value);
      else if (value === true) el.setAttribute(key, "");
      else el.setAttribute(key, value);
    });
    for (var i = 2; i < arguments.length; i++) add(el, arguments[i]);
    return el;
  }
  function add(el, child) {
    if (child === null || child === undefined || child === false) return;
    if (Array.isArray(child)) { child.forEach(function (c) { add(el, c); }); return; }
    el.appendChild(typeof child === "string" || typeof child === "number" ? document.createTextNode(String(child)) : child);
  }
  function fill(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_m, key) { return values[key] === undefined ? "" : values[key]; });
  }
  function label(list, value) {
    var hit = (T.choices[list] || []).filter(function (c) { return c[0] === value; })[0];
    return hit ? hit[1] : (value || "");
  }
  function money(n) {
    if (typeof n !== "number") return "—";
    return String(Math.abs(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ".").replace(/^/, n < 0 ? "-" : "") + "\u00a0₫";
  }
  function count(n) { return Number(n || 0).toLocaleString(LANG === "en" ? "en-GB" : "vi-VN"); }
  function size(bytes) {
    if (bytes < 1024) return bytes + " B";
    if (bytes < 1048576) return (bytes / 1024).toFixed(bytes < 10240 ? 1 : 0) + " KB";
    return (bytes / 1048576).toFixed(1) + " MB";
  }
  function day(iso) { return iso ? iso.slice(8, 10) + "/" + iso.slice(5, 7) + "/" + iso.slice(0, 4) : ""; }
  function stamp(iso) {  // a moment in the phone's time: 02/12/2026 14:05
    var d = new Date(iso);
    function two(n) { return ("0" + n).slice(-2); }
    return two(d.getDate()) + "/" + two(d.getMonth() + 1) + "/" + d.getFullYear() + " " + two(d.getHours()) + ":" + two(d.getMinutes());
  }
  function month(iso) { return iso.slice(5, 7) + "/" + iso.slice(0, 4); }
  function months(list) {
    if (!list.length) return "";
    return list.length === 1 ? T.month + " " + month(list[0]) : month(list[0]) + " – " + month(list[list.length - 1]);
  }
  function birthYear(p) { return p.birth_date ? p.birth_date.slice(0, 4) : ""; }
  function go(hash) { if (location.hash === hash) route(); else location.hash = hash; }
  function banner(text, kind) {
    var el = document.getElementById("banner");
    el.textContent = text || "";
    el.className = "banner " + (kind || "");
    el.hidden = !text;
    clearTimeout(banner.timer);
    if (kind === "ok") banner.timer = setTimeout(function () { el.hidden = true; }, 6000);
  }
  function choiceSelect(name, list, value, empty) {
    return h("select", { name: name },
      empty ? h("option", { value: "", text: empty }) : null,
      (T.choices[list] || []).map(function (c) { return h("option", { value: c[0], text: c[1], selected: c[0] === value }); }));
  }
  function radios(name, list, value) {
    return h("div", { class: "taps" }, (T.choices[list] || []).map(function (c) {
      return h("label", {}, h("input", { type: "radio", name: name, value: c[0], checked: c[0] === value }), h("span", { text: c[1] }));
    }));
  }
  function field(text, input) { return h("label", { class: "field" }, h("span", { text: text }), input); }
  function formValues(form) {
    var out = {};
    new FormData(form).forEach(function (value, key) { out[key] = typeof value === "string" ? value.trim() : value; });
    return out;
  }
  function engine(person, income, monthsCount, on) {
    if (!window.AnsinhEngine || !data.policy || !income) return null;
    try {
      return window.AnsinhEngine.contribution(data.policy, { on: on || ME.today, income: income,
        category: person.category, months: monthsCount,
        supported_months: person.supported_months || 0 });
    } catch (e) { return null; }
  }
  function deviceProblem(problem) {
    // signed out (or the cached page's CSRF token is old): sign in again while online
    return problem.status === 401 || problem.status === 403 ? T.signed_out : T.device_failed;
  }
  function words(amount) {
    if (!window.AnsinhWords || typeof amount !== "number") return "";
    try { return window.AnsinhWords.amountInWords(amount, LANG); } catch (e) { return ""; }
  }

  // --- the data: the copy, with the outbox laid over it --------------------------------------

  function load() {
    return Promise.all([S.all("persons"), S.all("villages"), S.all("worklist"), S.all("outbox"),
                        S.meta("numbers"), S.meta("policy"), S.meta("last_download"),
                        S.meta("sent_log"), S.meta("device"), S.meta("release")])
      .then(function (got) {
        data = { persons: got[0], villages: {}, worklist: got[2], outbox: got[3].sort(function (a, b) { return a.seq - b.seq; }),
                 numbers: got[4] || [], policy: got[5] || null, last: got[6] || null,
                 log: got[7] || [], device: got[8] || null, release: got[9] || [] };
        got[1].forEach(function (v) { data.villages[v.id] = v; });
        overlay();
        counter();
      });
  }

  // What the outbox holds shows in the views at once: a new person is in the register, an
  // enrolment gives a participation, a receipt's months show as paid-awaiting-sync.
  function overlay() {
    data.byUuid = {};
    data.persons.forEach(function (p) { data.byUuid[p.uuid] = p; p.queued = []; });
    data.paid = {};          // participation uuid → {month: item}
    data.closed = {};        // contact uuid → follow_up item
    data.extraFollowUps = {};
    data.outbox.forEach(function (item) {
      if (item.state === "refused") return;
      var d = item.data;
      if (item.kind === "person") {
        var p = Object.assign({ uuid: item.client_uuid, version: null, pending: true, participation: null,
                                follow_ups: [], last_contact: null, household: null }, d);
        p.name_folded = S.fold(d.full_name);
        if (!data.byUuid[p.uuid]) { data.persons.push(p); data.byUuid[p.uuid] = p; p.queued = []; }
      }
    });
    data.outbox.forEach(function (item) {
      if (item.state === "refused") return;
      var d = item.data;
      var person = data.byUuid[item.person] || data.byUuid[d.person];
      if (person) person.queued.push(item);
      if (item.kind === "enrol" && person && !person.participation) {
        person.participation = { uuid: item.client_uuid, status: "pending", mode: d.mode, income: d.income,
                                 start_month: d.start_month, periods: firstPeriods(person, d), pending: true };
      } else if (item.kind === "receipt") {
        var paid = data.paid[d.participation] = data.paid[d.participation] || {};
        d.months.forEach(function (m) { paid[m] = item; });
      } else if (item.kind === "follow_up") {
        data.closed[d.contact] = item;
      } else if (item.kind === "contact" && person) {
        person.last_contact = { on: d.on, outcome: d.outcome, queued: true };
        if (d.next_follow_up_on) {
          (data.extraFollowUps[person.uuid] = data.extraFollowUps[person.uuid] || []).push(
            { contact: item.client_uuid, on: d.next_follow_up_on, note: d.note, owner: ME.username, queued: true });
        }
      }
    });
  }

  // The first period of an enrolment made on the phone, priced by the engine when it is here.
  function firstPeriods(person, d) {
    var n = d.mode === "advance" ? 12 * (parseInt(d.advance_years, 10) || 1) : (MODE_MONTHS[d.mode] || 1);
    var list = [];
    var y = parseInt(d.start_month.slice(0, 4), 10), m = parseInt(d.start_month.slice(5, 7), 10);
    for (var i = 0; i < n; i++) {
      list.push(y + "-" + ("0" + m).slice(-2) + "-01");
      m += 1; if (m > 12) { m = 1; y += 1; }
    }
    var price = engine(person, d.income, n);
    return [{ months: list, amount: price ? price.amount : null, support: price ? price.support : null,
              deadline: null, overdue: false }];
  }

  function counter() {
    var waiting = data.outbox.filter(function (i) { return i.state === "queued"; }).length;
    var fix = data.outbox.filter(function (i) { return i.state === "refused"; }).length;
    var el = document.getElementById("outbox-count");
    el.textContent = waiting ? String(waiting) : "";
    el.className = "count" + (fix ? " warn" : "");
    var net = document.getElementById("net");
    net.textContent = navigator.onLine ? T.online : T.offline;
    net.className = "net " + (navigator.onLine ? "on" : "off");
  }

  function paidItem(person, monthIso) {
    var part = person.participation;
    if (!part) return null;
    return (data.paid[part.uuid] || {})[monthIso.slice(0, 7)] || null;
  }

  // --- screens -------------------------------------------------------------------------------

  function worklist() {
    var rows = data.worklist.filter(function (r) { return data.byUuid[r.person]; });
    if (!rows.length) return [h("h1", { text: T.worklist }), h("p", { class: "muted", text: data.persons.length ? T.no_work : T.no_data })];
    var villages = {};
    rows.forEach(function (r) { villages[r.village] = true; });
    var inVillage = rows.filter(function (r) { return !filters.village || String(r.village) === filters.village; });
    var counts = {};
    inVillage.forEach(function (r) { (r.kinds || []).forEach(function (k) { counts[k] = (counts[k] || 0) + 1; }); });
    var shown = inVillage.filter(function (r) { return !filters.kind || (r.kinds || []).indexOf(filters.kind) >= 0; });
    var list = h("div", { class: "rows" });
    shown.slice(0, filters.shown).forEach(function (r) { list.appendChild(workRow(r)); });
    return [
      h("div", { class: "filters" },
        h("select", { "aria-label": T.village, onchange: function (e) { filters.village = e.target.value; filters.shown = PAGE_ROWS; route(); } },
          h("option", { value: "", text: T.all_villages }),
          Object.keys(villages).map(function (id) {
            var v = data.villages[id];
            return h("option", { value: id, text: v ? v.name : id, selected: filters.village === id });
          })),
        h("div", { class: "chips" },
          [["", T.all_kinds]].concat(T.choices.kind).filter(function (c) { return !c[0] || counts[c[0]]; }).map(function (c) {
            return h("button", { type: "button", class: "chip", "aria-pressed": String(filters.kind === c[0]), "data-kind": c[0],
                                 onclick: function () { filters.kind = c[0]; filters.shown = PAGE_ROWS; route(); } },
                     c[1] + " (" + count(c[0] ? counts[c[0]] : inVillage.length) + ")");
          }))),
      h("p", { class: "muted small", text: fill(T.shown, { n: count(Math.min(filters.shown, shown.length)), total: count(shown.length) }) }),
      list,
      shown.length > filters.shown ? h("button", { type: "button", class: "more", onclick: function () { filters.shown += PAGE_ROWS; route(); } }, T.more) : null
    ];
  }

  function workRow(r) {
    var p = data.byUuid[r.person];
    var v = data.villages[r.village];
    var due = p.participation && (p.participation.periods || []).filter(function (per) { return !paidItem(p, per.months[0]); })[0];
    return h("article", { class: "row", "data-person": p.uuid },
      h("div", { class: "score" }, String(r.score || 0), h("small", { text: T.points })),
      h("div", { class: "body" },
        h("a", { class: "who", href: "#/nguoi/" + p.uuid, text: p.full_name }),
        h("span", { class: "muted", text: " " + birthYear(p) + (v ? " · " + v.name : "") }),
        p.queued.length ? h("span", { class: "tag queued", text: T.queued }) : null,
        h("ul", { class: "reasons" }, (r.reasons || []).map(function (reason) { return h("li", { text: reason }); })),
        h("div", { class: "actions" },
          due ? h("a", { class: "button primary", href: "#/thu/" + p.uuid + "/" + p.participation.periods.indexOf(due) }, T.pay) : null,
          h("a", { class: "button", href: "#/tiep-xuc/" + p.uuid }, T.contact),
          p.phone ? h("a", { class: "button", href: "tel:" + p.phone }, T.call) : null)));
  }

  function search() {
    var input = h("input", { type: "search", name: "q", value: filters.q, placeholder: T.search_placeholder,
                             autocomplete: "off", "aria-label": T.search });
    var results = h("div", { class: "rows", id: "results" });
    function run() {
      filters.q = input.value;
      var q = S.fold(input.value);
      results.textContent = "";
      if (q.length < 2) { results.appendChild(h("p", { class: "muted", text: data.persons.length ? T.search_hint : T.no_data })); return; }
      var words = q.split(" ");
      var digits = q.replace(/\D/g, "");
      // every word of the query in the folded name; names where each word starts a word first
      var hits = data.persons.filter(function (p) {
        if (digits.length >= 4 && ((p.phone || "").indexOf(digits) >= 0 || (p.national_id || "").indexOf(digits) >= 0)) return true;
        return words.every(function (w) { return p.name_folded.indexOf(w) >= 0; });
      });
      function starts(p) { return words.every(function (w) { return (" " + p.name_folded).indexOf(" " + w) >= 0; }) ? 0 : 1; }
      hits = hits.map(function (p, i) { return [starts(p), i, p]; })
        .sort(function (a, b) { return a[0] - b[0] || a[1] - b[1]; })
        .slice(0, 50).map(function (x) { return x[2]; });
      if (!hits.length) results.appendChild(h("p", { class: "muted", text: T.no_match }));
      hits.forEach(function (p) {
        var v = data.villages[p.village];
        results.appendChild(h("a", { class: "row hit", href: "#/nguoi/" + p.uuid },
          h("strong", { text: p.full_name }),
          h("span", { class: "muted", text: " " + birthYear(p) + (v ? " · " + v.name : "") }),
          p.pending ? h("span", { class: "tag queued", text: T.queued }) : null));
      });
    }
    input.addEventListener("input", run);
    setTimeout(function () { input.focus(); run(); }, 0);
    return [h("h1", { text: T.search }), input, results,
            h("p", {}, h("a", { class: "button", href: "#/moi" }, "+ " + T.new_person))];
  }

  function person(uuid) {
    var p = data.byUuid[uuid];
    if (!p) return [h("p", { class: "muted", text: T.no_match }), back()];
    var v = data.villages[p.village];
    var part = p.participation;
    var out = [back(), h("h1", { text: p.full_name }),
      h("p", { class: "muted" }, T.born + " " + (p.birth_year_only ? birthYear(p) : day(p.birth_date)) + " · " + label("sex", p.sex) +
        (v ? " · " + v.name : "") + " · " + label("si_status", p.si_status)),
      p.pending ? h("p", { class: "tag queued", text: T.pending_person }) : null,
      h("div", { class: "actions" },
        p.phone ? h("a", { class: "button", href: "tel:" + p.phone }, T.call + " " + p.phone) : null,
        h("a", { class: "button", href: "#/tiep-xuc/" + p.uuid }, T.contact),
        !part ? h("a", { class: "button", href: "#/dang-ky/" + p.uuid }, T.enrol) : null)];
    if (part) {
      out.push(h("h2", { text: T.dues }),
        h("p", { class: "muted small" }, label("status", part.status) + (part.pending ? " · " + T.queued : "") +
          " · " + money(part.income) + " · " + label("mode", part.mode)));
      var periods = part.periods || [];
      if (!periods.length) out.push(h("p", { class: "muted", text: T.no_dues }));
      out.push(h("div", { class: "dues" }, periods.map(function (per, index) {
        var queued = paidItem(p, per.months[0]);
        return h("div", { class: "due" + (per.overdue ? " overdue" : "") + (queued ? " paid" : "") },
          h("div", {}, h("b", { text: months(per.months) }),
            h("small", { text: per.deadline ? " · " + (per.overdue ? T.overdue_from : T.deadline) + " " + day(per.deadline) : "" })),
          h("span", { class: "money", text: money(per.amount) }),
          queued ? h("a", { class: "tag queued", href: "#/bien-lai/" + queued.client_uuid, text: T.queued_paid })
                 : h("a", { class: "button primary", href: "#/thu/" + p.uuid + "/" + index }, T.pay));
      })));
    } else {
      out.push(h("p", { class: "muted", text: T.not_enrolled }));
    }
    var followUps = (p.follow_ups || []).concat(data.extraFollowUps[p.uuid] || []);
    out.push(h("h2", { text: T.follow_ups }));
    if (!followUps.length) out.push(h("p", { class: "muted", text: T.no_follow_ups }));
    followUps.forEach(function (f) { out.push(followUp(p, f)); });
    if (p.last_contact) {
      out.push(h("p", { class: "muted small" }, T.last_contact + ": " + day(p.last_contact.on) + " · " +
        label("outcome", p.last_contact.outcome) + (p.last_contact.queued ? " · " + T.queued : "")));
    }
    return out;
  }

  function followUp(p, f) {
    var closed = data.closed[f.contact];
    var box = h("div", { class: "follow" },
      h("div", {}, h("b", { text: day(f.on) }), f.note ? h("span", { text: " · " + f.note }) : null,
        f.queued || closed ? h("span", { class: "tag queued", text: T.queued }) : null));
    if (closed) {
      box.appendChild(h("small", { class: "muted", text: closed.data.done ? T.done : T.reschedule + " " + day(closed.data.next_on) }));
      return box;
    }
    var date = h("input", { type: "date", name: "next_on", min: ME.today, "aria-label": T.reschedule });
    var note = h("input", { type: "text", name: "note", placeholder: T.note, "aria-label": T.note });
    function save(done) {
      if (!done && !date.value) { date.focus(); return; }
      S.submit("follow_up", { contact: f.contact, done: done, next_on: done ? null : date.value, note: note.value.trim() },
               { base_version: p.version, person: p.uuid, label: T.kind_follow_up + " · " + p.full_name })
        .then(saved(p.uuid));
    }
    box.appendChild(h("div", { class: "actions" },
      h("button", { type: "button", class: "primary", onclick: function () { save(true); } }, T.done),
      date, note,
      h("button", { type: "button", onclick: function () { save(false); } }, T.reschedule)));
    return box;
  }

  // the previous view; a javascript: link would be refused by the Content-Security-Policy
  function back() {
    return h("a", { class: "back", href: "#/", text: "‹ " + T.back, onclick: function (event) {
      if (history.length > 1) { event.preventDefault(); history.back(); }
    } });
  }

  function saved(uuid) {
    return function () {
      return load().then(function () { banner(T.saved, "ok"); go("#/nguoi/" + uuid); autoSync(); });
    };
  }

  function editing(seq) {
    if (seq === undefined || seq === null || seq === "") return null;
    return data.outbox.filter(function (i) { return String(i.seq) === String(seq); })[0] || null;
  }

  // Submit a new item, or the edit of a queued/refused one (store.edit decides its UUID).
  function put(kind, d, extra, item) {
    return item ? S.edit(item.seq, d, { base_version: extra.base_version }) : S.submit(kind, d, extra);
  }

  function receiptForm(uuid, index, seq) {
    var p = data.byUuid[uuid];
    var item = editing(seq);
    if (!p || !p.participation) return [back(), h("p", { class: "muted", text: T.no_dues })];
    var part = p.participation;
    var ticked = item ? item.data.months : null;
    var periods = (part.periods || []).map(function (per, i) {
      var queued = paidItem(p, per.months[0]);
      if (queued && item && queued.seq === item.seq) queued = null;
      var amount = per.amount;
      if (typeof amount !== "number") { var price = engine(p, part.income, per.months.length); amount = price ? price.amount : null; }
      var checked = ticked ? ticked.indexOf(per.months[0].slice(0, 7)) >= 0 : String(i) === String(index);
      return h("label", { class: "due" + (per.overdue ? " overdue" : "") + (queued ? " paid" : "") },
        h("input", { type: "checkbox", name: "period", value: String(i), "data-amount": amount === null ? "" : String(amount),
                     checked: checked && !queued, disabled: !!queued }),
        h("span", {}, h("b", { text: months(per.months) }),
          per.deadline ? h("small", { text: " · " + (per.overdue ? T.overdue_from : T.deadline) + " " + day(per.deadline) }) : null),
        queued ? h("span", { class: "tag queued", text: T.queued_paid }) : h("span", { class: "money", text: money(amount) }));
    });
    var amount = h("input", { type: "number", name: "amount", min: "1", step: "1", inputmode: "numeric", required: true });
    var shown = h("p", { class: "total" });
    var form = h("form", { class: "card", novalidate: true },
      h("fieldset", {}, h("legend", { text: T.dues }), periods),
      field(T.amount, amount), shown,
      h("fieldset", {}, h("legend", { text: T.channel }), radios("channel", "pay_channel", item ? item.data.channel : "cash")),
      field(T.note, h("input", { type: "text", name: "note", value: item ? item.data.note : "" })),
      h("p", { class: "muted small", text: T.receipt_no + ": " + (item ? (item.data.number || T.no_number) : (data.numbers[0] || T.no_number)) }),
      h("button", { class: "primary big", type: "submit" }, T.record_receipt));
    function total() {
      var sum = 0;
      form.querySelectorAll("input[name=period]:checked").forEach(function (box) { sum += parseInt(box.getAttribute("data-amount") || "0", 10); });
      amount.value = sum ? String(sum) : "";
      var n = parseInt(amount.value, 10);
      shown.textContent = n ? money(n) + (words(n) ? " · " + words(n) : "") : "";
    }
    form.addEventListener("change", function (e) { if (e.target.name === "period") total(); });
    amount.addEventListener("input", function () { var n = parseInt(amount.value, 10); shown.textContent = n ? money(n) + (words(n) ? " · " + words(n) : "") : ""; });
    if (item) amount.value = String(item.data.amount);
    total();
    if (item) amount.value = String(item.data.amount);
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var boxes = Array.prototype.slice.call(form.querySelectorAll("input[name=period]:checked"));
      if (!boxes.length) { banner(T.tick_period, "warn"); return; }
      var list = [];
      boxes.forEach(function (box) { part.periods[parseInt(box.value, 10)].months.forEach(function (m) { list.push(m.slice(0, 7)); }); });
      var value = parseInt(amount.value, 10);
      if (!value) { banner(fill(T.required, { what: T.amount }), "warn"); amount.focus(); return; }
      var v = formValues(form);
      form.querySelector("button[type=submit]").disabled = true;
      put("receipt", { participation: part.uuid, months: list, amount: value, paid_on: ME.today,
                       channel: v.channel || "cash", note: v.note || "" },
          { base_version: p.version, person: p.uuid, label: T.kind_receipt + " · " + p.full_name }, item)
        .then(function (queued) { return load().then(function () { go("#/bien-lai/" + queued.client_uuid); autoSync(); }); });
    });
    return [back(), h("h1", { text: T.record_receipt }), h("p", { class: "muted", text: p.full_name + " · " + money(part.income) + " · " + label("mode", part.mode) }), form];
  }

  // The receipt, at once: its number, the amount in figures and in words, and a text to share.
  function receipt(clientUuid) {
    var item = data.outbox.filter(function (i) { return i.client_uuid === clientUuid; })[0] ||
      data.log.filter(function (i) { return i.client_uuid === clientUuid && i.data; })[0];
    if (!item) return [back(), h("p", { class: "muted", text: T.empty })];
    var d = item.data;
    var p = data.byUuid[item.person] || { full_name: item.label, phone: "" };
    var inWords = words(d.amount);
    var number = d.number || item.number || "";
    var monthsText = months(d.months.map(function (m) { return m + "-01"; }));
    var text = fill(T.share_text, { name: p.full_name, amount: money(d.amount), words: inWords || money(d.amount),
                                    months: monthsText, number: number || T.no_number, day: day(d.paid_on), agent: ME.name });
    var copied = h("span", { class: "muted small" });
    return [
      h("section", { class: "receipt card", id: "receipt" },
        h("h1", { text: T.receipt }),
        h("p", { class: "number" }, T.receipt_no + " ", h("strong", { id: "receipt-number", text: number || T.no_number })),
        h("dl", {},
          h("dt", { text: T.payer }), h("dd", { text: p.full_name }),
          h("dt", { text: T.for_months }), h("dd", { text: monthsText }),
          h("dt", { text: T.amount }), h("dd", { class: "money big", id: "receipt-amount", text: money(d.amount) }),
          inWords ? [h("dt", { text: T.in_words }), h("dd", { id: "receipt-words", text: inWords })] : null,
          h("dt", { text: T.paid_on }), h("dd", { text: day(d.paid_on) }),
          h("dt", { text: T.channel }), h("dd", { text: label("pay_channel", d.channel) }),
          h("dt", { text: T.collector }), h("dd", { text: ME.name })),
        item.state ? h("p", { class: "tag " + (item.state === "refused" ? "warn" : "queued"), text: item.state === "refused" ? T.to_fix + ": " + item.reason : T.queued })
                   : h("p", { class: "tag ok", text: T.status_recorded })),
      h("div", { class: "actions no-print" },
        navigator.share ? h("button", { type: "button", class: "primary", onclick: function () { navigator.share({ text: text }).catch(function () {}); } }, T.share) : null,
        h("a", { class: "button", href: "sms:" + (p.phone || "") + "?body=" + encodeURIComponent(text) }, T.sms),
        h("button", { type: "button", onclick: function () {
          (navigator.clipboard ? navigator.clipboard.writeText(text) : Promise.reject()).then(function () { copied.textContent = T.copied; }, function () {});
        } }, T.copy),
        h("button", { type: "button", onclick: function () { window.print(); } }, T.print), copied),
      h("p", { class: "share-text muted small no-print", id: "share-text", text: text }),
      item.person ? h("p", { class: "no-print" }, h("a", { class: "back", href: "#/nguoi/" + item.person, text: "‹ " + p.full_name })) : null
    ];
  }

  function contactForm(uuid, seq) {
    var p = data.byUuid[uuid];
    if (!p) return [back()];
    var item = editing(seq);
    var d = item ? item.data : {};
    var form = h("form", { class: "card" },
      h("fieldset", {}, h("legend", { text: T.contact_channel }), radios("channel", "contact_channel", d.channel || "visit")),
      h("fieldset", {}, h("legend", { text: T.outcome }), radios("outcome", "outcome", d.outcome || "")),
      field(T.objection, choiceSelect("objection", "objection", d.objection || "", T.none)),
      field(T.note, h("textarea", { name: "note", rows: "2", text: d.note || "" })),
      field(T.next_follow_up, h("input", { type: "date", name: "next_follow_up_on", min: ME.today, value: d.next_follow_up_on || "" })),
      h("button", { class: "primary big", type: "submit" }, T.save));
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var v = formValues(form);
      if (!v.outcome) { banner(fill(T.required, { what: T.outcome }), "warn"); return; }
      form.querySelector("button[type=submit]").disabled = true;
      put("contact", { person: p.uuid, on: item ? d.on : ME.today, channel: v.channel, outcome: v.outcome,
                       objection: v.objection || "", note: v.note || "", next_follow_up_on: v.next_follow_up_on || null },
          { base_version: p.version, person: p.uuid, label: T.kind_contact + " · " + p.full_name }, item)
        .then(saved(p.uuid));
    });
    return [back(), h("h1", { text: T.contact }), h("p", { class: "muted", text: p.full_name }), form];
  }

  function enrolForm(uuid, seq) {
    var p = data.byUuid[uuid];
    if (!p) return [back()];
    var item = editing(seq);
    var d = item ? item.data : {};
    var income = h("input", { type: "number", name: "income", min: "0", step: "1000", inputmode: "numeric", required: true, value: d.income || "" });
    var mode = choiceSelect("mode", "mode", d.mode || "monthly");
    var years = h("input", { type: "number", name: "advance_years", min: "1", max: "10", value: d.advance_years || "1" });
    var yearsField = field(T.advance_years, years);
    var price = h("div", { class: "price", id: "price", "aria-live": "polite" });
    function reprice() {
      yearsField.hidden = mode.value !== "advance";
      var n = mode.value === "advance" ? 12 * (parseInt(years.value, 10) || 1) : MODE_MONTHS[mode.value];
      var got = engine(p, parseInt(income.value, 10), n);
      price.textContent = "";
      if (!income.value) return;
      if (!got) { price.appendChild(h("p", { class: "muted small", text: T.no_engine })); return; }
      price.appendChild(h("dl", {}, h("dt", { text: T.price }), h("dd", { class: "money big", text: money(got.amount) }),
        h("dt", { text: T.support }), h("dd", { text: money(got.support) }),
        h("dt", { text: T.gross }), h("dd", { text: money(got.gross) })));
    }
    var start = h("input", { type: "month", name: "start_month", required: true, value: (d.start_month || ME.today).slice(0, 7) });
    var form = h("form", { class: "card" }, field(T.income, income), field(T.mode, mode), yearsField,
      field(T.start_month, start), price, h("button", { class: "primary big", type: "submit" }, T.save));
    form.addEventListener("input", reprice);
    form.addEventListener("change", reprice);
    reprice();
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var v = formValues(form);
      if (!parseInt(v.income, 10) || !v.start_month) { banner(fill(T.required, { what: T.income + ", " + T.start_month }), "warn"); return; }
      form.querySelector("button[type=submit]").disabled = true;
      put("enrol", { person: p.uuid, start_month: v.start_month + "-01", income: parseInt(v.income, 10), mode: v.mode,
                     advance_years: v.mode === "advance" ? parseInt(v.advance_years, 10) || 1 : null, enrolled_on: ME.today },
          { base_version: p.version, person: p.uuid, label: T.kind_enrol + " · " + p.full_name }, item)
        .then(saved(p.uuid));
    });
    return [back(), h("h1", { text: T.enrol }), h("p", { class: "muted", text: p.full_name }), form];
  }

  // Someone the register may already hold: the same folded name and birth year in the village,
  // or the same national ID.
  function duplicates(d, self) {
    var name = S.fold(d.full_name);
    var year = d.birth_date.slice(0, 4);
    return data.persons.filter(function (p) {
      if (p.uuid === self) return false;
      if (d.national_id && p.national_id && p.national_id === d.national_id) return true;
      return String(p.village) === String(d.village) && p.name_folded === name && birthYear(p) === year;
    });
  }

  function personForm(seq) {
    var item = editing(seq);
    var d = item ? item.data : {};
    var yearOnly = h("input", { type: "checkbox", name: "birth_year_only", checked: !!d.birth_year_only });
    var date = h("input", { type: "date", name: "birth_date", max: ME.today, value: d.birth_year_only ? "" : (d.birth_date || "") });
    var year = h("input", { type: "number", name: "birth_year", min: "1900", max: ME.today.slice(0, 4), value: d.birth_year_only ? d.birth_date.slice(0, 4) : "" });
    var dateField = field(T.birth_date, date), yearField = field(T.birth_year, year);
    function toggle() { dateField.hidden = yearOnly.checked; yearField.hidden = !yearOnly.checked; }
    yearOnly.addEventListener("change", toggle);
    toggle();
    var villages = Object.keys(data.villages).map(function (id) { return data.villages[id]; });
    var warning = h("div", { class: "warn-box", hidden: true });
    var form = h("form", { class: "card" },
      field(T.village, h("select", { name: "village", required: true }, villages.map(function (v) {
        return h("option", { value: String(v.id), text: v.name, selected: String(d.village) === String(v.id) });
      }))),
      field(T.full_name, h("input", { type: "text", name: "full_name", required: true, autocomplete: "off", value: d.full_name || "" })),
      h("label", { class: "check" }, yearOnly, h("span", { text: T.year_only })), dateField, yearField,
      h("fieldset", {}, h("legend", { text: T.sex }), radios("sex", "sex", d.sex || "")),
      field(T.ethnicity, choiceSelect("ethnicity", "ethnicity", d.ethnicity || "01")),
      field(T.phone, h("input", { type: "tel", name: "phone", value: d.phone || "" })),
      field(T.national_id, h("input", { type: "text", name: "national_id", inputmode: "numeric", maxlength: "12", value: d.national_id || "" })),
      warning, h("button", { class: "primary big", type: "submit" }, T.save));
    var confirmed = false;
    form.addEventListener("input", function () { confirmed = false; warning.hidden = true; });
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var v = formValues(form);
      var birth = yearOnly.checked ? (v.birth_year ? v.birth_year + "-01-01" : "") : v.birth_date;
      var missing = [[v.full_name, T.full_name], [birth, T.birth_date], [v.sex, T.sex]].filter(function (x) { return !x[0]; });
      if (missing.length) { banner(fill(T.required, { what: missing.map(function (x) { return x[1]; }).join(", ") }), "warn"); return; }
      var record = { village: parseInt(v.village, 10), full_name: v.full_name.replace(/\s+/g, " "), birth_date: birth,
                     birth_year_only: yearOnly.checked, sex: v.sex, ethnicity: v.ethnicity, phone: v.phone || "",
                     national_id: v.national_id || "", household: null };
      var same = duplicates(record, item ? item.client_uuid : null);
      if (same.length && !confirmed) {
        warning.textContent = "";
        warning.appendChild(h("p", { text: fill(T.duplicate, { who: same.map(function (p) { return p.full_name + " (" + birthYear(p) + ")"; }).join(", ") }) }));
        same.forEach(function (p) { warning.appendChild(h("a", { class: "button", href: "#/nguoi/" + p.uuid, text: p.full_name })); });
        warning.appendChild(h("button", { type: "button", onclick: function () { confirmed = true; form.requestSubmit(); } }, T.add_anyway));
        warning.hidden = false;
        return;
      }
      form.querySelector("button[type=submit]").disabled = true;
      put("person", record, { base_version: null, label: T.kind_person + " · " + record.full_name }, item)
        .then(function (queued) { return saved(queued.client_uuid)(); });
    });
    return [back(), h("h1", { text: T.new_person }), form];
  }

  function outbox() {
    var groups = [["queued", T.waiting], ["refused", T.to_fix], ["conflict", T.conflicts]];
    var out = [h("h1", { text: T.outbox }),
      h("button", { type: "button", class: "primary big", onclick: runSync }, T.sync),
      h("progress", { id: "sync-progress", max: "1", value: "0", hidden: true })];
    groups.forEach(function (g) {
      var items = data.outbox.filter(function (i) { return i.state === g[0]; });
      out.push(h("h2", { "data-group": g[0] }, g[1] + " (" + items.length + ")"));
      if (!items.length) { out.push(h("p", { class: "muted small", text: T.empty })); return; }
      out.push(h("div", { class: "rows", id: "outbox-" + g[0] }, items.map(outboxRow)));
    });
    out.push(h("h2", { text: T.sent_log }));
    out.push(h("div", { class: "rows", id: "outbox-sent" }, data.log.slice(0, 15).map(function (l) {
      return h("div", { class: "row small" }, h("span", { text: l.label || T["kind_" + l.kind] }),
        h("span", { class: "muted", text: " · " + (T["status_" + l.status] || l.status) + (l.number ? " · " + l.number : "") }),
        l.data ? h("a", { href: "#/bien-lai/" + l.client_uuid, text: " ›" }) : null);
    })));
    return out;
  }

  function outboxRow(item) {
    var editable = item.state === "refused" || (item.state === "queued" && !item.sent);
    var target = { receipt: "#/thu/" + item.person + "/-/", contact: "#/tiep-xuc/" + item.person + "/",
                   enrol: "#/dang-ky/" + item.person + "/", person: "#/moi/" }[item.kind];
    return h("div", { class: "row item " + item.state, "data-kind": item.kind, "data-uuid": item.client_uuid },
      h("div", {}, h("b", { text: item.label || T["kind_" + item.kind] }),
        h("small", { class: "muted", text: " · " + stamp(item.created_at) +
          (item.kind === "receipt" ? " · " + money(item.data.amount) + (item.data.number ? " · " + item.data.number : "") : "") })),
      item.reason ? h("p", { class: "reason", text: item.reason }) : null,
      item.state === "queued" && item.sent ? h("small", { class: "muted", text: T.sending }) : null,
      h("div", { class: "actions" },
        item.kind === "receipt" ? h("a", { class: "button", href: "#/bien-lai/" + item.client_uuid }, T.receipt) : null,
        editable && target ? h("a", { class: "button", href: target + item.seq }, item.state === "refused" ? T.resend : T.edit) : null,
        editable || item.state === "conflict" ? h("button", { type: "button", onclick: function () {
          if (!window.confirm(T.discard_confirm)) return;
          S.discard(item.seq).then(load).then(route);
        } }, T.discard) : null));
  }

  function downloadView() {
    var last = data.last;
    var bar = h("progress", { id: "download-progress", max: "1", value: "0", hidden: true });
    var status = h("p", { id: "download-status", class: "muted", "aria-live": "polite" });
    var button = h("button", { type: "button", class: "primary big", id: "download-button" }, T.download);
    button.addEventListener("click", function () {
      if (!navigator.onLine) { banner(T.offline, "warn"); return; }
      button.disabled = true;
      bar.hidden = false;
      N.download(function (s) {
        bar.max = s.total || 1;
        bar.value = s.n;
        status.textContent = fill(T.download_progress, { n: count(s.n), total: count(s.total), size: size(s.bytes) });
      }, ME.today).then(function (done) {
        return load().then(function () {
          route();
          banner(fill(T.download_done, { n: count(done.persons), size: size(done.bytes) }), "ok");
        });
      }).catch(function (problem) {
        status.textContent = problem && problem.kind === "device" ? deviceProblem(problem) : T.download_failed;
        button.disabled = false;
      });
    });
    return [h("h1", { text: T.download }), button, bar, status,
      h("dl", { class: "facts" },
        h("dt", { text: T.last_download }), h("dd", { id: "last-download", text: last ? stamp(last.at) + " · " + size(last.bytes) : T.never }),
        h("dt", { text: T.persons_on_phone }), h("dd", { text: count(data.persons.length) }),
        h("dt", { text: T.numbers_left }), h("dd", { id: "numbers-left", text: count(data.numbers.length) + (data.numbers[0] ? " (" + data.numbers[0] + "…)" : "") }),
        h("dt", { text: T.device }), h("dd", {}, h("a", { href: "/thiet-bi/", text: data.device ? data.device.name : "—" }))),
      data.numbers.length ? h("button", { type: "button", onclick: function () {
        S.releaseNumbers().then(load).then(function () { banner(T.released, "ok"); route(); autoSync(); });
      } }, T.release) : null,
      h("div", { class: "actions" }, h("a", { class: "button", href: "/tinh/", text: T.calculator }),
        h("a", { class: "button", href: "/", text: T.full_site }))];
  }

  // --- routing -------------------------------------------------------------------------------

  var ROUTES = [
    [/^#\/tim$/, function () { return search(); }, "search"],
    [/^#\/nguoi\/([^/]+)$/, function (m) { return person(m[1]); }, "search"],
    [/^#\/thu\/([^/]+)\/([^/]*)(?:\/(\d+))?$/, function (m) { return receiptForm(m[1], m[2], m[3]); }, "worklist"],
    [/^#\/bien-lai\/([^/]+)$/, function (m) { return receipt(m[1]); }, "outbox"],
    [/^#\/tiep-xuc\/([^/]+)(?:\/(\d+))?$/, function (m) { return contactForm(m[1], m[2]); }, "worklist"],
    [/^#\/dang-ky\/([^/]+)(?:\/(\d+))?$/, function (m) { return enrolForm(m[1], m[2]); }, "worklist"],
    [/^#\/moi(?:\/(\d+))?$/, function (m) { return personForm(m[1]); }, "search"],
    [/^#\/hang-cho$/, function () { return outbox(); }, "outbox"],
    [/^#\/tai$/, function () { return downloadView(); }, "download"],
    [/^/, function () { return worklist(); }, "worklist"]
  ];

  function route() {
    if (!data) return;
    var hash = location.hash || "#/";
    for (var i = 0; i < ROUTES.length; i++) {
      var m = hash.match(ROUTES[i][0]);
      if (!m) continue;
      view.textContent = "";
      add(view, ROUTES[i][1](m));
      document.querySelectorAll(".tabs a").forEach(function (a) {
        a.setAttribute("aria-current", a.getAttribute("data-tab") === ROUTES[i][2] ? "page" : "false");
      });
      counter();
      return;
    }
  }

  // --- sync ----------------------------------------------------------------------------------

  function runSync() {
    if (!navigator.onLine) { banner(T.offline, "warn"); return Promise.resolve(); }
    var bar = document.getElementById("sync-progress");
    return N.sync(function (s) {
      banner(fill(T.sync_progress, { n: count(s.n), total: count(s.total) }), "");
      if (bar) { bar.hidden = false; bar.max = s.total || 1; bar.value = s.n; }
    }).then(function (s) {
      banner(T.sync_done + (s.refused ? " " + T.to_fix + ": " + s.refused + "." : "") +
             (s.conflicts ? " " + T.conflicts + ": " + s.conflicts + "." : ""), s.refused ? "warn" : "ok");
      // what the office changed meanwhile (and the versions of what was just sent)
      return N.download(function () {}, ME.today).catch(function () {});
    }).catch(function (problem) {
      banner(problem && problem.kind === "device" ? deviceProblem(problem) : T.sync_failed, "warn");
    }).then(load).then(route);
  }

  var timer = null;
  function autoSync() {
    if (!navigator.onLine || timer) return;
    timer = setTimeout(function () {
      timer = null;
      if (data.outbox.some(function (i) { return i.state === "queued"; }) || data.release.length) runSync();
    }, 500);
  }

  // Another user's data never mixes with this one's: a phone handed over is wiped, unless
  // the other user still has items to send.
  function checkUser() {
    return S.meta("user").then(function (user) {
      if (user === ME.username) return true;
      return S.all("outbox").then(function (items) {
        if (user && items.length) { banner(T.other_user, "warn"); return false; }
        return S.wipe().then(function () { return S.setMeta("user", ME.username); }).then(function () { return true; });
      });
    });
  }

  function start() {
    document.getElementById("sync-button").addEventListener("click", function () { go("#/hang-cho"); runSync(); });
    window.addEventListener("hashchange", route);
    window.addEventListener("online", function () { counter(); N.ensureDevice().catch(function () {}); autoSync(); });
    window.addEventListener("offline", counter);
    // the outbox must survive storage pressure: ask the browser not to evict this site's data
    if (navigator.storage && navigator.storage.persist) navigator.storage.persist().catch(function () {});
    // online all along (no "online" event): try the outbox every few minutes
    setInterval(autoSync, 5 * 60 * 1000);
    if ("serviceWorker" in navigator) {
      navigator.serviceWorker.register(document.body.getAttribute("data-sw"), { scope: "/" }).catch(function () {});
    }
    checkUser().then(function (mine) {
      return load().then(function () {
        route();
        if (!mine) return;
        if (navigator.onLine) {
          N.ensureDevice().then(autoSync, function (problem) {
            banner(problem && problem.kind === "device" ? deviceProblem(problem) : T.device_failed, "warn");
          });
        }
      });
    });
  }

  window.AnsinhField = { reload: function () { return load().then(route); }, sync: runSync };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start); else start();
})();
