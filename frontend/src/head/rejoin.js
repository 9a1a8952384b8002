/* coproduction: keep the participant's rejoin key in the address bar and on this device. */
(function () {
  "use strict";
  var KEY_PATTERN = /^[A-Za-z0-9_-]{1,200}$/;  /* URL-safe base64 only */
  var applied = null;

  function remember(key) {
    var url = new URL(window.location.href);
    if (url.searchParams.get("me") !== key) {
      url.searchParams.set("me", key);  /* replaces an old key, keeps every other parameter */
      window.history.replaceState(window.history.state, "", url.toString());
    }
    try {
      window.localStorage.setItem("coproduction-key:" + (url.searchParams.get("code") || ""), key);
    } catch (error) {
      /* storage can be switched off (private browsing): the address bar still carries the key */
    }
    applied = key;
  }


  /* A page opened without its key (the link opened again, a new tab, a bookmark): offer
     the key this device kept to the page, once, through its hidden box. The page lets
     the same person back in, or shows the door when the key no longer opens it. */
  function offerKept() {
    var box = document.querySelector(".coproduction-stored-key input");
    if (!box || box.getAttribute("data-offered")) {
      return;
    }
    box.setAttribute("data-offered", "yes");
    var url = new URL(window.location.href);
    if (url.searchParams.get("me")) {
      return;  /* the address carries the key already */
    }
    var kept = null;
    try {
      kept = window.localStorage.getItem("coproduction-key:" + (url.searchParams.get("code") || ""));
    } catch (error) {
      kept = null;  /* storage switched off: the person joins again */
    }
    if (kept && KEY_PATTERN.test(kept)) {
      box.value = kept;
      box.dispatchEvent(new Event("input", { bubbles: true }));
    }
  }

  /* "I am not ...": this device forgets the key it kept, and the address drops it. */
  function forget() {
    var url = new URL(window.location.href);
    try {
      window.localStorage.removeItem("coproduction-key:" + (url.searchParams.get("code") || ""));
    } catch (error) {
      /* storage switched off: there is nothing kept */
    }
    if (url.searchParams.has("me")) {
      url.searchParams.delete("me");
      window.history.replaceState(window.history.state, "", url.toString());
    }
    applied = null;
  }

  function check() {
    if (document.querySelector(".coproduction-forget-key")) {
      forget();
      return;
    }
    offerKept();
    var element = document.querySelector(".coproduction-rejoin-key");
    if (!element) {
      return;
    }
    var key = (element.textContent || "").trim();
    if (key && key !== applied && KEY_PATTERN.test(key)) {
      remember(key);
    }
  }

  new MutationObserver(check).observe(document.documentElement, {
    childList: true, subtree: true, characterData: true
  });
  check();
})();
