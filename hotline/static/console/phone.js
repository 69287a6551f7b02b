// The operators' softphone: Twilio's Voice SDK Device (vendored in /static/vendor/), driven by five states shown in
// #softphone[data-state]: offline -> ready <-> incoming (a caller waits) -> connecting -> in-call -> wrap-up -> ready.
// The operator places the call (the TwiML App connects them to the next caller); the page never learns who calls.
(function () {
  "use strict";
  var root = document.getElementById("softphone");
  if (!root) { return; }
  var statusText = document.getElementById("softphone-status");
  var buttons = {
    online: document.getElementById("phone-online"),
    answer: document.getElementById("phone-answer"),
    hangup: document.getElementById("phone-hangup"),
    ready: document.getElementById("phone-ready")
  };
  var shown = { offline: ["online"], error: ["online"], ready: [], incoming: ["answer"], connecting: ["hangup"],
                "in-call": ["hangup"], "wrap-up": ["ready"] };
  var device = null;
  var call = null;
  var POLL_MS = 5000;

  function label(state) {
    var key = "label" + state.split("-").map(function (p) { return p.charAt(0).toUpperCase() + p.slice(1); }).join("");
    return root.dataset[key] || state;
  }

  function setState(state) {
    root.dataset.state = state;
    statusText.textContent = label(state);
    Object.keys(buttons).forEach(function (name) { buttons[name].hidden = shown[state].indexOf(name) < 0; });
  }

  function fetchJson(url) {
    return fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      });
  }

  function poll() {
    if (root.dataset.state !== "ready" && root.dataset.state !== "incoming") { return; }
    fetchJson(root.dataset.waitingUrl).then(function (body) {
      if (root.dataset.state === "ready" || root.dataset.state === "incoming") {
        setState(body.waiting > 0 ? "incoming" : "ready");
      }
    }).catch(function () { /* the next poll tries again */ });
  }

  function goOnline() {
    fetchJson(root.dataset.tokenUrl).then(function (body) {
      var Device = window.Twilio && window.Twilio.Device;
      device = new Device(body.token, { closeProtection: true, codecPreferences: ["opus", "pcmu"] });
      device.on("tokenWillExpire", function () {
        fetchJson(root.dataset.tokenUrl).then(function (fresh) { device.updateToken(fresh.token); });
      });
      device.on("error", function () { if (!call) { setState("error"); } });
      setState("ready");
      poll();
      window.setInterval(poll, POLL_MS);
    }).catch(function () { setState("error"); });
  }

  // The call's panel (history and the report for this call) is an HTML fragment the server renders and escapes;
  // notes are saved with fetch so the page, and the call in it, stays.
  var panel = document.getElementById("phone-call");
  var PANEL_TRIES = 5;

  function loadPanel(tries) {
    if (!panel) { return; }
    fetch(root.dataset.callUrl, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) {
        if (response.status === 204) {
          if (tries > 1) { window.setTimeout(function () { loadPanel(tries - 1); }, 1000); }
          return null;
        }
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.text();
      })
      .then(function (html) { if (html !== null && html !== undefined) { panel.innerHTML = html; panel.hidden = false; } })
      .catch(function () { /* the operator can still open the report from the queue */ });
  }

  function saveNotes(event) {
    var form = event.target;
    if (!form || form.id !== "call-notes") { return; }
    event.preventDefault();
    var saved = document.getElementById("call-saved");
    fetch(form.action, { method: "POST", body: new FormData(form), credentials: "same-origin",
                         headers: { "Accept": "application/json" } })
      .then(function (response) { return response.json().then(function (body) { return [response.ok, body]; }); })
      .then(function (result) {
        saved.textContent = result[1].message;
        saved.hidden = false;
        saved.classList.toggle("notice-error", !result[0]);
        if (result[0]) { panel.dataset.saved = "true"; }
      })
      .catch(function () { saved.textContent = root.dataset.labelError; saved.hidden = false; });
  }

  function answer() {
    setState("connecting");
    Promise.resolve(device.connect()).then(function (placed) {
      call = placed;
      call.on("accept", function () { setState("in-call"); loadPanel(PANEL_TRIES); });
      call.on("disconnect", function () { call = null; setState("wrap-up"); });
      call.on("cancel", function () { call = null; setState("ready"); });
      call.on("error", function () { call = null; setState("wrap-up"); });
    }).catch(function () { setState("ready"); });
  }

  buttons.online.addEventListener("click", goOnline);
  buttons.answer.addEventListener("click", answer);
  buttons.hangup.addEventListener("click", function () { if (call) { call.disconnect(); } });
  buttons.ready.addEventListener("click", function () {
    if (panel) { panel.hidden = true; panel.innerHTML = ""; delete panel.dataset.saved; }
    setState("ready");
    poll();
  });
  if (panel) { panel.addEventListener("submit", saveNotes); }
  // On their own phone the operator takes calls without the softphone: the call they were just put through shows.
  if (root.dataset.answerOn === "phone") { loadPanel(1); }
  setState("offline");
})();
