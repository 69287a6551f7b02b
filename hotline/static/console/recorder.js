// A recorder shared by the prompt studio and the report page's spoken reply: MediaRecorder, a level meter, listen
// and re-take, then upload the take. HotlineRecorder.attach(panel) wires the panel's #record-start, #record-stop,
// #record-take, #record-level, #record-save and #record-status; the take goes to panel.dataset.upload (a POST with
// panel.dataset.csrf), whose answer is a redirect back with a message: not followed, so the reload shows it.
(function () {
  "use strict";

  function attach(panel) {
    if (!panel) { return; }
    if (!window.MediaRecorder || !navigator.mediaDevices) { panel.hidden = true; return; }
    function part(id) { return panel.querySelector("#" + id); }
    var start = part("record-start"), stop = part("record-stop"), save = part("record-save");
    var take = part("record-take"), meter = part("record-level"), status = part("record-status");
    var recorder = null, chunks = [], blob = null, stream = null, audioContext = null, frame = 0;

    function level(analyser) {
      var data = new Uint8Array(analyser.fftSize);
      function draw() {
        analyser.getByteTimeDomainData(data);
        var sum = 0;
        for (var i = 0; i < data.length; i++) { var v = (data[i] - 128) / 128; sum += v * v; }
        meter.value = Math.min(1, Math.sqrt(sum / data.length) * 4);
        frame = window.requestAnimationFrame(draw);
      }
      draw();
    }

    start.addEventListener("click", function () {
      navigator.mediaDevices.getUserMedia({ audio: true }).then(function (s) {
        stream = s;
        audioContext = new (window.AudioContext || window.webkitAudioContext)();
        var analyser = audioContext.createAnalyser();
        analyser.fftSize = 1024;
        audioContext.createMediaStreamSource(stream).connect(analyser);
        level(analyser);
        chunks = [];
        recorder = new MediaRecorder(stream);
        recorder.addEventListener("dataavailable", function (e) { if (e.data.size) { chunks.push(e.data); } });
        recorder.addEventListener("stop", function () {
          blob = new Blob(chunks, { type: recorder.mimeType || "audio/webm" });
          take.src = URL.createObjectURL(blob);
          take.hidden = false;
          save.disabled = false;
          status.textContent = "";
        });
        recorder.start();
        start.disabled = true;
        stop.disabled = false;
        save.disabled = true;
        // A new take replaces the last one: hide it while recording, so what is shown is always what Save sends.
        take.hidden = true;
        if (take.src) { URL.revokeObjectURL(take.src); take.removeAttribute("src"); }
        blob = null;
      }).catch(function (err) { status.textContent = String(err); });
    });

    stop.addEventListener("click", function () {
      if (recorder && recorder.state !== "inactive") { recorder.stop(); }
      if (stream) { stream.getTracks().forEach(function (t) { t.stop(); }); }
      if (audioContext) { audioContext.close(); }
      window.cancelAnimationFrame(frame);
      meter.value = 0;
      start.disabled = false;
      stop.disabled = true;
    });

    save.addEventListener("click", function () {
      if (!blob) { return; }
      var form = new FormData();
      form.append("csrf_token", panel.dataset.csrf);
      form.append("source", "browser");
      form.append("audio", blob, "take.webm");
      save.disabled = true;
      fetch(panel.dataset.upload, { method: "POST", body: form, credentials: "same-origin", redirect: "manual" })
        .then(function (response) {
          if (response.type === "opaqueredirect" || response.ok) { window.location.reload(); return; }
          status.textContent = response.status + " " + response.statusText;
          save.disabled = false;
        })
        .catch(function (err) { status.textContent = String(err); save.disabled = false; });
    });
  }

  window.HotlineRecorder = { attach: attach };
}());
