// The prompt studio's recorder (the shared one in recorder.js): record, listen, re-take, upload the take.
(function () {
  "use strict";
  window.HotlineRecorder.attach(document.getElementById("recorder"));
}());
