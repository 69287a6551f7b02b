// Optional helpers for the console; every page works without them (CSP allows this file, never inline script).
(function () {
  "use strict";

  // GSM 03.38: basic table and the extension table (each extension character costs two septets).
  var GSM_BASIC = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
  var GSM_EXT = "\f^{}\\[~]|€";

  function smsCost(text) {
    var chars = Array.from(text), gsm = chars.every(function (c) {
      return GSM_BASIC.indexOf(c) >= 0 || GSM_EXT.indexOf(c) >= 0;
    });
    var units = chars.map(function (c) {
      if (gsm) { return GSM_EXT.indexOf(c) >= 0 ? 2 : 1; }
      return c.codePointAt(0) > 0xFFFF ? 2 : 1;
    });
    var single = gsm ? 160 : 70, multi = gsm ? 153 : 67;
    var total = units.reduce(function (a, b) { return a + b; }, 0), segments = 0, used = 0;
    if (total === 0) { segments = 0; } else if (total <= single) { segments = 1; } else {
      segments = 1;
      units.forEach(function (cost) { if (used + cost > multi) { segments += 1; used = 0; } used += cost; });
    }
    return { encoding: gsm ? "GSM-7" : "UCS-2", units: total, segments: segments };
  }

  function bindCounter(area) {
    var out = document.getElementById(area.getAttribute("data-sms-counter"));
    if (!out) { return; }
    var template = out.getAttribute("data-template") || "{enc} · {units} · {segments}";
    function update() {
      var cost = smsCost(area.value);
      out.value = template.replace("{enc}", cost.encoding).replace("{units}", String(cost.units))
        .replace("{segments}", String(cost.segments));
      out.setAttribute("data-encoding", cost.encoding);
      out.setAttribute("data-segments", String(cost.segments));
    }
    area.addEventListener("input", update);
  }

  function bindPicker() {
    var picker = document.getElementById("counter-picker"), area = document.getElementById("reply-body");
    var hidden = document.getElementById("counter-message-id");
    if (!picker || !area) { return; }
    picker.addEventListener("click", function (event) {
      var link = event.target.closest("a[data-body]");
      if (!link) { return; }
      event.preventDefault();
      area.value = link.getAttribute("data-body");
      if (hidden) { hidden.value = link.getAttribute("data-counter-id"); }
      area.dispatchEvent(new Event("input"));
      area.focus();
    });
  }

  function bindQueueKeys() {
    var rows = Array.prototype.slice.call(document.querySelectorAll(".queue-row"));
    if (!rows.length) { return; }
    var current = -1;
    document.addEventListener("keydown", function (event) {
      var tag = (event.target.tagName || "").toLowerCase();
      if (tag === "input" || tag === "textarea" || tag === "select" || event.altKey || event.ctrlKey || event.metaKey) {
        return;
      }
      if (event.key !== "j" && event.key !== "k") { return; }
      current = event.key === "j" ? Math.min(rows.length - 1, current + 1) : Math.max(0, current - 1);
      rows.forEach(function (row, i) { row.classList.toggle("current", i === current); });
      var link = rows[current].querySelector(".queue-open");
      if (link) { link.focus(); }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("textarea[data-sms-counter]"), bindCounter);
    bindPicker();
    bindQueueKeys();
  });
}());
