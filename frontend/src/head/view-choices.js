/* coproduction: "Bigger text" and "Stronger colours", chosen by each person, kept on their device. */
(function () {
  "use strict";
  var VIEWS = ["large", "contrast"];
  var root = document.documentElement;

  function stored(view) {
    try {
      return window.localStorage.getItem("coproduction-view-" + view);
    } catch (error) {
      return null;  /* storage switched off: the choice lasts until the page closes */
    }
  }

  function apply(view, on) {
    root.classList.toggle("coproduction-" + view, on);
    document.querySelectorAll("[data-coproduction-view='" + view + "']").forEach(function (b) {
      b.setAttribute("aria-pressed", on ? "true" : "false");
    });
  }

  /* Before the page draws, so it never flashes in the other look. */
  VIEWS.forEach(function (view) {
    var choice = stored(view);
    var wanted = choice === null && view === "contrast" && window.matchMedia
      ? window.matchMedia("(prefers-contrast: more)").matches
      : choice === "on";
    apply(view, wanted);
  });

  document.addEventListener("DOMContentLoaded", function () {
    VIEWS.forEach(function (view) {
      apply(view, root.classList.contains("coproduction-" + view));
    });
    document.querySelectorAll("[data-coproduction-view]").forEach(function (button) {
      button.addEventListener("click", function () {
        var view = button.getAttribute("data-coproduction-view");
        var on = !root.classList.contains("coproduction-" + view);
        apply(view, on);
        try {
          window.localStorage.setItem("coproduction-view-" + view, on ? "on" : "off");
        } catch (error) {
          /* see stored() */
        }
      });
    });
  });
})();
