/* coproduction: the page's language. The kernel puts it in a hidden element
   (".coproduction-page-language": {"lang", "dir", "words"}); this script sets the page's
   lang and dir (right to left for Urdu), keeps the choice on this device, and gives the
   template's own few words (and the other head scripts', through
   window.coproductionWord) in that language. Before the kernel has spoken, the words
   this device kept from last time are used, so a reload never flashes English. A page
   opened afresh is offered the kept language, once, through its hidden
   "coproduction-stored-language" box. */
(function () {
  "use strict";
  var KEPT = "coproduction-language";
  var CODE = /^[a-z]{2,3}(_[A-Z]{2})?$|^qps$/;
  var words = {};
  var applied = null;

  function kept() {
    try {
      return JSON.parse(window.localStorage.getItem(KEPT) || "null");
    } catch (error) {
      return null;  /* storage switched off, or nothing kept yet */
    }
  }

  window.coproductionWord = function (key, english) {
    return typeof words[key] === "string" && words[key] ? words[key] : english;
  };

  function showWords() {
    document.querySelectorAll("[data-coproduction-word]").forEach(function (element) {
      var key = element.getAttribute("data-coproduction-word");
      if (typeof words[key] === "string" && words[key]) {
        element.textContent = words[key];
      }
    });
    var group = document.querySelector(".coproduction-view-switch [role=group]");
    if (group && words.views) {
      group.setAttribute("aria-label", words.views);
    }
  }

  function apply(said) {
    if (!said || !CODE.test(said.lang || "")) {
      return;
    }
    var root = document.documentElement;
    root.lang = said.lang === "qps" ? "en" : said.lang.replace("_", "-");
    root.dir = said.dir === "rtl" ? "rtl" : "ltr";
    words = said.words && typeof said.words === "object" ? said.words : {};
    showWords();
  }

  function offerKept(said) {
    var box = document.querySelector(".coproduction-stored-language input");
    if (!box || box.getAttribute("data-offered")) {
      return;
    }
    box.setAttribute("data-offered", "yes");
    if (said && CODE.test(said.lang || "")) {
      box.value = said.lang;
      box.dispatchEvent(new Event("input", { bubbles: true }));
    }
  }

  function check() {
    var element = document.querySelector(".coproduction-page-language");
    offerKept(kept());
    if (!element) {
      return;
    }
    var text = (element.textContent || "").trim();
    if (!text || text === applied) {
      return;
    }
    var said = null;
    try {
      said = JSON.parse(text);
    } catch (error) {
      return;
    }
    apply(said);
    /* On the door, the language kept from last time is offered first: until the page has
       taken it, what the door shows is not yet this person's choice, so it is not kept. */
    var box = document.querySelector(".coproduction-stored-language input");
    if (document.querySelector(".coproduction-join") &&
        !(box && box.getAttribute("data-offered"))) {
      return;
    }
    applied = text;
    try {
      window.localStorage.setItem(KEPT, JSON.stringify(said));
    } catch (error) {
      /* storage switched off: the page still speaks it until it closes */
    }
  }

  apply(kept());
  document.addEventListener("DOMContentLoaded", function () {
    showWords();
    check();
  });
  new MutationObserver(check).observe(document.documentElement, {
    childList: true, subtree: true, characterData: true
  });
})();
