/* coproduction: a panel's message appears beside the control that was pressed, and is
   announced to screen readers; a pause alert puts itself in the tab's title. */
(function () {
  "use strict";
  var pressed = null;
  var pressedAt = 0;
  var near = null;
  var title = null;

  document.addEventListener("click", function (event) {
    var control = event.target.closest && event.target.closest("button, .widget-toggle-button");
    if (control && control.closest(".coproduction-panel")) {
      pressed = control;
      pressedAt = Date.now();
    }
  }, true);

  function panelOf(element) {
    return element.closest(".coproduction-panel");
  }

  /* While its copy stands beside the control, the panel's own message is hidden, so the
     page does not say it twice (nor a screen reader). */
  var movedFrom = null;
  function moved(message, away) {
    if (movedFrom && movedFrom !== message && movedFrom.hidden) {
      movedFrom.hidden = false;
    }
    movedFrom = away ? message : null;
    if (message.hidden !== away) {
      message.hidden = away;
    }
  }

  function showNear(message) {
    var text = (message.textContent || "").trim();
    if (!pressed || !document.contains(pressed) || Date.now() - pressedAt > 10000 ||
        panelOf(message) !== panelOf(pressed)) {
      moved(message, false);
      return;
    }
    if (!near) {
      near = document.createElement("div");
      near.setAttribute("role", "status");
      near.setAttribute("aria-live", "polite");
    }
    near.className = "coproduction-near " + Array.prototype.filter.call(
      message.classList, function (c) { return c.indexOf("coproduction-message-") === 0; }
    ).join(" ");
    near.textContent = text;
    /* after the row the control sits in, so a row of buttons stays a row */
    var row = pressed.parentElement && pressed.parentElement.classList.contains("widget-hbox")
      ? pressed.parentElement : pressed;
    /* the panel's own message is right there already: no second copy */
    var gap = message.getBoundingClientRect().top - row.getBoundingClientRect().bottom;
    if (!message.hidden && gap >= -2 && gap < 60) {
      near.hidden = true;
      moved(message, false);
      return;
    }
    if (near.previousElementSibling !== row) {
      row.insertAdjacentElement("afterend", near);
    }
    near.hidden = !text;
    moved(message, Boolean(text));
  }

  /* The facilitator moved the room on: show the new activity from its top. */
  var activityShown = null;
  function followActivity() {
    var title = document.querySelector(".coproduction-activity-title");
    var now = title ? (title.textContent || "").trim() : null;
    if (now && activityShown !== null && now !== activityShown) {
      title.scrollIntoView({ block: "start" });
    }
    activityShown = now;
  }

  /* The tab says which workshop this is, not the notebook's file name. */
  function pageTitle() {
    /* the workshop's name; on the room screen, what it shows now */
    var workshop = document.querySelector(
      ".coproduction-workshop-title, .coproduction-screen-title");
    var words = workshop && (workshop.textContent || "").trim();
    if (words && title !== words) {
      title = words;
    }
  }

  function pauseInTitle() {
    if (!document.body) {
      return;  /* the page is still arriving */
    }
    var alert = document.querySelector(".coproduction-pause-alert");
    var showing = Boolean(alert && alert.getClientRects().length);  /* shown: it has a box */
    if (title === null) {
      title = document.title;
    }
    pageTitle();
    var wanted = showing ? (window.coproductionWord ? window.coproductionWord(
      "pause_title", "Someone needs a pause") : "Someone needs a pause") + " - " + title : title;
    if (document.title !== wanted) {
      document.title = wanted;
    }
    /* the banner lies over the page: the whole page (its "Bigger text" buttons too)
       moves down under it, so nothing hides there */
    var room = showing ? Math.ceil(alert.getBoundingClientRect().height) + "px" : "";
    if (document.body.style.getPropertyValue("padding-top") !== room) {
      if (room) {
        document.body.style.setProperty("padding-top", room, "important");
      } else {
        document.body.style.removeProperty("padding-top");
      }
    }
  }

  new MutationObserver(function (records) {
    records.forEach(function (record) {
      var node = record.target.nodeType === 3 ? record.target.parentElement : record.target;
      var message = node && node.closest && node.closest(".coproduction-message");
      if (message && message.parentElement && !message.closest(".coproduction-near")) {
        showNear(message);
      }
    });
    pauseInTitle();
    followActivity();
  }).observe(document.documentElement, {
    childList: true, subtree: true, characterData: true, attributes: true,
    attributeFilter: ["class", "style"]
  });
})();
