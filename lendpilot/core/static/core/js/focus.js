// Keeps keyboard focus on the same item when HTMX redraws the part of the page around it: an item marked
// `data-focus-key` (a kanban card) that held the focus before the request gets it back after the swap, on its
// control of the same kind (the next move), so a keyboard user can go on where they were instead of starting again at
// the top of the page.
(function () {
  "use strict";
  let pendingKey = null;
  let pendingTag = null;
  const CONTROLS = "button:not([disabled]), a[href], input:not([type=hidden]), select, textarea, [tabindex]";

  document.addEventListener("htmx:beforeRequest", function () {
    const active = document.activeElement;
    const item = active && active.closest ? active.closest("[data-focus-key]") : null;
    pendingKey = item ? item.dataset.focusKey : null;
    pendingTag = item ? active.tagName.toLowerCase() : null;
  });

  // `htmx:load` fires on the new content once it is in the page (the form that sent the request may have been
  // swapped out with the old content, so its own after-swap events no longer reach the document).
  document.addEventListener("htmx:load", function () {
    if (!pendingKey) {
      return;
    }
    const key = pendingKey;
    pendingKey = null;
    const item = Array.from(document.querySelectorAll("[data-focus-key]")).find((el) => el.dataset.focusKey === key);
    if (!item) {
      return;
    }
    // The same kind of control as before (the card's next move after a move), else its first control.
    const controls = Array.from(item.querySelectorAll(CONTROLS));
    const control = controls.find((el) => el.tagName.toLowerCase() === pendingTag) || controls[0];
    if (control) {
      control.focus();
    } else {
      item.setAttribute("tabindex", "-1");
      item.focus();
    }
  });
})();
