/* Record a voice note on the field form (MediaRecorder). The take goes into the form's own file input, so it is
   sent by the ordinary form post like a chosen file (the outbox leaves reports with a voice note to that post).
   Without MediaRecorder or a microphone the panel stays hidden and the file input is all there is. */
(function () {
  "use strict";
  var panel = document.getElementById("voice-recorder");
  var input = document.getElementById("voice_note");
  if (!panel || !input || !window.MediaRecorder || !navigator.mediaDevices || !window.DataTransfer) { return; }
  var start = document.getElementById("voice-start");
  var stop = document.getElementById("voice-stop");
  var take = document.getElementById("voice-take");
  var status = document.getElementById("voice-status");
  var recorder = null, stream = null, chunks = [], timer = 0;
  var LIMIT_MS = 180000;  // 3 minutes at 24 kbit/s stays well under the 900 KB a voice note may weigh
  panel.hidden = false;

  function finish() {
    window.clearTimeout(timer);
    if (recorder && recorder.state !== "inactive") { recorder.stop(); }
    if (stream) { stream.getTracks().forEach(function (t) { t.stop(); }); }
    start.disabled = false;
    stop.disabled = true;
  }

  start.addEventListener("click", function () {
    navigator.mediaDevices.getUserMedia({ audio: true }).then(function (s) {
      stream = s;
      chunks = [];
      var options = { audioBitsPerSecond: 24000 };
      if (MediaRecorder.isTypeSupported && MediaRecorder.isTypeSupported("audio/ogg;codecs=opus")) {
        options.mimeType = "audio/ogg;codecs=opus";
      }
      recorder = new MediaRecorder(stream, options);
      recorder.addEventListener("dataavailable", function (e) { if (e.data.size) { chunks.push(e.data); } });
      recorder.addEventListener("stop", function () {
        var type = (recorder.mimeType || "audio/webm").split(";")[0];
        var file = new File(chunks, "voice-note." + (type === "audio/ogg" ? "ogg" : "webm"), { type: type });
        var files = new DataTransfer();
        files.items.add(file);
        input.files = files.files;
        take.src = URL.createObjectURL(file);
        take.hidden = false;
        status.textContent = panel.dataset.ready;
      });
      recorder.start();
      timer = window.setTimeout(finish, LIMIT_MS);
      start.disabled = true;
      stop.disabled = false;
      status.textContent = panel.dataset.recording;
    }).catch(function () { status.textContent = panel.dataset.denied; });
  });
  stop.addEventListener("click", finish);
}());
