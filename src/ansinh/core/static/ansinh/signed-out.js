// On the sign-in page nobody is signed in: the copies of signed-in pages the service worker
// keeps for offline work (registers, receipts, the field app's page with its user) leave the
// phone, so the next person to pick it up cannot open them. Static files stay (they hold no
// one's data), and so does the field app's outbox in IndexedDB (unsent work is never dropped).
(function () {
  "use strict";
  if (!("caches" in window)) return;
  caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (key) { return key.indexOf("ansinh-") === 0; })
      .map(function (key) {
        return caches.open(key).then(function (cache) {
          return cache.keys().then(function (requests) {
            return Promise.all(requests.filter(function (request) {
              return new URL(request.url).pathname.indexOf("/static/") !== 0;
            }).map(function (request) { return cache.delete(request); }));
          });
        });
      }));
  }).then(function () { document.documentElement.setAttribute("data-pages-forgotten", ""); },
          function () {});
})();
