// The service worker keeps the field pages and the offline app (/thuc-dia/) on the phone.
// A file, not an inline script, so a Content-Security-Policy can forbid inline scripts.
if ("serviceWorker" in navigator) {
  navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function () {});
}
