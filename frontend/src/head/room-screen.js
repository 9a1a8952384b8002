/* coproduction: the room screen turns its own pages. A board taller than the wall moves
   on by most of a screen every PAGE_SECONDS, and back to the top after the last, so the
   whole room sees all of it without anyone at the computer scrolling. */
(function () {
  "use strict";
  var PAGE_SECONDS = 12;

  function scroller(screen) {
    for (var e = screen.parentElement; e; e = e.parentElement) {
      var style = getComputedStyle(e).overflowY;
      if ((style === "auto" || style === "scroll") && e.scrollHeight > e.clientHeight + 8) {
        return e;
      }
    }
    var root = document.scrollingElement;
    return root && root.scrollHeight > root.clientHeight + 8 ? root : null;
  }

  function turn() {
    var screen = document.querySelector(".coproduction-room-screen");
    if (!screen) {
      return;
    }
    var box = scroller(screen);
    if (!box) {
      return;
    }
    var calm = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)")
      .matches ? "auto" : "smooth";
    var last = box.scrollTop + box.clientHeight >= box.scrollHeight - 8;
    box.scrollTo({ top: last ? 0 : box.scrollTop + Math.round(box.clientHeight * 0.8),
                   behavior: calm });
  }

  document.addEventListener("DOMContentLoaded", function () {
    window.setInterval(turn, PAGE_SECONDS * 1000);
  });
})();
