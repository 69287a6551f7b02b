// The report page's spoken reply: the shared recorder (recorder.js), and the delivery of a call in progress
// followed from the status endpoint (JSON: times, statuses and play counts only).
(function () {
  "use strict";
  window.HotlineRecorder.attach(document.getElementById("spoken-recorder"));
  var list = document.getElementById("spoken-attempts");
  if (!list || !list.dataset.status || !list.querySelector("[data-final='false']")) { return; }
  var rounds = 0;
  function poll() {
    rounds += 1;
    fetch(list.dataset.status, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        var waiting = false;
        data.attempts.forEach(function (a) {
          var item = list.querySelector("[data-attempt='" + a.id + "']");
          if (!item) { return; }
          item.querySelector(".delivery").textContent = a.label;
          item.dataset.final = a.final ? "true" : "false";
          if (!a.final) { waiting = true; }
        });
        if (waiting && rounds < 200) { window.setTimeout(poll, 3000); }
      })
      .catch(function () { window.setTimeout(poll, 10000); });
  }
  window.setTimeout(poll, 3000);
}());
