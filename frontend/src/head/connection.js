/* coproduction: when the page loses its kernel (the server stopped or restarted, or the
   kernel died), say so plainly at once: what the person does now is not saved, and what
   they typed stays. "Connect again" keeps their typing on this device (this tab only),
   reloads (the address carries the rejoin key) and puts it back in the same boxes. */
(function () {
  "use strict";
  function word(key, english) {  /* in the page's language: see language.js */
    return window.coproductionWord ? window.coproductionWord(key, english) : english;
  }
  var DRAFTS = "coproduction-drafts:" + window.location.pathname;
  var NativeWebSocket = window.WebSocket;
  var leaving = false;
  var lostKernel = false;
  window.addEventListener("beforeunload", function () { leaving = true; });

  function boxes() {
    return Array.prototype.slice.call(document.querySelectorAll(
      ".coproduction-page input[type=text], .coproduction-page input:not([type]), " +
      ".coproduction-page textarea"));
  }

  function keyOf(box, all) {
    var owner = box.closest("[class*='coproduction-']");
    var name = owner ? Array.prototype.filter.call(owner.classList, function (c) {
      return c.indexOf("coproduction-") === 0;
    }).join(".") : "";
    var same = all.filter(function (other) {
      var o = other.closest("[class*='coproduction-']");
      return o && Array.prototype.filter.call(o.classList, function (c) {
        return c.indexOf("coproduction-") === 0;
      }).join(".") === name;
    });
    return name + "#" + same.indexOf(box);
  }

  function keepDrafts() {
    var all = boxes(), drafts = {};
    all.forEach(function (box) {
      if (box.value && box.value.trim()) { drafts[keyOf(box, all)] = box.value; }
    });
    try { window.sessionStorage.setItem(DRAFTS, JSON.stringify(drafts)); } catch (e) { /* storage off */ }
  }

  function banner() {
    var shown = document.getElementById("coproduction-connection-lost");
    if (shown) { return shown; }
    shown = document.createElement("div");
    shown.id = "coproduction-connection-lost";
    shown.setAttribute("role", "alert");
    shown.className = "coproduction-connection-lost";
    var text = document.createElement("p");
    text.textContent = word("lost", "This page has lost touch with the workshop. Anything " +
      "you do now is not saved. What you typed is kept here.");
    var again = document.createElement("button");
    again.type = "button";
    again.className = "coproduction-connect-again";
    again.textContent = word("again", "Connect again");
    again.addEventListener("click", function () { keepDrafts(); window.location.reload(); });
    shown.appendChild(text);
    shown.appendChild(again);
    document.body.insertBefore(shown, document.body.firstChild);
    return shown;
  }

  function lost(kernelGone) {
    /* A page that said its last word (the person left, or chose not to take part) ends
       its kernel on purpose, to give its place back: it has not lost touch. */
    if (leaving || document.querySelector(".coproduction-page-ended")) { return; }
    lostKernel = lostKernel || kernelGone;
    keepDrafts();
    banner().hidden = false;
  }

  function found() {
    var shown = document.getElementById("coproduction-connection-lost");
    if (shown && !lostKernel) { shown.hidden = true; }
  }

  /* The kernel's status, from a frame in the v1 wire protocol or the JSON one. */
  function statusOf(data) {
    try {
      var header, content;
      if (typeof data === "string") {
        var message = JSON.parse(data);
        header = message.header; content = message.content;
      } else {
        var view = new DataView(data), count = view.getUint32(0, true), at = [];
        for (var i = 0; i < count; i++) { at.push(view.getUint32(8 * (i + 1), true)); }
        var decode = function (k) {
          return JSON.parse(new TextDecoder().decode(new Uint8Array(data, at[k], at[k + 1] - at[k])));
        };
        header = decode(1); content = decode(4);
      }
      return header && header.msg_type === "status" ? content.execution_state : null;
    } catch (e) {
      return null;
    }
  }

  function KitWebSocket(url, protocols) {
    var socket = protocols === undefined ? new NativeWebSocket(url)
                                         : new NativeWebSocket(url, protocols);
    if (/\/api\/kernels\/[^/]+\/channels/.test(String(url))) {
      var opened = false;
      socket.addEventListener("open", function () { opened = true; found(); });
      socket.addEventListener("close", function () {
        if (opened) { lost(false); return; }
        /* It never opened: if the server no longer has this page's kernel, say so now
           rather than after a minute of retries. */
        var kernel = String(url).replace(/^ws/, "http").replace(/\/channels([?#].*)?$/, "");
        fetch(kernel, { credentials: "same-origin", cache: "no-store" }).then(function (reply) {
          if (reply.status === 404) { lost(true); }
        }, function () { /* the server cannot be reached: the retries go on */ });
      });
      socket.addEventListener("message", function (event) {
        var state = statusOf(event.data);
        if (state === "dead" || state === "restarting" || state === "autorestarting") {
          lost(true);
        }
      });
    }
    return socket;
  }
  KitWebSocket.prototype = NativeWebSocket.prototype;
  ["CONNECTING", "OPEN", "CLOSING", "CLOSED"].forEach(function (name) {
    KitWebSocket[name] = NativeWebSocket[name];
  });
  window.WebSocket = KitWebSocket;
  /* The page's script could not reach its kernel at all (static/page.js). */
  window.addEventListener("coproduction:lost", function () { lost(true); });

  /* The tab open on the console comes back after "Connect again" or a reload (this tab
     only), instead of the first one. */
  var TAB = "coproduction-tab:" + window.location.pathname;
  document.addEventListener("click", function (event) {
    var tab = event.target.closest && event.target.closest(".coproduction-activities .lm-TabBar-tab");
    if (tab) {
      var index = Array.prototype.indexOf.call(tab.parentElement.children, tab);
      try { window.sessionStorage.setItem(TAB, String(index)); } catch (e) { /* storage off */ }
    }
  }, true);
  var openTab = null;
  try { openTab = window.sessionStorage.getItem(TAB); } catch (e) { openTab = null; }
  if (openTab && openTab !== "0") {
    var tabWatch = new MutationObserver(function () {
      var bar = document.querySelector(".coproduction-activities .lm-TabBar-content");
      var tab = bar && bar.children[Number(openTab)];
      var box = tab && tab.getBoundingClientRect();
      if (!box || !box.width) { return; }  /* not drawn yet: the next change looks again */
      tabWatch.disconnect();
      /* the tab bar finds the tab pressed by where the pointer is */
      var at = { bubbles: true, cancelable: true, button: 0,
                 clientX: box.left + box.width / 2, clientY: box.top + box.height / 2 };
      ["pointerdown", "pointerup"].forEach(function (kind) {
        tab.dispatchEvent(window.PointerEvent ? new PointerEvent(kind, at) : new MouseEvent(kind, at));
      });
    });
    document.addEventListener("DOMContentLoaded", function () {
      tabWatch.observe(document.body, { childList: true, subtree: true });
    });
    setTimeout(function () { tabWatch.disconnect(); }, 60000);
  }

  /* After "Connect again": put the kept typing back, box by box, as the page draws. */
  var drafts = null;
  try { drafts = JSON.parse(window.sessionStorage.getItem(DRAFTS) || "null"); } catch (e) { drafts = null; }
  if (drafts && Object.keys(drafts).length) {
    var restore = function () {
      var all = boxes(), put = 0;
      all.forEach(function (box) {
        var key = keyOf(box, all);
        if (drafts[key] !== undefined && !box.value && !box.disabled) {
          box.value = drafts[key];
          box.dispatchEvent(new Event("input", { bubbles: true }));
          box.dispatchEvent(new Event("change", { bubbles: true }));
          delete drafts[key];
          put += 1;
        }
      });
      if (put) {
        var note = document.getElementById("coproduction-drafts-back") || document.createElement("p");
        note.id = "coproduction-drafts-back";
        note.setAttribute("role", "status");
        note.className = "coproduction-drafts-back";
        note.textContent = word("put_back", "We put back what you had typed. It is saved " +
          "when you press the button next to it.");
        if (!note.parentNode) { document.body.insertBefore(note, document.body.firstChild); }
      }
      if (!Object.keys(drafts).length) {
        watcher.disconnect();
        try { window.sessionStorage.removeItem(DRAFTS); } catch (e) { /* storage off */ }
      }
    };
    var watcher = new MutationObserver(restore);
    document.addEventListener("DOMContentLoaded", function () {
      watcher.observe(document.body, { childList: true, subtree: true });
      restore();
    });
    /* Whatever could not be put back within a minute is let go. */
    setTimeout(function () {
      watcher.disconnect();
      try { window.sessionStorage.removeItem(DRAFTS); } catch (e) { /* storage off */ }
    }, 60000);
  }
})();
