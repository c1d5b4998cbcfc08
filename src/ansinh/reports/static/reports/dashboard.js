// The dashboard's two charts (Chart.js), from the page's json_script "chart-data"; the labels
// in the page's language come as data- attributes of the canvases (no inline script: the
// Content-Security-Policy).
(function () {
  if (!window.Chart) return;
  const data = JSON.parse(document.getElementById("chart-data").textContent);
  // numbers the page's way: 3.229 and 4,5 in Vietnamese, 3,229 and 4.5 in English
  const locale = document.documentElement.lang.startsWith("en") ? "en-GB" : "vi-VN";
  Chart.defaults.locale = locale;
  const fmt = (v) => v == null ? "—" : v.toLocaleString(locale);
  // the colours are the stylesheet's, those the legend explains
  const css = getComputedStyle(document.documentElement);
  const colour = (name) => css.getPropertyValue(name).trim();
  const byStatus = {on_track: colour("--on-track"), behind: colour("--behind"), unknown: colour("--unknown")};
  Chart.defaults.font.family = '"Noto Sans", system-ui, sans-serif';
  Chart.defaults.animation = false;
  const trend = document.getElementById("trend");
  if (trend && data.months.length) {
    const datasets = [
      {label: data.this_label, data: data.this, borderColor: colour("--this-year"), backgroundColor: colour("--this-year"), tension: .2},
      {label: data.last_label, data: data.last, borderColor: colour("--last-year"), backgroundColor: colour("--last-year"), borderDash: [4, 4], tension: .2},
    ];
    if (data.target != null) datasets.push({label: trend.dataset.targetLabel, data: data.months.map(() => data.target), borderColor: colour("--target"), backgroundColor: colour("--target"), pointRadius: 0, borderWidth: 1.5});
    new Chart(trend, {type: "line", data: {labels: data.months, datasets},
      options: {maintainAspectRatio: false, plugins: {legend: {position: "bottom"}, tooltip: {callbacks: {label: (c) => c.dataset.label + ": " + fmt(c.parsed.y)}}},
        scales: {y: {beginAtZero: true, ticks: {callback: fmt}}}}});
  }
  const communes = document.getElementById("communes");
  if (communes && data.communes.length) {
    new Chart(communes, {type: "bar", data: {labels: data.communes, datasets: [
        {label: communes.dataset.ratioLabel, data: data.commune_ratio,
         backgroundColor: data.commune_status.map((status) => byStatus[status])}]},
      options: {indexAxis: "y", maintainAspectRatio: false, plugins: {legend: {display: false},
        tooltip: {callbacks: {label: (c) => (c.parsed.x == null ? "—" : c.parsed.x.toLocaleString(locale, {maximumFractionDigits: 1}) + " %") + " · " + fmt(data.commune_achieved[c.dataIndex]) + " / " + fmt(data.commune_target[c.dataIndex])}}},
        scales: {x: {beginAtZero: true, suggestedMax: 100}}}});
  }
})();
