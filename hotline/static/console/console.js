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

  function updateCounter(area) {
    var out = document.getElementById(area.getAttribute("data-sms-counter"));
    if (!out) { return; }
    var template = out.getAttribute("data-template") || "{enc} · {units} · {segments}";
    var cost = smsCost(area.value);
    out.value = template.replace("{enc}", cost.encoding).replace("{units}", String(cost.units))
      .replace("{segments}", String(cost.segments));
    out.setAttribute("data-encoding", cost.encoding);
    out.setAttribute("data-segments", String(cost.segments));
  }

  // A library message goes in where the cursor is (or at the end), after what the operator typed: never over it,
  // not even over selected text.
  function insertAtCursor(area, text) {
    var at = typeof area.selectionEnd === "number" ? area.selectionEnd : area.value.length;
    if (document.activeElement !== area && area.getAttribute("data-touched") !== "1") { at = area.value.length; }
    var before = area.value.slice(0, at), after = area.value.slice(at);
    var lead = before && !/\s$/.test(before) ? " " : "", tail = after && !/^\s/.test(after) ? " " : "";
    area.setRangeText(lead + text + tail, at, at, "end");
    area.dispatchEvent(new Event("input", { bubbles: true }));
    area.focus();
  }

  function bindPicker() {
    document.addEventListener("click", function (event) {
      var link = event.target.closest ? event.target.closest("#counter-picker a[data-body]") : null;
      var area = document.getElementById("reply-body"), hidden = document.getElementById("counter-message-id");
      if (!link || !area) { return; }
      event.preventDefault();
      insertAtCursor(area, link.getAttribute("data-body"));
      if (hidden) { hidden.value = link.getAttribute("data-counter-id"); }
    });
    document.addEventListener("input", function (event) {
      if (event.target.matches && event.target.matches("textarea[data-sms-counter]")) {
        event.target.setAttribute("data-touched", "1");
        updateCounter(event.target);
      }
    });
    document.addEventListener("focusout", function (event) {
      if (event.target.id === "reply-body") { event.target.setAttribute("data-touched", "1"); }
    });
  }

  // The code list shows the chosen category's codes only (the server checks the triple anyway).
  function followCategory() {
    var category = document.getElementById("coding-category"), code = document.getElementById("coding-code");
    if (!category || !code) { return; }
    Array.prototype.forEach.call(code.querySelectorAll("optgroup[data-category]"), function (group) {
      var shown = !category.value || group.getAttribute("data-category") === category.value;
      group.hidden = !shown;
      group.disabled = !shown;
      if (!shown && group.contains(code.selectedOptions[0])) { code.value = ""; }
    });
  }

  function say(message, failed) {
    var status = document.getElementById("action-status");
    if (!status) { return; }
    status.textContent = message;
    status.classList.toggle("notice-error", Boolean(failed));
    status.hidden = false;
  }

  // Report actions save without a page load: the form is posted with fetch (its CSRF field included), then the
  // report's part of the page is fetched again and swapped in, keeping the scroll position and anything typed in
  // the other forms. Without JavaScript the same forms post and come back to the report.
  function refreshCasework(keepFrom, message) {
    var old = document.getElementById("casework"), x = window.scrollX, y = window.scrollY, kept = {};
    Array.prototype.forEach.call(old.querySelectorAll("textarea[id], input[type=text][id], input:not([type])[id]"),
      function (field) { if (!keepFrom.contains(field)) { kept[field.id] = field.value; } });
    return fetch(window.location.pathname, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) { return response.text(); })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("casework");
        if (!fresh) { window.location.reload(); return; }
        old.replaceWith(document.adoptNode(fresh));
        Object.keys(kept).forEach(function (id) {
          var field = document.getElementById(id);
          if (field) { field.value = kept[id]; }
        });
        var area = document.getElementById("reply-body");
        if (area) { updateCounter(area); }
        followCategory();
        say(message, false);
        window.scrollTo(x, y);
      });
  }

  function bindAsyncForms() {
    document.addEventListener("submit", function (event) {
      var form = event.target;
      if (!form.classList.contains("js-async") || form.getAttribute("data-plain") === "1" ||
          !document.getElementById("casework")) { return; }
      event.preventDefault();
      var data = new FormData(form), submitter = event.submitter;
      if (submitter && submitter.name) { data.append(submitter.name, submitter.value); }
      var buttons = form.querySelectorAll("button");
      Array.prototype.forEach.call(buttons, function (b) { b.disabled = true; });
      fetch(form.action, { method: "POST", body: data, credentials: "same-origin",
                           headers: { "Accept": "application/json" } })
        .then(function (response) {
          var type = response.headers.get("Content-Type") || "";
          if (type.indexOf("application/json") !== 0) { throw new Error("not json"); }
          return response.json();
        })
        .then(function (answer) {
          if (answer.redirect) { window.location.assign(answer.redirect); return null; }
          if (!answer.ok) {
            Array.prototype.forEach.call(buttons, function (b) { b.disabled = false; });
            say(answer.message, true);
            return null;
          }
          return refreshCasework(form, answer.message);
        })
        .catch(function () {  // no JSON (an expired session, an error page): post the form the plain way
          form.setAttribute("data-plain", "1");
          Array.prototype.forEach.call(buttons, function (b) { b.disabled = false; });
          if (submitter) { form.requestSubmit(submitter); } else { form.requestSubmit(); }
        });
    });
    document.addEventListener("change", function (event) {
      if (event.target.id === "coding-category") { followCategory(); }
    });
  }

  // Report page keys (outside text fields): c claim, a accept the suggested coding, r reply, e escalate, n next.
  function bindReportKeys() {
    if (!document.getElementById("casework")) { return; }
    document.addEventListener("keydown", function (event) {
      var tag = (event.target.tagName || "").toLowerCase();
      if (tag === "input" || tag === "textarea" || tag === "select" || event.altKey || event.ctrlKey ||
          event.metaKey || event.isComposing) { return; }
      var click = { c: "claim", a: "accept-coding" }[event.key];
      var focus = { r: "reply-body", e: "referred-to" }[event.key];
      var target = document.getElementById(click || focus || (event.key === "n" ? "next-report" : ""));
      if (!target) { return; }
      event.preventDefault();
      if (focus) { target.focus(); target.scrollIntoView({ block: "center" }); } else { target.click(); }
    });
  }

  function bindQueueKeys() {
    if (!document.getElementById("queue")) { return; }
    var current = -1;
    document.addEventListener("keydown", function (event) {
      var tag = (event.target.tagName || "").toLowerCase();
      if (tag === "input" || tag === "textarea" || tag === "select" || event.altKey || event.ctrlKey || event.metaKey) {
        return;
      }
      var rows = Array.prototype.slice.call(document.querySelectorAll(".queue-row"));
      if ((event.key !== "j" && event.key !== "k") || !rows.length) { return; }
      current = event.key === "j" ? Math.min(rows.length - 1, current + 1) : Math.max(0, current - 1);
      rows.forEach(function (row, i) { row.classList.toggle("current", i === current); });
      var link = rows[current].querySelector(".queue-open");
      if (link) { link.focus(); }
    });
  }


  // The live queue: ask for what is new since the page last looked (only deltas travel), hold new rows behind a
  // "3 new" banner so nothing moves under the operator's eyes, and keep "waiting" times and overdue marks current.
  function formatWaited(list, minutes) {
    var h = Math.floor(minutes / 60), d = Math.floor(minutes / 1440);
    if (minutes < 60) { return list.getAttribute("data-fmt-minutes").replace("{m}", String(minutes)); }
    if (minutes < 1440) {
      return list.getAttribute("data-fmt-hours").replace("{h}", String(h)).replace("{m}", String(minutes % 60));
    }
    return list.getAttribute("data-fmt-days").replace("{d}", String(d)).replace("{h}", String(h % 24));
  }

  function tickQueue(list) {
    var limit = Number(list.getAttribute("data-overdue-minutes")) || 15, now = Date.now();
    Array.prototype.forEach.call(list.querySelectorAll(".queue-row[data-received]"), function (row) {
      var minutes = Math.max(0, Math.floor((now - Date.parse(row.getAttribute("data-received"))) / 60000));
      var waited = row.querySelector(".waited-for");
      if (waited) { waited.textContent = formatWaited(list, minutes); }
      if (row.hasAttribute("data-watched") && minutes >= limit) { row.classList.add("overdue"); }
    });
  }

  function bindLiveQueue() {
    var list = document.getElementById("queue"), banner = document.getElementById("queue-live");
    var show = document.getElementById("queue-live-show"), counts = document.getElementById("queue-counts");
    if (!list || !banner || !show || !list.getAttribute("data-updates")) { return; }
    var pending = [], seconds = Math.max(1, Number(list.getAttribute("data-poll-seconds")) || 15), busy = false;
    var stopped = false;

    function poll() {
      if (busy || stopped) { return; }
      busy = true;
      var url = new URL(list.getAttribute("data-updates"), window.location.href);
      url.searchParams.set("after", list.getAttribute("data-after") || "0");
      url.searchParams.set("pending", String(pending.length));
      fetch(url.toString(), { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (response) {
          var type = response.headers.get("Content-Type") || "";
          if (!response.ok || type.indexOf("application/json") !== 0) { stopped = true; return null; }
          return response.json();
        })
        .then(function (data) {
          if (!data) { return; }
          list.setAttribute("data-after", String(data.after));
          if (counts) { counts.innerHTML = data.counts; }
          var holder = document.createElement("template");
          holder.innerHTML = data.rows;
          Array.prototype.forEach.call(holder.content.querySelectorAll(".queue-row"), function (row) {
            pending.push(row);
          });
          if (data.banner) { show.textContent = data.banner; banner.hidden = false; }
        })
        .catch(function () { /* offline for a moment: the next tick asks again */ })
        .then(function () { busy = false; });
    }

    show.addEventListener("click", function () {
      var first = list.firstElementChild;
      pending.forEach(function (row) {
        var empty = list.querySelector("li.muted:not(.queue-row)");
        if (empty) { empty.remove(); }
        row.classList.add("fresh");
        list.insertBefore(row, first);
      });
      pending = [];
      banner.hidden = true;
      tickQueue(list);
      list.scrollIntoView({ block: "start" });
    });
    window.setInterval(poll, seconds * 1000);
    window.setInterval(function () { tickQueue(list); }, 30000);
  }

  document.addEventListener("DOMContentLoaded", function () {
    bindPicker();
    bindAsyncForms();
    bindReportKeys();
    followCategory();
    bindQueueKeys();
    bindLiveQueue();
  });
}());
