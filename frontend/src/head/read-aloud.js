/* coproduction: "Read this to me" on the information about taking part and on every card,
   read out by the device's own voice (speechSynthesis with a voice on the device: nothing
   is sent anywhere). Where the device has no such voice, the button says so. The buttons
   are the page's own, not widgets: they cost the room no messages. */
(function () {
  "use strict";
  /* Widget boxes only: a marked word in a text is a <mark> with a class of the same name. */
  var SCOPES = ["information", "term", "method", "check-in", "rate", "ladder",
    "since-last-time", "suggest", "asks", "coming-up-box"].map(function (name) {
    return ".widget-box.coproduction-" + name;
  }).join(", ");
  function word(key, english) {  /* in the page's language: see language.js */
    return window.coproductionWord ? window.coproductionWord(key, english) : english;
  }
  var READ = "Read this to me", STOP = "Stop reading",
    NO_VOICE = "This device has no voice to read aloud";
  var speaking = null;

  function localVoice() {
    if (!("speechSynthesis" in window)) {
      return null;
    }
    var voices = window.speechSynthesis.getVoices().filter(function (v) {
      return v.localService;
    });
    var lang = (document.documentElement.lang || navigator.language || "en").toLowerCase();
    var same = voices.filter(function (v) {
      return v.lang.toLowerCase().split("-")[0] === lang.split("-")[0];
    });
    return same[0] || null;
  }

  /* What is shown, part by part, each said as a sentence: headings do not run into the
     text, the choices of a question are read too (not other buttons, nor what is typed
     in a box), and pictures of faces are left to the words beside them. */
  var SKIP = "input, textarea, select, .coproduction-read-aloud, " +
    "button:not(.widget-toggle-button)";
  function words(scope) {
    var parts = [];
    var walk = document.createTreeWalker(scope, NodeFilter.SHOW_TEXT);
    for (var node = walk.nextNode(); node; node = walk.nextNode()) {
      var holder = node.parentElement;
      var text = node.textContent.replace(/\p{Extended_Pictographic}/gu, "")
        .replace(/\s+/g, " ").trim();
      if (text && holder && !holder.closest(SKIP) && holder.getClientRects().length) {
        parts.push(/[.!?:;,]$/.test(text) ? text : text + ".");
      }
    }
    return parts.join(" ");
  }

  function stop() {
    if (speaking) {
      speaking.textContent = word("read", READ);
      speaking = null;
    }
    if ("speechSynthesis" in window) {
      window.speechSynthesis.cancel();
    }
  }

  function read(button) {
    var was = speaking;
    stop();
    if (was === button) {
      return;  /* pressed again: stop */
    }
    var voice = localVoice();
    if (!voice) {
      button.textContent = word("no_voice", NO_VOICE);
      button.disabled = true;
      return;
    }
    var said = new window.SpeechSynthesisUtterance(words(button.parentNode));
    said.voice = voice;
    said.lang = voice.lang;
    said.onend = said.onerror = function () {
      if (speaking === button) {
        stop();
      }
    };
    speaking = button;
    button.textContent = word("stop", STOP);
    window.speechSynthesis.speak(said);
  }

  function addButtons() {
    document.querySelectorAll(SCOPES).forEach(function (scope) {
      var first = scope.firstElementChild;
      if ((first && first.classList.contains("coproduction-read-aloud")) ||
          scope.closest(".coproduction-room-screen")) {
        return;
      }
      var button = document.createElement("button");
      button.type = "button";
      button.className = "coproduction-read-aloud jupyter-widgets jupyter-button widget-button";
      button.textContent = word("read", READ);
      button.addEventListener("click", function () { read(button); });
      scope.insertBefore(button, first);  /* first: the widgets add theirs after it */
    });
  }

  var queued = false;
  function soon() {
    if (!queued) {
      queued = true;
      window.requestAnimationFrame(function () {
        queued = false;
        addButtons();
      });
    }
  }
  document.addEventListener("DOMContentLoaded", function () {
    new MutationObserver(soon).observe(document.body, { childList: true, subtree: true });
    soon();
  });
  if ("speechSynthesis" in window) {
    window.speechSynthesis.getVoices();  /* some browsers load their voices on first ask */
  }
})();
