/* The public calculator with the network down: the page answers itself.
 *
 * When the browser is offline (navigator.onLine false) or the request fails, the form's answer
 * comes from engine.js (AnsinhEngine.contribution on "Tôi đóng bao nhiêu?", retirementAge and
 * pension on "Tôi sẽ nhận gì?", with the compulsory years of the optional step as the server
 * adds them) on the parameter snapshot the page carries (#calc-snapshot),
 * rendered into the page's own <template id="calc-offline-result"> with the words the server
 * rendered in the page's language (#calc-offline-texts): this script holds no text of its own.
 */
(function () {
  "use strict";

  function data(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  var snapshot = data("calc-snapshot");
  var texts = data("calc-offline-texts");
  var form = document.querySelector("form.calc-form");
  var result = document.getElementById("result");
  var template = document.getElementById("calc-offline-result");
  var page = template && template.dataset.page;
  if (!texts || !form || !result || !page) { return; }
  if (page !== "cash_out" && (!snapshot || !window.AnsinhEngine)) { return; }

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (all, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? values[key] : all;
    });
  }

  function group(n) {
    var s = String(Math.abs(n)), out = "";
    while (s.length > 3) { out = texts.group + s.slice(-3) + out; s = s.slice(0, -3); }
    return (n < 0 ? "-" : "") + s + out;
  }

  function vnd(n) { return group(n) + texts.currency; }

  function percent(rate) {
    // money.percent: "0.22" -> "22 %", "0.0031" -> "0,31 %"
    var parts = String(rate).split("."), frac = (parts[1] || "") + "00";
    var whole = (parts[0] + frac.slice(0, 2)).replace(/^0+(?=\d)/, "");
    var rest = frac.slice(2).replace(/0+$/, "");
    return whole + (rest ? texts.decimal + rest : "") + texts.percent;
  }

  function day(iso) { return iso.slice(8, 10) + "/" + iso.slice(5, 7) + "/" + iso.slice(0, 4); }

  function today() {
    var d = new Date();
    function two(n) { return (n < 10 ? "0" : "") + n; }
    return d.getFullYear() + "-" + two(d.getMonth() + 1) + "-" + two(d.getDate());
  }

  function slot(root, name) { return root.querySelector('[data-slot="' + name + '"]'); }
  function key(root, name) {
    // the template's amounts take their data-key (what the page's own result has) when filled
    var el = root.querySelector('[data-fill="' + name + '"]');
    el.setAttribute("data-key", name);
    return el;
  }

  function provisional(quote, prefixes) {
    return quote.references.some(function (r) {
      return r.confidence !== "confirmed" && (!prefixes.length || prefixes.some(function (p) {
        return r.name.indexOf(p) === 0;
      }));
    });
  }

  function showError(message) {
    var node = document.getElementById("calc-offline-error").content.cloneNode(true);
    slot(node, "message").textContent = message;
    result.replaceChildren(node);
  }

  function reference(ref) {
    var entry = snapshot.parameters[ref.name].values.filter(function (v) {
      return v.start === ref.start;
    })[0];
    var doc = ref.document, art = ref.article;
    if (texts.vietnamese && entry && entry.reference.document_vi) {
      doc = entry.reference.document_vi;
      art = entry.reference.article_vi;
    }
    return (texts.labels[ref.name] || ref.name) + " (" + texts.from + " " + day(ref.start) +
      "): " + doc + (art ? ", " + art : "");
  }

  function show(quote) {
    var node = document.getElementById("calc-offline-result").content.cloneNode(true);
    slot(node, "notice").textContent = texts.notice;
    slot(node, "title").textContent = fill(texts.title, {income: vnd(quote.income)});
    slot(node, "gross_monthly").textContent = fill(texts.gross_monthly, {rate: percent(quote.rate)});
    Object.keys(texts.depends).forEach(function (name) {
      var money = key(node, name);
      money.textContent = vnd(quote[name]);
      if (!provisional(quote, texts.depends[name])) {
        money.parentNode.querySelector(".badge.prov").remove();
      }
    });
    if (!quote.local_support_monthly) {  // as the page: no "0 ₫" line that reads as an error
      node.querySelector("tr.local_support_monthly").remove();
    }
    var label = quote.mode === "advance"
      ? fill(texts.advance[String(quote.years)] || "", {months: quote.months})
      : quote.months === 1 ? texts.each_month : fill(texts.each_payment, {months: quote.months});
    slot(node, "total").textContent = label;
    if (quote.mode === "advance") {
      var discount = slot(node, "discount");
      discount.textContent = fill(texts.discount, {r: percent(quote.fund_yield)});
      discount.hidden = false;
    }
    if (quote.category_applied !== "other" || quote.support_monthly) {
      var note = slot(node, "support_note");
      note.textContent = fill(texts.support_note, {rate: percent(quote.support_rate),
                                                   floor: vnd(quote.floor)});
      note.hidden = false;
    }
    key(node, "floor").textContent = vnd(quote.floor);
    key(node, "ceiling").textContent = vnd(quote.ceiling);
    key(node, "on").textContent = day(quote.on);
    var prov = quote.references.filter(function (r) { return r.confidence !== "confirmed"; });
    showProvisional(node, prov);
    result.replaceChildren(node);
  }

  function computePay() {
    var f = form.elements;
    var on = (f.on && f.on.value) || today();
    var mode = f.mode.value;
    try {
      var raw = (f.income.value || "").replace(/[\s.,_₫đ]|vnd|VND|đồng/g, "");
      var income;
      if (raw === "") {
        income = AnsinhEngine.incomeBounds(snapshot, on).floor;
      } else if (/^\d+$/.test(raw)) {
        income = parseInt(raw, 10);
      } else {
        showError(texts.income_invalid);
        return;
      }
      var years = null;
      if (mode === "advance") {
        years = parseInt(f.years && f.years.value, 10);
        if (!years) {
          var limits = snapshot.parameters["contribution.advance_years"].values;
          years = limits[limits.length - 1].value.min;
        }
      }
      show(AnsinhEngine.contribution(snapshot, {on: on, income: income,
                                                category: f.category.value, mode: mode,
                                                years: years}));
    } catch (e) {
      refused(e);
    }
  }

  // The unconfirmed values a result used, listed under it (the note stays hidden without any).
  function showProvisional(node, prov) {
    if (!prov.length) { return; }
    var list = slot(node, "prov").querySelector("ul");
    prov.forEach(function (r) {
      var li = document.createElement("li");
      li.textContent = reference(r);
      list.appendChild(li);
    });
    slot(node, "prov").hidden = false;
  }

  // The engine's refusal, in the page's words (anything else is a bug: thrown on).
  function refused(e) {
    if (!(e instanceof AnsinhEngine.EngineError)) { throw e; }
    if (e.kind === "income_out_of_range") {
      showError(fill(texts.income_out_of_range, {floor: vnd(e.args.floor),
                                                 ceiling: vnd(e.args.ceiling)}));
    } else if (e.code === "invalid_income") {
      showError(texts.income_invalid);
    } else {
      showError(texts.cannot);
    }
  }

  /* ---- "Tôi sẽ nhận gì?": the retirement age and the pension of a contribution path ---- */

  function plural(forms, n) { return fill(n === 1 ? forms.one : forms.many, {years: n, months: n}); }

  function duration(months) {
    // rules.presenting.duration_text: "23 năm 2 tháng", "20 năm", "5 tháng"
    var years = Math.floor(Math.max(months, 0) / 12), rest = Math.max(months, 0) % 12;
    var parts = [];
    if (years) { parts.push(plural(texts.years, years)); }
    if (rest || !years) { parts.push(plural(texts.months, rest)); }
    return parts.join(" ");
  }

  function monthsSaid(months) {
    return months < 12 ? duration(months) : fill(texts.months_total, {n: months, duration: duration(months)});
  }

  function monthYear(iso) { return iso.slice(5, 7) + "/" + iso.slice(0, 4); }

  function parseBirth(text) {
    // forms.BirthField: 1985, 03/1985, 1985-03
    var t = (text || "").trim(), m;
    if (/^\d{4}$/.test(t)) { return t + "-01-01"; }
    if ((m = /^(\d{4})-(\d{1,2})$/.exec(t))) { return m[1] + "-" + ("0" + m[2]).slice(-2) + "-01"; }
    if ((m = /^(\d{1,2})\/(\d{4})$/.exec(t))) { return m[2] + "-" + ("0" + m[1]).slice(-2) + "-01"; }
    return null;
  }

  function parseMonth(text) {
    // core.fields.MonthField: 2026-11 or 11/2026 -> index of the month
    var t = (text || "").trim(), m;
    if ((m = /^(\d{4})-(\d{1,2})$/.exec(t))) { return +m[1] * 12 + +m[2] - 1; }
    if ((m = /^(\d{1,2})\/(\d{4})$/.exec(t))) { return +m[2] * 12 + +m[1] - 1; }
    return null;
  }

  function ym(index) { return Math.floor(index / 12) + "-" + ("0" + (index % 12 + 1)).slice(-2); }

  function amountRow(node, name, value, result) {
    var money = key(node, name);
    money.textContent = vnd(value);
    if (!provisional(result, texts.depends[name])) {
      money.parentNode.querySelector(".badge.prov").remove();
    }
  }

  function listProvisional(node, results) {
    var seen = {}, prov = [];
    results.forEach(function (res) {
      res.references.forEach(function (r) {
        var k = r.name + "@" + r.start;
        if (r.confidence !== "confirmed" && !seen[k]) { seen[k] = true; prov.push(r); }
      });
    });
    prov.sort(function (a, b) {
      return a.name < b.name ? -1 : a.name > b.name ? 1 : a.start < b.start ? -1 : 1;
    });
    showProvisional(node, prov);
  }

  function intOr0(el) { var n = parseInt(el && el.value, 10); return isNaN(n) ? 0 : n; }

  function money(el, floor) {
    var raw = ((el && el.value) || "").replace(/[\s.,_₫đ]|vnd|VND|đồng/g, "");
    if (raw === "") { return floor; }
    if (!/^\d+$/.test(raw)) { throw new AnsinhEngine.EngineError("invalid_input", "invalid_income", {}); }
    return parseInt(raw, 10);
  }

  // A refusal of the page's own checks (the form's, views._with_compulsory's), in its words.
  function Refusal(message) { this.message = message; }

  function withCompulsory(history, step, fallbackEnd, latest, birth, ceiling) {
    // views._with_compulsory: the voluntary periods with the compulsory months of the optional
    // step, in order, ending in the month named or just before the first voluntary month
    if (step.months <= 0) { return history; }
    if (step.salary > ceiling) {
      throw new Refusal(fill(texts.compulsory_ceiling, {ceiling: vnd(ceiling)}));
    }
    var end = step.end !== null ? step.end
      : history.length ? parseMonth(history[0].from) - 1 : fallbackEnd;
    if (end > latest) {
      throw new Refusal(fill(texts.compulsory_end, {month: monthYear(ym(latest + 1) + "-01")}));
    }
    var first = end + 1 - step.months;
    if (first < parseMonth(birth.slice(0, 7)) + 15 * 12) {
      throw new Refusal(texts.compulsory_too_young);
    }
    if (history.some(function (v) {
      return parseMonth(v.from) <= end && first <= parseMonth(v.to);
    })) {
      throw new Refusal(texts.compulsory_overlap);
    }
    return [{from: ym(first), to: ym(end), salary: step.salary, kind: "compulsory"}]
      .concat(history).sort(function (a, b) { return parseMonth(a.from) - parseMonth(b.from); });
  }

  function compulsoryStep(f) {
    // the optional step as the form cleans it: the months, the salary (required with months),
    // the last month (empty: just before the voluntary months)
    var months = 12 * intOr0(f.compulsory_years) + intOr0(f.compulsory_months);
    var endText = ((f.compulsory_end && f.compulsory_end.value) || "").trim();
    var end = endText === "" ? null : parseMonth(endText);
    if (endText !== "" && end === null) { throw new Refusal(texts.month_invalid); }
    var salary = money(f.compulsory_salary, 0);
    if (months > 0 && !salary) { throw new Refusal(texts.compulsory_salary); }
    return {months: months, salary: salary, end: end};
  }

  function computeBenefits() {
    var f = form.elements;
    var sexEl = form.querySelector("input[name=sex]:checked");
    var birth = parseBirth(f.birth.value);
    if (!sexEl || !birth) { showError(texts.required); return; }
    var sex = sexEl.value, category = f.category.value, on = today();
    var thisMonth = parseMonth(on.slice(0, 7));
    var start = parseMonth(f.start && f.start.value);
    if (start === null) { start = thisMonth; }
    var paid = 12 * intOr0(f.paid_years) + intOr0(f.paid_months);
    try {
      var step = compulsoryStep(f);
      var bounds = AnsinhEngine.incomeBounds(snapshot, on);
      var past = money(f.past_income, bounds.floor), future = money(f.future_income, bounds.floor);
      var quote = AnsinhEngine.contribution(snapshot, {on: on, income: future, category: category,
                                                       mode: "monthly"});
      var retirement = AnsinhEngine.retirementAge(snapshot, {sex: sex, birth: birth});
      var reached = parseMonth(retirement.reached_month);
      var history = [];
      if (paid > 0) {
        history.push({from: ym(start - paid), to: ym(start - 1), income: past, category: category});
      }
      if (start <= reached) {
        history.push({from: ym(start), to: ym(reached), income: future, category: category});
      }
      var first = snapshot.parameters["contribution.rate"].values[0].start;
      if (history.length && parseMonth(history[0].from) < parseMonth(first.slice(0, 7))) {
        showError(texts.too_early); return;
      }
      // the compulsory months the person has had: up to last month, not a plan
      history = withCompulsory(history, step, start - 1, thisMonth - 1, birth, bounds.ceiling);
      if (!history.length) { showError(texts.no_months); return; }
      showBenefits(AnsinhEngine.pension(snapshot, {sex: sex, birth: birth, history: history,
                                                   today: on}), quote);
    } catch (e) {
      if (e instanceof Refusal) { showError(e.message); return; }
      refused(e);
    }
  }

  function showBenefits(res, quote) {
    var node = document.getElementById("calc-offline-result").content.cloneNode(true);
    slot(node, "notice").textContent = texts.notice;
    if (res.eligible) {
      slot(node, "good").textContent = fill(texts.pension_from, {start: monthYear(res.pension_from)});
      slot(node, "good").hidden = false;
      amountRow(node, "monthly_pension", res.monthly_pension, res);
      if (res.one_time_allowance) {
        amountRow(node, "one_time_allowance", res.one_time_allowance, res);
      } else {
        node.querySelector("tr.one_time_allowance").remove();
      }
      var rate = key(node, "rate");
      rate.textContent = fill(texts.rate, {rate: percent(res.rate)});
      var rateProv = provisional(res, ["pension.rate", "pension.short_service",
                                          "pension.min_years", "benefits.half_year_odd_months"]);
      if (!rateProv) { rate.parentNode.querySelector(".badge.prov").remove(); }
    } else {
      var reason = texts.reasons[res.reason.code] || texts.cannot;
      slot(node, "bad_reason").textContent = fill(reason, res.reason.args);
      slot(node, "bad").hidden = false;
      slot(node, "advice").hidden = false;
      node.querySelector("tr.monthly_pension").remove();
      node.querySelector("tr.one_time_allowance").remove();
      node.querySelectorAll(".rate-fact").forEach(function (el) { el.remove(); });
    }
    amountRow(node, "average_income", res.average_income, res);
    amountRow(node, "net_monthly", quote.net_monthly, quote);
    key(node, "retirement_age").textContent =
      (res.retirement_age_months
        ? fill(texts.age, {years: res.retirement_age_years, months: res.retirement_age_months})
        : fill(texts.age_years, {years: res.retirement_age_years})) +
      " (" + fill(texts.reached, {month: monthYear(res.reached_month + "-01")}) + ")";
    key(node, "months").textContent = monthsSaid(res.months);
    if (res.months_compulsory) {
      key(node, "months_compulsory").textContent = duration(res.months_compulsory);
    } else {
      node.querySelectorAll(".compulsory-fact").forEach(function (el) { el.remove(); });
    }
    var floorSaid = node.querySelector('[data-fill="floor_applied"]');
    if (res.floor_applied) {
      // views._floor_said: in the values the engine used
      var used = {};
      res.references.forEach(function (r) { used[r.name] = r.value; });
      key(node, "floor_applied").textContent = fill(texts.floor, {
        duration: duration(used["pension.floor_min_compulsory_months"]),
        date: day(used["pension.floor_joined_before"])});
      floorSaid.hidden = false;
    } else {
      floorSaid.remove();
    }
    if (res.months_projected) {
      slot(node, "projected").textContent = fill(texts.projected, {n: duration(res.months_projected)});
      slot(node, "projected").hidden = false;
    }
    listProvisional(node, [res, quote]);
    result.replaceChildren(node);
  }

  var compute = {pay: computePay, benefits: computeBenefits,
                 cash_out: function () { showError(texts.cannot); }}[page];

  function ours(evt) { return evt.detail && evt.detail.elt && form.contains(evt.detail.elt); }

  // offline: answer here instead of asking the server
  document.body.addEventListener("htmx:beforeRequest", function (evt) {
    if (ours(evt) && !navigator.onLine) { evt.preventDefault(); compute(); }
  });
  // online in name only (no signal, the server away): the request failed, answer here
  document.body.addEventListener("htmx:sendError", function (evt) { if (ours(evt)) { compute(); } });
  document.body.addEventListener("htmx:responseError", function (evt) {
    if (ours(evt) && evt.detail.xhr && evt.detail.xhr.status >= 500) { compute(); }
  });
  // without htmx (its file not cached) the form would go to the browser's error page
  form.addEventListener("submit", function (evt) {
    if (!window.htmx && !navigator.onLine) { evt.preventDefault(); compute(); }
  });
}());
