// Report page: type-ahead rumour search. The server searches and renders the results (escaped there); this file
// only asks as the operator types, drops answers that arrive out of order, and pages without leaving the report.
// Events are bound on the document, so the panel keeps working after console.js swaps the casework in again.
(function () {
  "use strict";
  if (window.hotlineRumourSearch) { return; }  // the partial may be on the page more than once after a refresh
  window.hotlineRumourSearch = true;
  var timer = null, asked = 0;

  function show(url) {
    var results = document.getElementById("rumour-results");
    if (!results) { return; }
    var mine = ++asked;
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (!response.ok || type.indexOf("application/json") !== 0) { throw new Error("no results"); }
        return response.json();
      })
      .then(function (data) {
        if (mine !== asked) { return; }  // a later keystroke's answer wins
        var holder = document.createElement("template");
        holder.innerHTML = data.html;
        results.replaceChildren(holder.content);
      })
      .catch(function () { /* the plain form still works: Enter opens the results page */ });
  }

  function search(form, page) {
    var url = new URL(form.action, window.location.href);
    url.searchParams.set("q", form.querySelector("input[name=q]").value);
    url.searchParams.set("page", String(page || 1));
    show(url.toString());
  }

  document.addEventListener("input", function (event) {
    if (event.target.id !== "rumour-q") { return; }
    var form = event.target.form;
    window.clearTimeout(timer);
    timer = window.setTimeout(function () { search(form, 1); }, 250);
  });
  document.addEventListener("submit", function (event) {
    if (event.target.id !== "rumour-search") { return; }
    event.preventDefault();
    window.clearTimeout(timer);
    search(event.target, 1);
  });
  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("#rumour-results a[data-rumour-page]") : null;
    if (!link) { return; }
    event.preventDefault();
    show(link.href);
  });
}());
