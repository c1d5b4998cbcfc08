// The field app's conversation with the server (docs/field-sync.md): the device token, the
// territory download (full, then changes only), the worklist, the policy snapshot, the receipt
// numbers reserved ahead, and the outbox sent in order, batch by batch.
(function () {
  "use strict";
  var S = window.AnsinhStore;
  var PAGE = 500;      // persons per territory page
  var BATCH = 25;      // outbox items per POST: a cut connection loses little
  var AHEAD = 50;      // receipt numbers kept reserved on the phone
  var CSRF = document.body.getAttribute("data-csrf") || "";

  function Problem(kind, status) { this.kind = kind; this.status = status; }

  function deviceName() {
    var ua = navigator.userAgent;
    var model = (ua.match(/;\s*([^;()]+?)\s+Build\//) || ua.match(/\(([^;)]+)/) || [])[1] || "";
    return (model.trim() || "Web") + " · " + new Date().toISOString().slice(0, 10);
  }

  // The first time, online and signed in: the session registers this phone and the token it
  // gets back signs every later call, offline sessions or not.
  function ensureDevice() {
    return S.meta("token").then(function (token) {
      if (token) return token;
      if (!navigator.onLine) throw new Problem("offline");
      return fetch("/api/devices", {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": CSRF },
        body: JSON.stringify({ name: deviceName() })
      }).then(function (response) {
        if (!response.ok) throw new Problem("device", response.status);
        return response.json();
      }).then(function (device) {
        return S.setMeta("device", { id: device.id, name: device.name }).then(function () {
          return S.setMeta("token", device.token);
        }).then(function () { return device.token; });
      });
    });
  }

  function call(path, options, retried) {
    return ensureDevice().then(function (token) {
      var init = Object.assign({ credentials: "omit" }, options || {});
      init.headers = Object.assign({ "Authorization": "Bearer " + token }, init.headers || {});
      return fetch(path, init).catch(function () { throw new Problem("offline"); });
    }).then(function (response) {
      if (response.status === 401 && !retried) {
        // revoked or unknown: forget it and register again (the session may still be valid)
        return S.setMeta("token", null).then(function () { return call(path, options, true); });
      }
      return response;
    });
  }

  // The body, and the bytes that came over the network for it: the compressed size where the
  // browser tells it (resource timing), else the size of the body.
  function json(response) {
    if (!response.ok) throw new Problem("http", response.status);
    return response.arrayBuffer().then(function (buffer) {
      var timing = window.performance && performance.getEntriesByName ? performance.getEntriesByName(response.url) : [];
      var last = timing[timing.length - 1];
      return { size: last && last.transferSize ? last.transferSize : buffer.byteLength,
               body: JSON.parse(new TextDecoder().decode(buffer)) };
    });
  }

  function post(path, body) {
    return call(path, { method: "POST", headers: { "Content-Type": "application/json" },
                        body: JSON.stringify(body) });
  }

  // Keep AHEAD numbers of the agent's book on the phone. No open book is no error: receipts
  // then wait for their number at the office.
  function reserve() {
    return S.meta("numbers").then(function (numbers) {
      var want = Math.min(100, AHEAD - (numbers || []).length);
      if (want <= 0) return 0;
      return post("/api/receipt-numbers", { count: want }).then(function (response) {
        if (!response.ok) return 0;
        return response.json().then(function (answer) {
          return S.addNumbers(answer.numbers || []).then(function () { return (answer.numbers || []).length; });
        });
      });
    }).catch(function () { return 0; });
  }

  // The territory: full the first time (or when the server says reset), then only what changed
  // since the cursor, page by page; progress gets {n, total, bytes} after each page.
  function download(progress, today) {
    var state = { n: 0, total: 0, bytes: 0, full: false };
    return S.meta("cursor").then(function (cursor) {
      var since = cursor || "";
      state.full = !since;
      function page(after, first) {
        var url = "/api/territory?limit=" + PAGE + "&cursor=" + encodeURIComponent(since) +
          (after !== null ? "&after=" + encodeURIComponent(after) : "");
        return call(url).then(json).then(function (got) {
          var answer = got.body;
          state.bytes += got.size;
          if (first) {
            state.total = answer.total || 0;
            if (answer.reset) { state.full = true; since = ""; }
          }
          return S.applyPage(answer, first, state.full).then(function () {
            state.n += (answer.persons || []).length;
            progress(state);
            if (answer.next_after === null || answer.next_after === undefined) return;
            return page(answer.next_after, false);
          });
        });
      }
      return page(null, true);
    }).then(function () {
      return call("/api/worklist").then(json);
    }).then(function (got) {
      state.bytes += got.size;
      var rows = Array.isArray(got.body) ? got.body : (got.body.items || []);
      return S.replaceAll("worklist", rows);
    }).then(function () {
      return call("/api/policy?on=" + encodeURIComponent(today)).then(json);
    }).then(function (got) {
      state.bytes += got.size;
      return S.setMeta("policy", got.body);
    }).then(reserve).then(function () {
      var done = { at: new Date().toISOString(), bytes: state.bytes, persons: state.n,
                   total: state.total, full: state.full };
      progress(state);
      return S.setMeta("last_download", done).then(function () { return done; });
    });
  }

  function byOrder(a, b) { return a.seq - b.seq; }

  // Send the outbox in order, BATCH items at a time. Each batch is marked sent in IndexedDB
  // before it goes; an item leaves the outbox only when the server has answered for it, so a
  // cut connection simply sends the batch again and the server answers "already".
  function sendAll(progress) {
    var state = { n: 0, total: 0, refused: 0, conflicts: 0 };
    function next() {
      return Promise.all([S.all("outbox"), S.meta("release")]).then(function (got) {
        var queued = got[0].filter(function (item) { return item.state === "queued"; }).sort(byOrder);
        var release = got[1] || [];
        if (!state.total) state.total = queued.length;
        if (!queued.length && !release.length) return state;
        var batch = queued.slice(0, BATCH);
        return S.markSent(batch.map(function (item) { return item.seq; })).then(function () {
          return post("/api/sync", {
            items: batch.map(function (item) {
              return { client_uuid: item.client_uuid, kind: item.kind, base_version: item.base_version,
                       hash: item.hash, data: item.data };
            }),
            release: release
          });
        }).then(function (response) {
          // refused sign-in, a missing endpoint or a server error: nothing is answered, the
          // batch stays queued; only a 400/422 names items it could not read
          if (!response.ok && response.status !== 400 && response.status !== 422) {
            throw new Problem(response.status === 401 || response.status === 403 ? "device" : "http", response.status);
          }
          return response.json().then(function (answer) {
            return { ok: response.ok, answer: answer };
          });
        }).then(function (got) {
          var answers = got.ok ? (Array.isArray(got.answer) ? got.answer : (got.answer.results || got.answer.items || []))
            : malformed(batch, got.answer);
          if (!answers.length && batch.length) throw new Problem("answer");
          answers.forEach(function (a) {
            if (a.status === "refused") state.refused += 1;
            if (a.status === "conflict") state.conflicts += 1;
          });
          return S.applyAnswers(batch, answers, got.ok ? release : []).then(function () {
            state.n += got.ok ? batch.length : answers.length;
            progress(state);
            return batch.length ? next() : state;  // a batch of numbers to release only
          });
        });
      });
    }
    return next();
  }

  // A 4xx names the items it could not read ({"detail": [{"item": i, "loc", "msg"}]}): those
  // are refused with the message and wait in "to fix"; the others go again in the next batch.
  function malformed(batch, answer) {
    var detail = (answer && Array.isArray(answer.detail)) ? answer.detail : [];
    var out = [];
    detail.forEach(function (d) {
      var item = batch[typeof d.item === "number" ? d.item : 0];
      if (item) out.push({ client_uuid: item.client_uuid, status: "refused",
                           reason: (d.msg || "") + (d.loc ? " (" + [].concat(d.loc).join(".") + ")" : "") });
    });
    if (!out.length && batch.length) {
      out.push({ client_uuid: batch[0].client_uuid, status: "refused",
                 reason: String((answer && answer.detail) || "") });
    }
    return out;
  }

  // One sync at a time, across tabs when the browser can lock.
  var running = null;
  function sync(progress) {
    if (running) return running;
    var work = function () { return sendAll(progress).then(function (state) {
      return reserve().then(function () { return state; });
    }); };
    running = (navigator.locks ? navigator.locks.request("ansinh-sync", work) : work())
      .finally(function () { running = null; });
    return running;
  }

  window.AnsinhSync = { ensureDevice: ensureDevice, download: download, sync: sync,
                        reserve: reserve, Problem: Problem };
})();
