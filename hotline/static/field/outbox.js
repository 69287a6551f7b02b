/* Field form offline outbox: a report made without a connection waits in localStorage and is sent when the phone
   is online again. The page works without this file; it only adds the queue. Reports with a voice note are not
   queued (too large for localStorage): they go through the ordinary form post. */
(function () {
  "use strict";
  var KEY = "hotline-field-outbox";
  var form = document.getElementById("field-report");
  var status = document.getElementById("outbox-status");
  if (!form || !window.localStorage || !window.fetch || !window.FormData) { return; }

  function load() {
    try { return JSON.parse(localStorage.getItem(KEY) || "[]"); } catch (e) { return []; }
  }
  function save(items) { localStorage.setItem(KEY, JSON.stringify(items)); }
  function say(text) { status.textContent = text; status.hidden = !text; }
  function newId() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  function token() { return form.querySelector("input[name=csrf_token]").value; }

  function send(item) {
    var body = new FormData();
    Object.keys(item).forEach(function (name) { body.append(name, item[name]); });
    body.set("csrf_token", token());
    return fetch(form.action, { method: "POST", body: body, credentials: "same-origin",
                                headers: { "Accept": "application/json" } })
      .then(function (response) {
        // A rejected report (422) would be rejected again: drop it. Keep it on 5xx or no connection.
        if (response.ok || response.status === 422) { return response.json(); }
        throw new Error("server " + response.status);
      });
  }

  function flush() {
    var items = load();
    if (!items.length || !navigator.onLine) { showPending(); return Promise.resolve(); }
    var item = items[0];
    return send(item).then(function (reply) {
      save(load().filter(function (other) { return other.submission_id !== item.submission_id; }));
      if (reply && reply.ok) { say(form.dataset.sent + " #" + reply.reference); }
      return flush();
    }).catch(function () { showPending(); });
  }

  function showPending() {
    var count = load().length;
    if (count) { say(form.dataset.queued + " " + form.dataset.pending + " " + count); }
  }

  form.addEventListener("submit", function (event) {
    var file = form.querySelector("input[type=file]");
    if (file && file.files && file.files.length) { return; }  // a voice note goes by the ordinary post
    if (!form.checkValidity()) { return; }
    event.preventDefault();
    var item = {};
    new FormData(form).forEach(function (value, name) {
      if (typeof value === "string" && name !== "csrf_token") { item[name] = value; }
    });
    var items = load();
    items.push(item);
    save(items);
    form.reset();
    form.querySelector("input[name=submission_id]").value = newId();
    say(form.dataset.queued);
    flush();
  });
  window.addEventListener("online", flush);
  flush();
}());
