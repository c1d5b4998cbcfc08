// ansinh service worker: field pages keep working without a network.
// Pages: network first, the last copy when offline. Static files: cache first.
const CACHE = "ansinh-field-v1";
const SHELL = [{% for url in shell %}"{{ url|escapejs }}", {% endfor %}"{% url 'field:offline' %}"];
const FIELD = [/^\/thu\//, /^\/tham-gia\//, /^\/van-dong\//, /^\/tu-van\//, /^\/so-doi-tuong\//,
               /^\/tinh\//, /^\/static\//];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(caches.keys().then((keys) => Promise.all(
    keys.filter((key) => key !== CACHE).map((key) => caches.delete(key)))).then(() => self.clients.claim()));
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (!FIELD.some((pattern) => pattern.test(url.pathname))) return;
  if (url.pathname.startsWith("/static/")) {
    event.respondWith(caches.match(request).then((hit) => hit || fetch(request).then((response) => {
      const copy = response.clone();
      caches.open(CACHE).then((cache) => cache.put(request, copy));
      return response;
    })));
    return;
  }
  if (request.headers.get("HX-Request")) {
    // a fragment: offline it simply fails (the page keeps what it shows), never the offline page
    event.respondWith(fetch(request));
    return;
  }
  event.respondWith(fetch(request).then((response) => {
    if (response.ok) {
      const copy = response.clone();
      caches.open(CACHE).then((cache) => cache.put(request, copy));
    }
    return response;
  }).catch(() => caches.match(request).then((hit) => hit || caches.match("{% url 'field:offline' %}"))));
});
