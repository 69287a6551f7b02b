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

  function answer() {
    setState("connecting");
    Promise.resolve(device.connect()).then(function (placed) {
      call = placed;
      call.on("accept", function () { setState("in-call"); });
      call.on("disconnect", function () { call = null; setState("wrap-up"); });
      call.on("cancel", function () { call = null; setState("ready"); });
      call.on("error", function () { call = null; setState("wrap-up"); });
    }).catch(function () { setState("ready"); });
  }

  buttons.online.addEventListener("click", goOnline);
  buttons.answer.addEventListener("click", answer);
  buttons.hangup.addEventListener("click", function () { if (call) { call.disconnect(); } });
  buttons.ready.addEventListener("click", function () { setState("ready"); poll(); });
  setState("offline");
})();
