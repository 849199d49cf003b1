// Scan a LeerID card with the device's camera and open the card's sign-in page.
// The section stays hidden where there is no camera; jsQR is loaded only when asked.
(function () {
  "use strict";
  var section = document.getElementById("scan");
  var media = navigator.mediaDevices;
  if (!section || !media || !media.getUserMedia || !media.enumerateDevices) return;
  var prefix = section.dataset.cardPrefix;
  var texts = section.querySelector(".scan-messages").dataset;
  var status = document.getElementById("scan-status");
  var video = document.getElementById("scan-video");
  var button = document.getElementById("scan-start");
  // The forms a card's token has (idp/services/cards.py, SCANNED_TOKEN).
  var TOKEN = new RegExp("^(?:" + section.dataset.cardToken + ")$");
  var EVERY_MS = 150;

  media.enumerateDevices().then(function (devices) {
    if (devices.some(function (d) { return d.kind === "videoinput"; })) section.hidden = false;
  }).catch(function () { /* no camera information: keep the section hidden */ });

  function decoder() {
    return new Promise(function (resolve, reject) {
      if (window.jsQR) { resolve(window.jsQR); return; }
      var script = document.createElement("script");
      script.src = section.dataset.decoder;
      script.onload = function () { resolve(window.jsQR); };
      script.onerror = reject;
      document.head.appendChild(script);
    });
  }

  // Only our own cards: the address must start with this LeerID's card prefix.
  function cardPath(text) {
    if (typeof text !== "string" || text.indexOf(prefix) !== 0) return null;
    var token = text.slice(prefix.length);
    if (!TOKEN.test(token)) return null;
    var target = new URL(prefix + token);
    // Scanned while an app waits for the sign-in: the card keeps that request.
    var waiting = new URLSearchParams(window.location.search).get("interaction");
    if (waiting) target.searchParams.set("interaction", waiting);
    return target.pathname + target.search;
  }

  function watch(jsQR, stream) {
    var canvas = document.createElement("canvas");
    var context = canvas.getContext("2d", { willReadFrequently: true });
    function look() {
      if (video.readyState >= video.HAVE_ENOUGH_DATA && video.videoWidth) {
        canvas.width = video.videoWidth;
        canvas.height = video.videoHeight;
        context.drawImage(video, 0, 0);
        var frame = context.getImageData(0, 0, canvas.width, canvas.height);
        var code = jsQR(frame.data, frame.width, frame.height, { inversionAttempts: "dontInvert" });
        if (code) {
          var path = cardPath(code.data);
          if (path) {
            stream.getTracks().forEach(function (track) { track.stop(); });
            window.location.assign(path);
            return;
          }
          status.textContent = texts.wrong;
        }
      }
      window.setTimeout(look, EVERY_MS);
    }
    look();
  }

  button.addEventListener("click", function () {
    button.disabled = true;
    status.textContent = texts.looking;
    var camera = media.getUserMedia({ video: { facingMode: "environment" }, audio: false });
    Promise.all([decoder(), camera]).then(function (found) {
      video.srcObject = found[1];
      video.hidden = false;
      video.play();
      watch(found[0], found[1]);
    }).catch(function () {
      status.textContent = texts.denied;
      button.disabled = false;
    });
  });
})();
