/* coproduction: names, states and keys that ipywidgets leaves out (see the note at the top). */
(function () {
  "use strict";
  var made = 0;

  function idOf(element) {
    if (!element.id) {
      made += 1;
      element.id = "coproduction-named-" + made;
    }
    return element.id;
  }

  function set(element, name, value) {
    if (element.getAttribute(name) !== value) {
      element.setAttribute(name, value);
    }
  }

  function openOrClose(event) {
    if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();  /* Space would scroll the page */
      event.currentTarget.click();
    }
  }

  function fix() {
    /* A question and its answer (widgets.base.asked): the question is the answer's name. */
    document.querySelectorAll(".coproduction-asked").forEach(function (group) {
      var question = group.querySelector(":scope > .coproduction-question");
      var answer = question && question.nextElementSibling;
      if (!answer) {
        return;
      }
      var id = idOf(question);
      if (answer.matches(".widget-toggle-buttons, .widget-radio")) {
        set(answer, "role", answer.matches(".widget-radio") ? "radiogroup" : "group");
        set(answer, "aria-labelledby", id);
        return;
      }
      var targets = answer.matches("img, input, select, textarea") ? [answer]
        : answer.querySelectorAll("img, input, select, textarea");
      targets.forEach(function (target) {
        set(target, "aria-labelledby", id);
      });
    });
    /* A group of toggle or radio buttons with a description of its own: that is its name. */
    document.querySelectorAll(".widget-toggle-buttons, .widget-radio").forEach(function (group) {
      var own = group.querySelector(":scope > label.widget-label");
      if (own && own.textContent.trim() && !group.closest(".coproduction-asked")) {
        set(group, "role", group.matches(".widget-radio") ? "radiogroup" : "group");
        set(group, "aria-labelledby", idOf(own));
      }
    });
    /* Toggle buttons say whether they are chosen. */
    document.querySelectorAll(".widget-toggle-button").forEach(function (button) {
      set(button, "aria-pressed", button.classList.contains("mod-active") ? "true" : "false");
    });
    /* Fold-away parts open with Enter or Space, and say whether they are open. */
    document.querySelectorAll(".jupyter-widget-Collapse-header").forEach(function (header) {
      if (!header.hasAttribute("tabindex")) {
        header.setAttribute("tabindex", "0");
        header.setAttribute("role", "button");
        header.addEventListener("keydown", openOrClose);
      }
      var contents = header.nextElementSibling;
      if (contents) {
        set(header, "aria-controls", idOf(contents));
        set(header, "aria-expanded",
            contents.classList.contains("lm-mod-hidden") ? "false" : "true");
      }
    });
    /* Icons are decoration: the words beside them say it all. */
    document.querySelectorAll("i.fa").forEach(function (icon) {
      set(icon, "aria-hidden", "true");
    });
  }

  /* Widgets draw and redraw at any time; class changes carry their state. */
  new MutationObserver(fix).observe(document.documentElement, {
    childList: true, subtree: true, attributes: true, attributeFilter: ["class"]
  });
})();
