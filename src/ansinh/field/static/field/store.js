// The phone's copy of the agent's territory and the outbox, in IndexedDB through idb (npm,
// build/umd.js gives window.idb). Nothing here touches the network: every submission is written
// here first, and only then may sync.js send it (docs/field-sync.md).
(function () {
  "use strict";
  var NAME = "ansinh-field";
  var VERSION = 1;
  var opening = null;

  function db() {
    if (!opening) {
      opening = window.idb.openDB(NAME, VERSION, {
        upgrade: function (d) {
          // meta: cursor, token, device, policy, numbers (reserved receipt numbers), release,
          // last_download, sent_log, user: one value per key
          d.createObjectStore("meta");
          d.createObjectStore("villages", { keyPath: "id" });
          d.createObjectStore("households", { keyPath: "id" });
          d.createObjectStore("persons", { keyPath: "uuid" });
          d.createObjectStore("worklist", { keyPath: "person" });
          // seq keeps the order the agent submitted in: sync sends items in this order
          d.createObjectStore("outbox", { keyPath: "seq", autoIncrement: true });
        }
      });
    }
    return opening;
  }

  // The server's folding (ansinh.core.text.fold): NFD, drop combining marks, đ → d, lower case,
  // one space between words. 'Hồ Thị Hoa' → 'ho thi hoa'.
  function fold(value) {
    return String(value || "").normalize("NFD").replace(/\p{Mn}/gu, "")
      .replace(/đ/g, "d").replace(/Đ/g, "D").toLowerCase().replace(/\s+/g, " ").trim();
  }

  // Canonical JSON: keys sorted, no spaces, text as is (UTF-8), as Python's
  // json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).
  function canonical(value) {
    if (value === undefined) value = null;
    if (value === null || typeof value !== "object") return JSON.stringify(value);
    if (Array.isArray(value)) return "[" + value.map(canonical).join(",") + "]";
    return "{" + Object.keys(value).sort().map(function (key) {
      return JSON.stringify(key) + ":" + canonical(value[key]);
    }).join(",") + "}";
  }

  function hash(data) {
    return crypto.subtle.digest("SHA-256", new TextEncoder().encode(canonical(data)))
      .then(function (buffer) {
        return Array.prototype.map.call(new Uint8Array(buffer), function (b) {
          return ("0" + b.toString(16)).slice(-2);
        }).join("");
      });
  }

  function uuid() {
    if (crypto.randomUUID) return crypto.randomUUID();
    var b = crypto.getRandomValues(new Uint8Array(16));  // older Android browsers
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return ("0" + x.toString(16)).slice(-2); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function get(store, key) { return db().then(function (d) { return d.get(store, key); }); }
  function all(store) { return db().then(function (d) { return d.getAll(store); }); }
  function setMeta(key, value) { return db().then(function (d) { return d.put("meta", value, key); }); }
  function meta(key) { return get("meta", key); }

  // --- the territory -------------------------------------------------------------------------

  // One page of GET /api/territory, in one transaction. The first page of a full download (no
  // cursor, or reset) empties the copy and forgets the cursor in the same transaction, so an
  // interrupted download starts again in full; the cursor is kept only after the last page.
  function applyPage(page, first, full) {
    return db().then(function (d) {
      var tx = d.transaction(["meta", "villages", "households", "persons"], "readwrite");
      var work = [];
      if (first && full) {
        work.push(tx.objectStore("villages").clear(), tx.objectStore("households").clear(),
                  tx.objectStore("persons").clear(), tx.objectStore("meta").delete("cursor"));
      }
      (page.villages || []).forEach(function (v) { work.push(tx.objectStore("villages").put(v)); });
      (page.households || []).forEach(function (h) { work.push(tx.objectStore("households").put(h)); });
      (page.persons || []).forEach(function (p) {
        p.name_folded = p.name_folded || fold(p.full_name);
        work.push(tx.objectStore("persons").put(p));
      });
      if (first) {
        (page.removed || []).forEach(function (id) { work.push(tx.objectStore("persons").delete(id)); });
      }
      if (page.next_after === null || page.next_after === undefined) {
        work.push(tx.objectStore("meta").put(page.cursor, "cursor"));
      }
      work.push(tx.done);
      return Promise.all(work);
    });
  }

  function replaceAll(store, rows) {
    return db().then(function (d) {
      var tx = d.transaction(store, "readwrite");
      var work = [tx.store.clear()];
      rows.forEach(function (row) { work.push(tx.store.put(row)); });
      work.push(tx.done);
      return Promise.all(work);
    });
  }

  // Wipe what another user left (never the outbox: the caller checks it is empty first).
  function wipe() {
    return db().then(function (d) {
      var tx = d.transaction(["meta", "villages", "households", "persons", "worklist"], "readwrite");
      return Promise.all(["meta", "villages", "households", "persons", "worklist"].map(function (s) {
        return tx.objectStore(s).clear();
      }).concat([tx.done]));
    });
  }

  // --- receipt numbers -----------------------------------------------------------------------

  function addNumbers(numbers) {
    return db().then(function (d) {
      var tx = d.transaction("meta", "readwrite");
      return tx.store.get("numbers").then(function (have) {
        have = have || [];
        numbers.forEach(function (n) { if (have.indexOf(n) < 0) have.push(n); });
        return Promise.all([tx.store.put(have, "numbers"), tx.done]);
      });
    });
  }

  // The agent gives back every unused number: they leave the phone now and go to the server
  // with the next sync.
  function releaseNumbers() {
    return db().then(function (d) {
      var tx = d.transaction("meta", "readwrite");
      return Promise.all([tx.store.get("numbers"), tx.store.get("release")]).then(function (got) {
        var release = (got[1] || []).concat(got[0] || []);
        return Promise.all([tx.store.put([], "numbers"), tx.store.put(release, "release"), tx.done]);
      });
    });
  }

  // --- the outbox ----------------------------------------------------------------------------

  function record(kind, data, extra) {
    return {
      client_uuid: uuid(), kind: kind, data: data,
      base_version: extra.base_version === undefined ? null : extra.base_version,
      state: "queued", sent: false, reason: "", label: extra.label || "",
      person: extra.person || null, created_at: new Date().toISOString()
    };
  }

  // A new submission: its own UUID now, its hash, and (a receipt) the next reserved number,
  // taken in the same transaction that queues the item, so a number is never used twice.
  function submit(kind, data, extra) {
    extra = extra || {};
    var item = record(kind, data, extra);
    if (kind !== "receipt" || data.number) {
      return hash(data).then(function (h) {
        item.hash = h;
        return db().then(function (d) { return d.add("outbox", item); }).then(function (seq) {
          item.seq = seq;
          return item;
        });
      });
    }
    // the hash covers the number: peek at the next number, hash, then take it only if it is
    // still the next one (another tab may have taken it meanwhile; then try again)
    return meta("numbers").then(function (numbers) {
      var next = (numbers || [])[0] || null;
      data.number = next;
      return hash(data).then(function (h) {
        item.hash = h;
        return db().then(function (d) {
          var tx = d.transaction(["meta", "outbox"], "readwrite");
          var metaStore = tx.objectStore("meta");
          return metaStore.get("numbers").then(function (now) {
            now = now || [];
            if ((now[0] || null) !== next) {
              tx.abort();
              return tx.done.catch(function () { return null; }).then(function () {
                delete data.number;
                return submit(kind, data, extra);
              });
            }
            metaStore.put(now.slice(1), "numbers");
            return tx.objectStore("outbox").add(item).then(function (seq) {
              item.seq = seq;
              return tx.done.then(function () { return item; });
            });
          });
        });
      });
    });
  }

  // An edit. A queued item never sent keeps its UUID (the server never saw it); a refused one
  // becomes a new submission with a new UUID, at the end of the queue. An item sent and not yet
  // answered cannot be edited: the server may have recorded it.
  function edit(seq, data, extra) {
    return get("outbox", seq).then(function (old) {
      if (!old) throw new Error("gone");
      if (old.state === "queued" && old.sent) throw new Error("sent");
      if (old.kind === "receipt") data.number = old.data.number;
      return hash(data).then(function (h) {
        return db().then(function (d) {
          var tx = d.transaction("outbox", "readwrite");
          var item;
          if (old.state === "queued") {
            item = Object.assign({}, old, extra || {}, { data: data, hash: h });
            tx.store.put(item);
          } else {
            item = record(old.kind, data, Object.assign({}, old, extra || {}));
            item.hash = h;
            tx.store.delete(seq);
            tx.store.add(item).then(function (s) { item.seq = s; });
          }
          return tx.done.then(function () { return item; });
        });
      });
    });
  }

  // Discard a queued (never sent), refused or conflicting item; a receipt's number goes back.
  function discard(seq) {
    return db().then(function (d) {
      var tx = d.transaction(["meta", "outbox"], "readwrite");
      var out = tx.objectStore("outbox");
      return out.get(seq).then(function (item) {
        if (!item) return tx.done;
        if (item.state === "queued" && item.sent) { tx.abort(); return tx.done.catch(function () {}); }
        out.delete(seq);
        var number = item.kind === "receipt" && item.state !== "conflict" ? item.data.number : null;
        if (!number) return tx.done;
        return tx.objectStore("meta").get("release").then(function (release) {
          tx.objectStore("meta").put((release || []).concat([number]), "release");
          return tx.done;
        });
      });
    });
  }

  // Before a batch goes out: mark its items sent (from then on they are never edited in place).
  function markSent(seqs) {
    return db().then(function (d) {
      var tx = d.transaction("outbox", "readwrite");
      return Promise.all(seqs.map(function (seq) {
        return tx.store.get(seq).then(function (item) {
          if (item && !item.sent) { item.sent = true; return tx.store.put(item); }
        });
      })).then(function () { return tx.done; });
    });
  }

  // The answers of one batch, in one transaction: recorded/already leave the outbox for the
  // short "sent" log; refused and conflict stay, with the reason; numbers released are forgotten.
  var LOG = 30;
  function applyAnswers(batch, answers, released) {
    var bySeq = {};
    batch.forEach(function (item) { bySeq[item.client_uuid] = item.seq; });
    return db().then(function (d) {
      var tx = d.transaction(["meta", "outbox"], "readwrite");
      var out = tx.objectStore("outbox");
      var metaStore = tx.objectStore("meta");
      return Promise.all([metaStore.get("sent_log"), metaStore.get("release")]).then(function (got) {
        var log = got[0] || [];
        var work = [];
        answers.forEach(function (answer) {
          var seq = bySeq[answer.client_uuid];
          if (seq === undefined) return;
          work.push(out.get(seq).then(function (item) {
            if (!item) return;
            if (answer.status === "recorded" || answer.status === "already") {
              // a receipt keeps its content: the agent may show it again after the sync
              log.unshift({ client_uuid: item.client_uuid, kind: item.kind, label: item.label,
                            status: answer.status, number: answer.number || item.data.number || "",
                            person: item.person, at: new Date().toISOString(),
                            data: item.kind === "receipt" ? item.data : null });
              return out.delete(seq);
            }
            item.state = answer.status === "conflict" ? "conflict" : "refused";
            item.reason = answer.reason || "";
            return out.put(item);
          }));
        });
        return Promise.all(work).then(function () {
          metaStore.put(log.slice(0, LOG), "sent_log");
          if (released && released.length) {
            metaStore.put((got[1] || []).filter(function (n) { return released.indexOf(n) < 0; }), "release");
          }
          return tx.done;
        });
      });
    });
  }

  window.AnsinhStore = {
    db: db, fold: fold, canonical: canonical, hash: hash, uuid: uuid,
    get: get, all: all, meta: meta, setMeta: setMeta,
    applyPage: applyPage, replaceAll: replaceAll, wipe: wipe,
    addNumbers: addNumbers, releaseNumbers: releaseNumbers,
    submit: submit, edit: edit, discard: discard, markSent: markSent, applyAnswers: applyAnswers
  };
})();
