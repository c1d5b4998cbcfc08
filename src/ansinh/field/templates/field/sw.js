// ansinh service worker: the field app (/thuc-dia/) and the field pages work without a network.
//
// Hand-written rather than Workbox: the whole job is one precache list and three small
// strategies (about 80 lines). Workbox would need a bundler or its ~20 KB runtime loaded by
// importScripts on every start, for features we do not use (routing DSL, expiration plugins);
// the data itself lives in IndexedDB, which a service-worker cache library does not manage.
//
// - the app's shell, scripts, styles and icons: precached at install (the install fails if one
//   is missing, so a half-installed app never replaces a working one);
// - engine.js, words.js, htmx and the site's style: precached when they answer, never blocking;
// - static files: cache first (their names are hashed in production, so a new file is a new URL);
// - field pages and the app's shell: network first, the last copy when the network fails or is
//   too slow, and for a field page never opened while online, the app's shell (/thuc-dia/);
// - a field page's form posted with no network: the app instead of the browser's error page;
// - /api/: never touched (the app keeps its data in IndexedDB and knows when it is offline).
const CACHE = "ansinh-field-{{ version }}";
const SHELL = {{ shell_json|safe }};
const OPTIONAL = {{ optional_json|safe }};
const APP = "{% url 'field_app' %}";
const PAGES = [/^\/thuc-dia\//, /^\/thu\//, /^\/tham-gia\//, /^\/van-dong\//, /^\/tu-van\//,
               /^\/so-doi-tuong\//, /^\/tinh\//];
// lie-fi (a bar of signal, nothing comes): a page that has not answered by then comes from
// the copy; the app's own page sooner, since its data is on the phone anyway
const SLOW_MS = 6000;
const SLOW_APP_MS = 3000;

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL).then(() =>
    Promise.all(OPTIONAL.map((url) => cache.add(url).catch(() => null)))))
    .then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(caches.keys().then((keys) => Promise.all(
    keys.filter((key) => key.startsWith("ansinh-") && key !== CACHE).map((key) => caches.delete(key))))
    .then(() => self.clients.claim()));
});

function keep(request, response) {
  if (response && response.ok && response.type === "basic") {
    const copy = response.clone();
    caches.open(CACHE).then((cache) => cache.put(request, copy));
  }
  return response;
}

function cacheFirst(request) {
  return caches.match(request).then((hit) => hit || fetch(request).then((r) => keep(request, r)));
}

function networkFirst(request, isApp) {
  const copy = () => caches.match(request, { ignoreSearch: isApp }).then((hit) =>
    hit || (request.mode === "navigate" ? caches.match(APP) : undefined)).then((hit) =>
    hit || Response.error());
  const network = fetch(request).then((r) => keep(request, r));
  const slow = new Promise((resolve) => setTimeout(resolve, isApp ? SLOW_APP_MS : SLOW_MS)).then(() =>
    caches.match(request, { ignoreSearch: isApp }).then((hit) => hit || network));
  return Promise.race([network, slow]).catch(copy);
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.method === "POST" && request.mode === "navigate" && PAGES.some((p) => p.test(url.pathname))) {
    // a server-rendered form sent with no network: rather than the browser's error page, the
    // app, where the same work is queued on the phone
    event.respondWith(fetch(request).catch(() => Response.redirect(APP + "#/tim", 303)));
    return;
  }
  if (request.method !== "GET") return;
  if (url.pathname.startsWith("/api/")) return;
  if (url.pathname.startsWith("/static/")) {
    event.respondWith(cacheFirst(request));
    return;
  }
  if (!PAGES.some((pattern) => pattern.test(url.pathname))) return;
  if (request.headers.get("HX-Request")) {
    // a fragment: offline it simply fails (the page keeps what it shows), never the app's page
    return;
  }
  event.respondWith(networkFirst(request, url.pathname === APP));
});
