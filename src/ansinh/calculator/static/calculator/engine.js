/* ansinh engine.js: the policy engine's calculator formulas in the browser.
 *
 * A faithful port of ansinh.policy (contribution_quote, income_bounds, retirement_age, pension,
 * lump_sum), fed by the parameter snapshot of GET /api/policy?on=YYYY-MM-DD
 * (ansinh.calculator.snapshot). It gives
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
 *   AnsinhEngine.pension(snapshot, {sex, birth, history, today, settle_year})
 *     history: [{from: "YYYY-MM", to: "YYYY-MM", income, category, missing_lump, kind}] (the
 *     rows of policy.parse_history: kind "voluntary" (the default) or "compulsory", whose income
 *     is the monthly salary, also named salary, with no category and no missing-period lump);
 *     -> the engine's Pension.to_dict() (eligible, monthly_pension, one_time_allowance,
 *     average_income, rate, benefit_years, pension_from, months_compulsory, months_voluntary,
 *     decree, floor_applied, ...), except reason: {code, args} (the engine's Reason code and
 *     arguments; the page words it). A mixed history is the engine's: salaries revalued with the
 *     salary table, the reference-level floor, the 60/55 transition on voluntary months only.
 *
 *   AnsinhEngine.lumpSum(snapshot, {history, claim_on: "YYYY-MM-DD", ground, sex, birth})
 *     ground: "twelve_months_out" | "retirement_age" | "emigration" | "illness" | "disability";
 *     -> the engine's LumpSum.to_dict() (allowed, amount, gross, support_deducted, ...), reason
 *     as {code, args}.
 *
 * Refusals throw an AnsinhEngine.EngineError with .kind ("invalid_input",
 * "income_out_of_range", "parameter_not_found": the engine's error classes), .code (which
 * check) and .args; never words: the page words them in its language.
 */
(function (global) {
  "use strict";

  var FORMAT = 1;
  var DECREE_158 = "158/2025/NĐ-CP";  // compulsory SI
  var DECREE_159 = "159/2025/NĐ-CP";  // voluntary SI
  var KINDS = ["voluntary", "compulsory"];

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

  function gcd(a, b) {
    if (a < B0) { a = -a; }
    while (b !== B0) { var t = a % b; a = b; b = t; }
    return a;
  }

  function rat(n, d) {
    // kept in lowest terms: a history of hundreds of months sums to small numbers
    if (d === undefined || d === B1) { return {n: n, d: B1}; }
    var g = gcd(n, d);
    return g > B1 ? {n: n / g, d: d / g} : {n: n, d: d};
  }

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
  function add(a, b) {
    if (a.d === b.d) { return rat(a.n + b.n, a.d); }
    return rat(a.n * b.d + b.n * a.d, a.d * b.d);
  }
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

  function checkOn(snapshot, on) { checkDate(on, "on"); }

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

  function retirementAgeMonths(lk, sex, birth) {
    // (age in months, index of the month it is reached): the age for the calendar year in
    // which it is reached (policy.retirement.retirement_age_months)
    var born = monthIndex(birth), birthYear = parseInt(birth.slice(0, 4), 10);
    var firstStart = lk.parameter("retirement.age").values[0].start;
    var firstYear = Math.max(birthYear + 50, parseInt(firstStart.slice(0, 4), 10));
    for (var year = firstYear; year < birthYear + 80; year++) {
      var found = ageInYear(lk, sex, year);
      var reached = born + found.months;
      if (Math.floor(reached / 12) <= year) {
        lk.record("retirement.age", found.pv);
        return {age: found.months, reached: reached};
      }
    }
    throw invalid("no_retirement_age", {});
  }

  function checkSex(snapshot, sex) {
    if ((snapshot.sexes || ["F", "M"]).indexOf(sex) < 0) { throw invalid("invalid_sex", {sex: sex}); }
    return sex;
  }

  function retirementAge(snapshot, input) {
    var sex = checkSex(snapshot, input.sex);
    var lk = new Lookup(snapshot);
    var birth = parseBirth(input.birth);
    var r = retirementAgeMonths(lk, sex, birth);
    return {
      sex: sex, birth: birth,
      retirement_age_years: Math.floor(r.age / 12),
      retirement_age_months: r.age % 12,
      reached_month: monthStart(r.reached).slice(0, 7),
      pension_from: monthStart(r.reached + 1),
      provisional: lk.provisional(), references: lk.references()
    };
  }

  /* ---- contribution histories (policy.history) ---- */

  function parseMonth(text) {
    var s = String(text);
    if (/^\d{4}-\d{2}$/.test(s)) { s += "-01"; }
    checkDate(s, "month");
    return monthIndex(s);
  }

  function expand(snapshot, history) {
    // every contributed month, in order: {index, income, category, lump, compulsory}
    // (policy.parse_history then policy.history.expand, with the same refusals)
    var months = {};
    (history || []).forEach(function (row) {
      // a compulsory period may name its salary "salary" instead of "income"
      if (!isMapping(row) || !has(row, "from") || !(has(row, "income") || has(row, "salary"))) {
        throw invalid("period_incomplete", {});
      }
      var income = has(row, "income") ? row.income : row.salary;
      var start = parseMonth(row.from);
      var end = parseMonth(row.to === undefined ? row.from : row.to);
      if (end < start) { throw invalid("period_end_before_start", {from: row.from, to: row.to}); }
      if (!isInt(income) || income <= 0) { throw invalid("invalid_income", {income: income}); }
      var category = row.category || "other";
      checkCategories(snapshot, [category]);
      var kind = String(row.kind || "voluntary").trim().toLowerCase();
      if (KINDS.indexOf(kind) < 0) { throw invalid("invalid_kind", {kind: kind}); }
      var lump = row.missing_lump === true || row.missing_lump === "true" ||
        row.missing_lump === "1" || row.missing_lump === 1;
      var compulsory = kind === "compulsory";
      if (compulsory && (category !== "other" || lump)) {
        // a compulsory period has no support category and no missing-period lump
        throw invalid("compulsory_with_category", {from: row.from, to: row.to});
      }
      for (var i = start; i <= end; i++) {
        if (has(months, i)) { throw invalid("periods_overlap", {month: monthStart(i).slice(0, 7)}); }
        months[i] = {index: i, income: BigInt(income), category: category, lump: lump,
                     compulsory: compulsory};
      }
    });
    var ordered = Object.keys(months).map(Number).sort(function (a, b) { return a - b; })
      .map(function (i) { return months[i]; });
    var firstVoluntary = null;
    for (var j = 0; j < ordered.length; j++) {
      if (!ordered[j].compulsory) { firstVoluntary = ordered[j]; break; }
    }
    if (firstVoluntary !== null) {
      // voluntary SI began in 2008-01: no voluntary month before it (compulsory ones may be)
      var began = new Lookup(snapshot).peek("general.voluntary_scheme_start",
                                            monthStart(ordered[ordered.length - 1].index));
      if (began !== null && monthStart(firstVoluntary.index) < began.value) {
        throw invalid("voluntary_before_scheme",
                      {month: monthStart(firstVoluntary.index).slice(0, 7)});
      }
    }
    return ordered;
  }

  function compulsoryMonths(months) {
    return months.filter(function (m) { return m.compulsory; }).length;
  }

  function governingDecree(lk, months, on) {
    // policy.history.governing_decree: 158/2025 when the last month is compulsory, else 159/2025;
    // a mixed history records the (dated, ansinh) decision that says so
    var compulsory = compulsoryMonths(months);
    if (compulsory && compulsory < months.length) {
      lk.find("general.mixed_history_decree", on);
    }
    return months.length && months[months.length - 1].compulsory ? DECREE_158 : DECREE_159;
  }

  function contributions(lk, months) {
    // gross contributions, state support actually received (within the lifetime cap), own share
    var gross = rat(B0), employer = rat(B0), support = B0, countOld = 0, countNew = 0;
    months.forEach(function (m) {
      var on = monthStart(m.index);
      if (m.compulsory) {
        // the retirement and survivors' fund's share of the salary (none known before 1995);
        // the person paid the employee's share, the employer the rest; no state support
        var pv = lk.find("contribution.compulsory_rate", on);
        if (pv !== null) {
          var whole = dec(pv.value);
          gross = add(gross, mul(whole, rat(m.income)));
          var employee = lk.find("contribution.compulsory_employee_rate", on);
          if (employee !== null) {
            employer = add(employer, mul(sub(whole, dec(employee.value)), rat(m.income)));
          }
        }
        return;
      }
      var rate = dec(lk.value("contribution.rate", on));
      gross = add(gross, mul(rate, rat(m.income)));
      if (m.lump) {
        var flag = lk.peek("contribution.missing_period_support", on);
        if (flag === null || flag.value !== true) { return; }
      }
      var k = supportRateFor(lk, [m.category], on).k;
      if (isZero(k)) { return; }
      var capPv = lk.find("subsidy.max_supported_months", on);
      var cap = capPv !== null && isInt(capPv.value) ? capPv.value : 0;
      var sw = lk.peek("subsidy.count_pre_2025_months", on);
      var used;
      if (sw !== null) {
        lk.record("subsidy.count_pre_2025_months", sw);
        used = countNew + (sw.value === true ? countOld : 0);
      } else {
        used = countOld;
      }
      if (used >= cap) { return; }
      var floor = BigInt(lk.value("contribution.rural_poverty_line", on));
      support += vnd(mul(mul(k, rate), rat(floor)));
      if (sw !== null) { countNew += 1; } else { countOld += 1; }
    });
    var g = vnd(gross);
    return {gross: g, support: support, own: g - support - vnd(employer)};
  }

  function revaluation(lk, year, settleYear, compulsory) {
    // the income's coefficient (voluntary, D159 Art. 10) or the salary's (compulsory, D158
    // Art. 16: the years before 1995 take the "before_1995" value)
    var on = pad(settleYear, 4) + "-01-01";
    var pv, key;
    if (compulsory) {
      pv = lk.find("pension.revaluation_salary", on);
      key = year < 1995 ? "before_1995" : String(year);
    } else {
      pv = lk.find("pension.revaluation", on);
      key = String(year);
    }
    if (pv !== null && isMapping(pv.value) && has(pv.value, key)) {
      return dec(pv.value[key]);
    }
    return dec(lk.value("pension.revaluation_default", on));
  }

  function averageIncome(lk, months, settleYear) {
    // Mbq: the average revalued monthly income; months of a missing-period lump at 1
    if (!months.length) { return B0; }
    var total = rat(B0), coefs = {};
    months.forEach(function (m) {
      var coef;
      if (m.lump) {
        coef = rat(B1);
      } else {
        var year = Math.floor(m.index / 12), k = (m.compulsory ? "c" : "v") + year;
        if (!has(coefs, k)) { coefs[k] = revaluation(lk, year, settleYear, m.compulsory); }
        coef = coefs[k];
      }
      total = add(total, mul(coef, rat(m.income)));
    });
    return vnd(rat(total.n, total.d * BigInt(months.length)));
  }

  function benefitHalves(months, halfYearMax) {
    // benefit years, in halves: full years, odd months 1..halfYearMax half a year, more a year
    var full = Math.floor(months / 12), odd = months % 12;
    return 2 * full + (odd === 0 ? 0 : odd <= halfYearMax ? 1 : 2);
  }

  function halves(h) { return rat(BigInt(h), B2); }
  function yearsStr(h) { return (h / 2).toFixed(1); }

  function ratText(r) {
    // a rational with a terminating decimal expansion, as a decimal string
    var k = 0, scale = B1;
    while ((r.n * scale) % r.d !== B0 && k < 40) { scale *= B10; k++; }
    var neg = r.n < B0, digits = String((neg ? -r.n : r.n) * scale / r.d);
    if (k > 0) {
      while (digits.length <= k) { digits = "0" + digits; }
      digits = digits.slice(0, digits.length - k) + "." + digits.slice(digits.length - k);
    }
    return (neg ? "-" : "") + digits;
  }

  function minRat(a, b) { return cmp(a, b) <= 0 ? a : b; }

  /* ---- pension (policy.pension) ---- */

  function pensionRate(lk, sex, years, on) {
    var baseYears = dec(lk.value("pension.rate_base_years", on)[sex]);
    var maximum = dec(lk.value("pension.rate_max", on));
    if (cmp(years, baseYears) >= 0) {
      var base = dec(lk.value("pension.rate_base", on));
      var step = dec(lk.value("pension.rate_step", on)[sex]);
      return minRat(add(base, mul(step, sub(years, baseYears))), maximum);
    }
    var shortPv = lk.peek("pension.short_service", on);
    if (shortPv !== null && isMapping(shortPv.value) && isMapping(shortPv.value[sex])) {
      var rule = shortPv.value[sex], from = dec(rule.from_years);
      if (cmp(years, from) >= 0) {
        lk.record("pension.short_service", shortPv);
        return minRat(add(dec(rule.rate), mul(dec(rule.step), sub(years, from))), maximum);
      }
    }
    return rat(B0);
  }

  function oneTimeAllowance(lk, sex, months, reached, mbq, on) {
    var rule = lk.value("pension.one_time_allowance", on);
    var threshold = dec(rule.threshold_years[sex]);
    var extra = months.length - Number(threshold.n / threshold.d) * 12;
    if (extra <= 0) { return B0; }
    var afterAge = months.filter(function (m) { return m.index > reached; }).length;
    var after = Math.min(extra, afterAge), before = extra - after;
    var half = lk.value("benefits.half_year_odd_months", on);
    var factor = add(mul(dec(rule.before_age), halves(benefitHalves(before, half))),
                     mul(dec(rule.after_age), halves(benefitHalves(after, half))));
    return vnd(mul(rat(mbq), factor));
  }

  function pensionFloor(lk, months, on) {
    // policy.pension._floor: the reference level, for at least 20 years of compulsory SI first
    // joined before 2025-07-01 (D159 Art. 11(3), D158 Art. 13(1)); otherwise 0
    var needPv = lk.peek("pension.floor_min_compulsory_months", on);
    var beforePv = lk.peek("pension.floor_joined_before", on);
    if (needPv === null || beforePv === null) { return B0; }
    var compulsory = months.filter(function (m) { return m.compulsory; });
    lk.record("pension.floor_min_compulsory_months", needPv);
    if (compulsory.length < needPv.value) { return B0; }
    lk.record("pension.floor_joined_before", beforePv);
    if (monthStart(compulsory[0].index) >= beforePv.value) { return B0; }
    return BigInt(lk.value("general.reference_level", on));
  }

  function transition(lk, sex, birth, months) {
    // D159 Art. 13: joined before the cutoff with enough years by 60 / 55; only voluntary
    // months count, for a mixed history too (D159 Art. 11(2)(c))
    months = months.filter(function (m) { return !m.compulsory; });
    if (!months.length) { return {eligible: false, from: null}; }
    var last = monthStart(months[months.length - 1].index);
    var rulePv = lk.peek("retirement.pre2021_joiner", last);
    var cutoffPv = lk.peek("retirement.pre2021_joiner_cutoff", last);
    if (rulePv === null || cutoffPv === null || !isMapping(rulePv.value)) {
      return {eligible: false, from: null};
    }
    if (monthStart(months[0].index) >= cutoffPv.value) { return {eligible: false, from: null}; }
    lk.record("retirement.pre2021_joiner", rulePv);
    lk.record("retirement.pre2021_joiner_cutoff", cutoffPv);
    var need = rulePv.value.min_years_months;
    var reachedIdx = monthIndex(birth) + rulePv.value[sex];
    var floorIdx = monthIndex(rulePv.start);
    var have = months.filter(function (m) { return m.index <= reachedIdx; });
    if (have.length >= need) {
      return {eligible: true, from: monthStart(Math.max(reachedIdx + 1, floorIdx))};
    }
    var later = months.filter(function (m) { return m.index > reachedIdx; });
    if (have.length + later.length >= need) {
      var idx = later[need - have.length - 1].index;
      return {eligible: true, from: monthStart(Math.max(idx + 1, floorIdx))};
    }
    return {eligible: false, from: null};
  }

  function pension(snapshot, input) {
    var sex = checkSex(snapshot, input.sex);
    var lk = new Lookup(snapshot);
    var birth = parseBirth(input.birth);
    var ra = retirementAgeMonths(lk, sex, birth);
    var all = expand(snapshot, input.history);
    var reached = ra.reached, defaultFrom = reached + 1;
    var required = lk.value("pension.min_years", monthStart(defaultFrom)) * 12;
    var upto = all.filter(function (m) { return m.index <= reached; });
    var retirementMonth = null, counted;
    if (upto.length >= required) {
      retirementMonth = reached;
      counted = upto;
    } else {
      var later = all.filter(function (m) { return m.index > reached; });
      var missing = required - upto.length;
      if (later.length >= missing) {
        retirementMonth = later[missing - 1].index;
        required = lk.value("pension.min_years", monthStart(retirementMonth + 1)) * 12;
        missing = Math.max(required - upto.length, 1);
        retirementMonth = later[Math.min(missing, later.length) - 1].index;
      }
      var until = retirementMonth === null ? reached : retirementMonth;
      counted = all.filter(function (m) { return m.index <= until; });
    }
    var eligible = retirementMonth !== null && counted.length >= required;
    var pensionFrom = eligible ? retirementMonth + 1 : null;
    var regime = monthStart(pensionFrom === null ? defaultFrom : pensionFrom);
    var settle = isInt(input.settle_year) ? input.settle_year : parseInt(regime.slice(0, 4), 10);
    var mbq = averageIncome(lk, counted, settle);
    var h = benefitHalves(counted.length, lk.value("benefits.half_year_odd_months", regime));
    var rate = eligible ? pensionRate(lk, sex, halves(h), regime) : rat(B0);
    var monthly = eligible ? vnd(mul(rate, rat(mbq))) : B0;
    var floorApplied = false;
    if (eligible && compulsoryMonths(counted)) {
      var floor = pensionFloor(lk, counted, regime);
      if (monthly < floor) { monthly = floor; floorApplied = true; }
    }
    var allowance = eligible ? oneTimeAllowance(lk, sex, counted, reached, mbq, regime) : B0;
    var reason = eligible ? {code: "eligible_pension", args: {}}
      : {code: "too_few_years", args: {years: Math.floor(required / 12), months: counted.length}};
    var projected = 0;
    if (input.today) {
      var todayIdx = monthIndex(checkDate(input.today, "today"));
      projected = counted.filter(function (m) { return m.index > todayIdx; }).length;
    }
    var tr = transition(lk, sex, birth, all);
    return {
      sex: sex, birth: birth, eligible: eligible, reason: reason,
      months: counted.length, months_required: required, months_projected: projected,
      benefit_years: yearsStr(h), rate: rateStr(ratText(rate)),
      average_income: Number(mbq), monthly_pension: Number(monthly),
      one_time_allowance: Number(allowance), settle_year: settle,
      retirement_age_years: Math.floor(ra.age / 12), retirement_age_months: ra.age % 12,
      reached_month: monthStart(reached).slice(0, 7),
      retirement_month: eligible ? monthStart(retirementMonth).slice(0, 7) : null,
      pension_from: pensionFrom === null ? null : monthStart(pensionFrom),
      transition_eligible: tr.eligible, transition_pension_from: tr.from,
      months_compulsory: compulsoryMonths(counted),
      months_voluntary: counted.length - compulsoryMonths(counted),
      decree: governingDecree(lk, counted.length ? counted : all, regime),
      floor_applied: floorApplied,
      provisional: lk.provisional(), references: lk.references()
    };
  }

  /* ---- lump-sum withdrawal (policy.lump_sum) ---- */

  function checkGround(lk, ground, months, claimOn, sex, birth) {
    var n = months.length;
    if (ground === "emigration" || ground === "illness" || ground === "disability") {
      return {allowed: true, reason: {code: "allowed", args: {}}};
    }
    if (ground === "retirement_age") {
      var required = lk.value("pension.min_years", claimOn) * 12;
      if (n >= required) {
        return {allowed: false, reason: {code: "has_pension_years", args: {years: required / 12}}};
      }
      if (sex && birth) {
        var ra = retirementAgeMonths(lk, checkSex(lk.snapshot, sex), birth);
        if (monthIndex(claimOn) < ra.reached) {
          return {allowed: false, reason: {code: "age_not_reached", args: {}}};
        }
      }
      return {allowed: true, reason: {code: "age_without_years", args: {}}};
    }
    var rule = lk.value("lump_sum.grounds", claimOn).twelve_months_out;
    var gap = rule.gap_months, maxMonths = rule.max_months;
    var newLaw = lk.peek("lump_sum.new_law_first_joined", claimOn);
    if (newLaw !== null) {
      lk.record("lump_sum.new_law_first_joined", newLaw);
      if (monthStart(months[0].index) >= newLaw.value) {
        return {allowed: false, reason: {code: "new_law_joiner", args: {}}};
      }
    }
    if (n >= maxMonths) {
      return {allowed: false, reason: {code: "too_many_years",
                                       args: {years: Math.floor(maxMonths / 12)}}};
    }
    if (monthIndex(claimOn) - months[n - 1].index <= gap) {
      return {allowed: false, reason: {code: "gap_too_short", args: {months: gap}}};
    }
    return {allowed: true, reason: {code: "allowed", args: {}}};
  }

  function lumpSum(snapshot, input) {
    var ground = input.ground || "twelve_months_out";
    if ((snapshot.grounds || []).indexOf(ground) < 0) { throw invalid("invalid_ground", {ground: ground}); }
    var lk = new Lookup(snapshot);
    var claimOn = checkDate(input.claim_on, "claim_on");
    var claimIdx = monthIndex(claimOn);
    var months = expand(snapshot, input.history).filter(function (m) { return m.index <= claimIdx; });
    if (!months.length) { throw invalid("no_months", {}); }
    var n = months.length;
    var birth = input.birth ? parseBirth(input.birth) : null;
    var check = checkGround(lk, ground, months, claimOn, input.sex || null, birth);
    var mbq = averageIncome(lk, months, parseInt(claimOn.slice(0, 4), 10));
    var split = monthIndex(lk.value("lump_sum.split_date", claimOn));
    var factors = lk.value("lump_sum.factor", claimOn);
    var before = months.filter(function (m) { return m.index < split; }).length;
    var fullBefore = Math.floor(before / 12), oddBefore = before % 12;
    var fromHalves = benefitHalves(n - before + oddBefore,
                                   lk.value("benefits.half_year_odd_months", claimOn));
    var totals = contributions(lk, months);
    var gross;
    if (n < 12) {
      gross = vnd(mul(dec(factors.under_one_year_cap), rat(mbq)));
      if (totals.gross < gross) { gross = totals.gross; }
    } else {
      gross = vnd(mul(rat(mbq), add(mul(dec(factors.before_split), rat(BigInt(fullBefore))),
                                    mul(dec(factors.from_split), halves(fromHalves)))));
    }
    var deduct = true;
    var deductionPv = lk.find("lump_sum.support_deduction", claimOn);
    if (deductionPv !== null && isMapping(deductionPv.value)) {
      deduct = !has(deductionPv.value, ground) || deductionPv.value[ground] === true;
    }
    var deducted = deduct ? totals.support : B0;
    var amount = check.allowed ? (gross - deducted > B0 ? gross - deducted : B0) : B0;
    return {
      claim_on: claimOn, ground: ground, allowed: check.allowed, reason: check.reason,
      months: n, average_income: Number(mbq),
      years_before_2014: yearsStr(2 * fullBefore), years_from_2014: yearsStr(fromHalves),
      gross: Number(gross), state_support_received: Number(totals.support),
      support_deducted: Number(deducted), amount: Number(amount),
      contributions_gross: Number(totals.gross), contributions_paid: Number(totals.own),
      months_compulsory: compulsoryMonths(months), decree: governingDecree(lk, months, claimOn),
      provisional: lk.provisional(), references: lk.references()
    };
  }

  global.AnsinhEngine = {
    FORMAT: FORMAT,
    EngineError: EngineError,
    contribution: contribution,
    incomeBounds: incomeBounds,
    retirementAge: retirementAge,
    pension: pension,
    lumpSum: lumpSum
  };
}(typeof window !== "undefined" ? window : this));
