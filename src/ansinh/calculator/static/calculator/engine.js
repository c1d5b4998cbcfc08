/* ansinh engine.js: the policy engine's contribution and retirement-age formulas in the browser.
 *
 * A faithful port of ansinh.policy (contribution_quote, income_bounds, retirement_age), fed by
 * the parameter snapshot of GET /api/policy?on=YYYY-MM-DD (ansinh.calculator.snapshot). It gives
 * the engine's numbers to the đồng: decimals are exact rationals of BigInt, and every rounding is
 * the engine's (half up, to the đồng, at the same steps). A case file generated from the Python
 * engine (calculator/tests/cases.json, `ansinh calc-cases`) runs against both in CI.
 *
 * A plain script, no build step, no module system: it defines window.AnsinhEngine.
 *
 *   AnsinhEngine.contribution(snapshot, {on, income, category | categories, months | mode,
 *                                        years, supported_months, fund_yield, province})
 *     on: "YYYY-MM-DD"; income: integer VND; category: "poor" | "near_poor" |
 *     "ethnic_minority" | "island" | "other" (the engine's subsidy category; categories: several,
 *     the highest support applies); months: 1, 3, 6, 12 (the periodic modes) or 24..60 (paying
 *     2-5 years in advance), or mode: "monthly" | "quarterly" | "half_yearly" | "yearly" |
 *     "advance" with years for "advance"; supported_months: months of state support already
 *     received (default 0); fund_yield: "0.0031" (default: the value in force); province: "hue".
 *     Returns the engine's ContributionQuote.to_dict() (gross_monthly, support_monthly,
 *     net_monthly, total, references, provisional, ...) plus
 *       amount  = total: what the person pays for this payment,
 *       support = support_total: the state (and provincial) support in it,
 *       gross   = what the payment costs before support (the discounted gross when in advance).
 *
 *   AnsinhEngine.incomeBounds(snapshot, on)
 *     -> {on, rate, floor, ceiling, step, reference_level, provisional, references}
 *
 *   AnsinhEngine.retirementAge(snapshot, {sex: "F" | "M", birth: "YYYY-MM-DD" | "YYYY-MM" |
 *                                         "YYYY"})
 *     -> the engine's RetirementAge.to_dict(): {sex, birth, retirement_age_years,
 *        retirement_age_months, reached_month: "YYYY-MM", pension_from, provisional, references}
 *
 * Refusals throw an AnsinhEngine.EngineError with .kind ("invalid_input",
 * "income_out_of_range", "parameter_not_found" as the engine's error classes, or
 * "outside_snapshot" when `on` is before snapshot.valid_from), .code (which check) and .args;
 * never words: the page words them in its language.
 */
(function (global) {
  "use strict";

  var FORMAT = 1;

  function EngineError(kind, code, args) {
    this.name = "EngineError";
    this.kind = kind;
    this.code = code;
    this.args = args || {};
    this.message = kind + ": " + code + " " + JSON.stringify(this.args);
  }
  EngineError.prototype = Object.create(Error.prototype);
  EngineError.prototype.constructor = EngineError;

  function invalid(code, args) { return new EngineError("invalid_input", code, args); }

  /* ---- exact decimals: {n, d} with BigInt, d > 0 ---- */

  var B0 = BigInt(0), B1 = BigInt(1), B2 = BigInt(2), B10 = BigInt(10);

  function rat(n, d) { return {n: n, d: d === undefined ? B1 : d}; }

  function dec(value) {
    // "0.22", "-1.5E-3", 20 (a JSON number is an integer here) -> exact rational
    if (typeof value === "number") {
      if (!Number.isInteger(value)) { throw invalid("not_a_number", {value: value}); }
      return rat(BigInt(value));
    }
    var m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(String(value));
    if (!m || (m[2] + (m[3] || "")) === "") { throw invalid("not_a_number", {value: value}); }
    var frac = m[3] || "";
    var n = BigInt((m[2] || "0") + frac);
    var exp = (m[4] ? parseInt(m[4], 10) : 0) - frac.length;
    var d = B1;
    if (exp >= 0) { n = n * B10 ** BigInt(exp); } else { d = B10 ** BigInt(-exp); }
    return rat(m[1] === "-" ? -n : n, d);
  }

  function mul(a, b) { return rat(a.n * b.n, a.d * b.d); }
  function sub(a, b) { return rat(a.n * b.d - b.n * a.d, a.d * b.d); }
  function isZero(a) { return a.n === B0; }
  function cmp(a, b) { var x = a.n * b.d, y = b.n * a.d; return x < y ? -1 : x > y ? 1 : 0; }

  function vnd(a) {
    // to the đồng, half away from zero (Decimal ROUND_HALF_UP): a BigInt
    var n = a.n < B0 ? -a.n : a.n;
    var q = (B2 * n + a.d) / (B2 * a.d);
    return a.n < B0 ? -q : q;
  }

  function plain(text) {
    // Python's format(Decimal(text), "f"): the decimal without an exponent
    var m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(String(text));
    if (!m || !m[4]) { return String(text); }
    var digits = (m[2] || "") + (m[3] || "");
    var point = (m[2] || "").length + parseInt(m[4], 10);
    var out;
    if (point <= 0) { out = "0." + "0".repeat(-point) + digits; }
    else if (point >= digits.length) { out = digits + "0".repeat(point - digits.length); }
    else { out = digits.slice(0, point) + "." + digits.slice(point); }
    out = out.replace(/^0+(?=\d)/, "");
    return (m[1] === "-" ? "-" : "") + out;
  }

  function rateStr(text) {
    // policy.money.rate_str: at least two decimals, more only when needed ("0.30", "0.405")
    var t = plain(text);
    var sign = t[0] === "-" ? "-" : "";
    if (sign) { t = t.slice(1); }
    var parts = t.split(".");
    var whole = parts[0].replace(/^0+(?=\d)/, "") || "0";
    var frac = (parts[1] || "").replace(/0+$/, "");
    if (frac.length <= 2) { frac = (frac + "00").slice(0, 2); }
    if (sign && /^0+$/.test(whole + frac)) { sign = ""; }
    return sign + whole + "." + frac;
  }

  /* ---- dates ---- */

  function checkDate(text, field) {
    var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(text));
    if (!m) { throw invalid("invalid_date", {field: field, value: text}); }
    var y = +m[1], mo = +m[2], d = +m[3];
    var last = new Date(Date.UTC(y, mo, 0)).getUTCDate();
    if (mo < 1 || mo > 12 || d < 1 || d > last) {
      throw invalid("invalid_date", {field: field, value: text});
    }
    return text;
  }

  function pad(n, w) { var s = String(n); while (s.length < w) { s = "0" + s; } return s; }
  function monthIndex(iso) { return parseInt(iso.slice(0, 4), 10) * 12 + parseInt(iso.slice(5, 7), 10) - 1; }
  function monthStart(index) {
    return pad(Math.floor(index / 12), 4) + "-" + pad(index % 12 + 1, 2) + "-01";
  }

  /* ---- the parameter lookup, recording every value used (policy.parameters.Lookup) ---- */

  function Lookup(snapshot) {
    if (!snapshot || snapshot.format !== FORMAT || !snapshot.parameters) {
      throw new EngineError("invalid_input", "bad_snapshot", {format: snapshot && snapshot.format});
    }
    this.snapshot = snapshot;
    this.used = {};
  }

  Lookup.prototype.parameter = function (name) {
    var p = this.snapshot.parameters[name];
    if (!p) { throw new EngineError("parameter_not_found", "missing_parameter", {name: name}); }
    return p;
  };

  Lookup.prototype.peek = function (name, on) {
    // the value in force on `on` (latest start on or before it), or null; not recorded
    var values = this.parameter(name).values, found = null;
    for (var i = 0; i < values.length; i++) {
      if (values[i].start <= on) { found = values[i]; } else { break; }
    }
    return found === null || found.value === null ? null : found;
  };

  Lookup.prototype.record = function (name, entry) {
    this.used[name + "@" + entry.start] = {name: name, entry: entry};
  };

  Lookup.prototype.find = function (name, on) {
    var entry = this.peek(name, on);
    if (entry !== null) { this.record(name, entry); }
    return entry;
  };

  Lookup.prototype.get = function (name, on) {
    var entry = this.find(name, on);
    if (entry === null) { throw new EngineError("parameter_not_found", "no_value", {name: name, on: on}); }
    return entry;
  };

  Lookup.prototype.value = function (name, on) { return this.get(name, on).value; };

  Lookup.prototype.parameters = function () {
    var self = this;
    var keys = Object.keys(this.used).sort(function (a, b) {
      var x = self.used[a], y = self.used[b];
      if (x.name !== y.name) { return x.name < y.name ? -1 : 1; }
      return x.entry.start < y.entry.start ? -1 : x.entry.start > y.entry.start ? 1 : 0;
    });
    return keys.map(function (k) { return self.used[k]; });
  };

  Lookup.prototype.provisional = function () {
    return this.parameters().some(function (u) { return u.entry.provisional; });
  };

  Lookup.prototype.references = function () {
    // ParamValue.to_dict() of every value used, ordered by (name, start)
    var self = this;
    return this.parameters().map(function (u) {
      var ref = u.entry.reference;
      return {name: u.name, start: u.entry.start, value: u.entry.value,
              unit: self.parameter(u.name).unit, confidence: u.entry.confidence,
              document: ref.document, article: ref.article, link: ref.link};
    });
  };

  function isMapping(v) { return v !== null && typeof v === "object" && !Array.isArray(v); }
  function isInt(v) { return typeof v === "number" && Number.isInteger(v); }
  function has(obj, key) { return Object.prototype.hasOwnProperty.call(obj, key); }

  /* ---- contributions (policy.contribution) ---- */

  function bounds(lk, on) {
    var rateText = lk.value("contribution.rate", on);
    var floor = BigInt(lk.value("contribution.rural_poverty_line", on));
    var reference = BigInt(lk.value("general.reference_level", on));
    var ceiling = vnd(mul(dec(lk.value("contribution.income_ceiling_multiplier", on)), rat(reference)));
    var stepPv = lk.find("contribution.income_step", on);
    var step = stepPv !== null && isInt(stepPv.value) ? BigInt(stepPv.value) : B1;
    if (step < B1) { step = B1; }
    return {rateText: String(rateText), rate: dec(rateText), floor: floor, ceiling: ceiling,
            step: step, reference: reference};
  }

  function checkOn(snapshot, on) {
    checkDate(on, "on");
    if (snapshot.valid_from && on < snapshot.valid_from) {
      throw new EngineError("outside_snapshot", "before_snapshot",
                            {on: on, valid_from: snapshot.valid_from});
    }
  }

  function incomeBounds(snapshot, on) {
    var lk = new Lookup(snapshot);
    checkOn(snapshot, on);
    var b = bounds(lk, on);
    return {on: on, rate: rateStr(b.rateText), floor: Number(b.floor), ceiling: Number(b.ceiling),
            step: Number(b.step), reference_level: Number(b.reference),
            provisional: lk.provisional(), references: lk.references()};
  }

  function checkCategories(snapshot, categories) {
    var allowed = snapshot.categories || ["poor", "near_poor", "ethnic_minority", "island", "other"];
    var cats = categories.length ? categories.slice() : ["other"];
    cats.forEach(function (cat) {
      if (allowed.indexOf(cat) < 0) { throw invalid("invalid_category", {category: cat}); }
    });
    return cats;
  }

  function checkIncome(income, b) {
    if (typeof income !== "number" || !Number.isInteger(income)) {
      throw invalid("invalid_income", {income: income});
    }
    var x = BigInt(income);
    if (x < b.floor || x > b.ceiling || (x - b.floor) % b.step !== B0) {
      throw new EngineError("income_out_of_range", "income_out_of_range",
                            {income: income, floor: Number(b.floor), ceiling: Number(b.ceiling),
                             step: Number(b.step)});
    }
    return x;
  }

  function paymentMonths(lk, on, mode, years) {
    var modes = lk.snapshot.modes || ["monthly", "quarterly", "half_yearly", "yearly", "advance"];
    if (modes.indexOf(mode) < 0) { throw invalid("invalid_mode", {mode: mode}); }
    if (mode === "advance") {
      var limits = lk.value("contribution.advance_years", on);
      if (years === null || years === undefined || !isInt(years) ||
          years < limits.min || years > limits.max) {
        throw invalid("invalid_years", {min: limits.min, max: limits.max});
      }
      return {months: 12 * years, deadline: null};
    }
    if (years !== null && years !== undefined) { throw invalid("years_not_allowed", {}); }
    var table = lk.value("contribution.payment_modes", on);
    var months = table[mode];
    var deadlinePv = lk.find("contribution.payment_deadline_months", on);
    var deadline = null;
    if (deadlinePv !== null && isMapping(deadlinePv.value)) {
      var raw = deadlinePv.value[mode];
      deadline = isInt(raw) ? raw : null;
    }
    return {months: months, deadline: deadline};
  }

  function supportRateFor(lk, cats, on) {
    var pv = lk.peek("subsidy.support_rate", on);
    var best = rat(B0), bestText = "0", bestCat = cats[0];
    if (pv === null || !isMapping(pv.value)) { return {k: best, text: bestText, category: bestCat}; }
    lk.record("subsidy.support_rate", pv);
    cats.forEach(function (cat) {
      var text = has(pv.value, cat) ? pv.value[cat] : "0";
      var r = dec(text);
      if (cmp(r, best) > 0) { best = r; bestText = String(text); bestCat = cat; }
    });
    return {k: best, text: bestText, category: bestCat};
  }

  function localTopUp(lk, cats, province, on, base) {
    var best = B0, used = [];
    var amounts = lk.peek("subsidy.local_top_up_amount", on);
    var rates = lk.peek("subsidy.local_top_up_rate", on);
    var sources = [[amounts, "subsidy.local_top_up_amount", false],
                   [rates, "subsidy.local_top_up_rate", true]];
    cats.forEach(function (cat) {
      var total = B0;
      sources.forEach(function (source) {
        var pv = source[0];
        if (pv === null || !isMapping(pv.value)) { return; }
        var byCat = pv.value[province];
        if (!isMapping(byCat) || !has(byCat, cat)) { return; }
        var raw = byCat[cat];
        var part = source[2] ? vnd(mul(dec(raw), base)) : BigInt(raw);
        if (part !== B0) { total += part; used.push([source[1], pv]); }
      });
      if (total > best) { best = total; }
    });
    used.forEach(function (u) { lk.record(u[0], u[1]); });
    return best;
  }

  function annuity(r, n) {
    // Σ_{i=1}^{n} 1/(1+r)^(i-1) = ((a+b)^n - b^n) / (a (a+b)^(n-1)) for r = a/b, exactly
    if (n <= 0) { return rat(B0); }
    if (isZero(r)) { return rat(BigInt(n)); }
    var s = r.n + r.d, N = BigInt(n);
    return rat(r.d * (s ** N - r.d ** N), r.n * s ** (N - B1) * r.d);
  }

  function modeFor(lk, on, months) {
    // a count of months -> (mode, years): 1/3/6/12 the periodic modes, 12 x years in advance
    var table = lk.peek("contribution.payment_modes", on);
    if (table !== null) {
      for (var mode in table.value) {
        if (has(table.value, mode) && table.value[mode] === months) { return {mode: mode, years: null}; }
      }
    }
    if (isInt(months) && months > 0 && months % 12 === 0) { return {mode: "advance", years: months / 12}; }
    throw invalid("invalid_months", {months: months});
  }

  function contribution(snapshot, input) {
    var lk = new Lookup(snapshot);
    var on = input.on;
    checkOn(snapshot, on);
    var categories = input.categories || (input.category ? [input.category] : []);
    var cats = checkCategories(snapshot, categories);
    var supportedBefore = input.supported_months === undefined ? 0 : input.supported_months;
    if (!isInt(supportedBefore) || supportedBefore < 0) {
      throw invalid("invalid_supported_months", {supported_months: supportedBefore});
    }
    var mode = input.mode, years = input.years === undefined ? null : input.years;
    if (mode === undefined && input.months !== undefined) {
      var chosen = modeFor(lk, on, input.months);
      mode = chosen.mode;
      years = chosen.years;
    }
    if (mode === undefined) { mode = "monthly"; }
    var province = input.province || "hue";

    var b = bounds(lk, on);
    var income = checkIncome(input.income, b);
    var pm = paymentMonths(lk, on, mode, years);
    var months = pm.months, M = BigInt(months);

    var gross = vnd(mul(b.rate, rat(income)));
    var supportBase = mul(b.rate, rat(b.floor));
    var sr = supportRateFor(lk, cats, on);
    var kText = sr.text;
    var support = vnd(mul(sr.k, supportBase));
    var local = localTopUp(lk, cats, province, on, supportBase);
    var remaining = 0;
    if (support !== B0 || local !== B0) {
      var capPv = lk.find("subsidy.max_supported_months", on);
      var cap = capPv !== null && isInt(capPv.value) ? capPv.value : 0;
      remaining = Math.max(0, cap - supportedBefore);
    }
    var supportedIn = Math.min(months, remaining);
    if (supportedIn === 0) { kText = "0"; support = B0; local = B0; }
    if (gross - support < local) { local = gross - support; }
    var relief = support + local;
    var net = gross - relief;
    var grossTotal = gross * M;
    var supportTotal = relief * BigInt(supportedIn);

    var discounted = null, rText = null, netting = null, total;
    if (mode === "advance") {
      rText = input.fund_yield !== undefined && input.fund_yield !== null
        ? String(input.fund_yield) : String(lk.value("contribution.fund_yield", on));
      var r = dec(rText);
      if (r.n < B0) { throw invalid("negative_fund_yield", {fund_yield: rText}); }
      netting = lk.value("contribution.advance_support_mode", on);
      var exact = mul(rat(gross), annuity(r, months));
      discounted = vnd(exact);
      if (netting === "discount_net") {
        total = vnd(sub(exact, mul(rat(relief), annuity(r, supportedIn))));
      } else if (netting === "subtract_undiscounted") {
        total = discounted - supportTotal;
      } else {
        throw invalid("invalid_advance_support_mode", {mode: netting});
      }
    } else {
      total = grossTotal - supportTotal;
    }
    if (total < B0) { total = B0; }

    return {
      on: on,
      income: Number(income),
      categories: cats,
      category_applied: sr.category,
      mode: mode,
      years: years,
      months: months,
      rate: rateStr(b.rateText),
      gross_monthly: Number(gross),
      support_rate: rateStr(kText),
      support_monthly: Number(support),
      local_support_monthly: Number(local),
      net_monthly: Number(net),
      supported_months_before: supportedBefore,
      supported_months_in_payment: supportedIn,
      gross_total: Number(grossTotal),
      discounted_gross_total: discounted === null ? null : Number(discounted),
      support_total: Number(supportTotal),
      fund_yield: rText === null ? null : plain(rText),
      advance_support_mode: netting,
      deadline_months: pm.deadline,
      total: Number(total),
      floor: Number(b.floor),
      ceiling: Number(b.ceiling),
      reference_level: Number(b.reference),
      provisional: lk.provisional(),
      references: lk.references(),
      amount: Number(total),
      support: Number(supportTotal),
      gross: Number(discounted === null ? grossTotal : discounted)
    };
  }

  /* ---- retirement age (policy.retirement) ---- */

  function parseBirth(text) {
    var s = String(text);
    if (/^\d{4}$/.test(s)) { s += "-01-01"; } else if (/^\d{4}-\d{2}$/.test(s)) { s += "-01"; }
    return checkDate(s, "birth");
  }

  function ageInYear(lk, sex, year) {
    var on = pad(year, 4) + "-01-01";
    var pv = lk.peek("retirement.age", on);  // read, recorded only for the year that answers
    if (pv === null) {
      throw new EngineError("parameter_not_found", "no_value", {name: "retirement.age", on: on});
    }
    var byYear = pv.value[sex];
    var years = Object.keys(byYear).map(Number).sort(function (a, c) { return a - c; });
    var key = Math.min(Math.max(year, years[0]), years[years.length - 1]);
    return {months: byYear[String(key)], pv: pv};
  }

  function retirementAge(snapshot, input) {
    var sex = input.sex;
    var sexes = snapshot.sexes || ["F", "M"];
    if (sexes.indexOf(sex) < 0) { throw invalid("invalid_sex", {sex: sex}); }
    var lk = new Lookup(snapshot);
    var birth = parseBirth(input.birth);
    var born = monthIndex(birth), birthYear = parseInt(birth.slice(0, 4), 10);
    var firstStart = lk.parameter("retirement.age").values[0].start;
    var firstYear = Math.max(birthYear + 50, parseInt(firstStart.slice(0, 4), 10));
    for (var year = firstYear; year < birthYear + 80; year++) {
      var found = ageInYear(lk, sex, year);
      var reached = born + found.months;
      if (Math.floor(reached / 12) <= year) {
        lk.record("retirement.age", found.pv);
        return {
          sex: sex, birth: birth,
          retirement_age_years: Math.floor(found.months / 12),
          retirement_age_months: found.months % 12,
          reached_month: monthStart(reached).slice(0, 7),
          pension_from: monthStart(reached + 1),
          provisional: lk.provisional(), references: lk.references()
        };
      }
    }
    throw invalid("no_retirement_age", {});
  }

  global.AnsinhEngine = {
    FORMAT: FORMAT,
    EngineError: EngineError,
    contribution: contribution,
    incomeBounds: incomeBounds,
    retirementAge: retirementAge
  };
}(typeof window !== "undefined" ? window : this));
