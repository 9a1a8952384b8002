/* coproduction: on the language board, tapping a word in the text puts it in "Another
   hard word?", ready to add: no typing on a phone. Marked words are on the board already. */
(function () {
  "use strict";
  var LETTER = /[\p{L}\p{N}'\u2019-]/u;
  document.addEventListener("click", function (event) {
    var text = event.target.closest && event.target.closest(
      ".coproduction-language-board .coproduction-text-body");
    if (!text || event.target.closest("mark") || !document.caretRangeFromPoint) {
      return;
    }
    var range = document.caretRangeFromPoint(event.clientX, event.clientY);
    if (!range || range.startContainer.nodeType !== 3) {
      return;
    }
    var words = range.startContainer.textContent, start = range.startOffset, end = start;
    while (start > 0 && LETTER.test(words[start - 1])) { start -= 1; }
    while (end < words.length && LETTER.test(words[end])) { end += 1; }
    var word = words.slice(start, end).replace(/^['\u2019-]+|['\u2019-]+$/g, "");
    var box = text.closest(".coproduction-language-board")
      .querySelector(".coproduction-flag-input input");
    if (!word || !box || box.disabled) {
      return;
    }
    box.value = word;
    // The box sends its value when it changes (not on every key): say both.
    box.dispatchEvent(new Event("input", { bubbles: true }));
    box.dispatchEvent(new Event("change", { bubbles: true }));
    box.scrollIntoView({ block: "center" });
    box.focus();
  });
})();
