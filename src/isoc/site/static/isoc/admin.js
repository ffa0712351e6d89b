// isoc: where Django's admin falls short of WCAG 2.2 AA (found by axe-core in tests/e2e/test_a11y.py).
(function () {
  "use strict";
  // The filter boxes of many-to-many fields (filter_horizontal) put an aria-label on a
  // bare <span> icon, where ARIA forbids it and screen readers ignore it: name it an image.
  // Django builds those boxes on "load"; this listener is added later, so it runs after.
  window.addEventListener("load", function () {
    document.querySelectorAll("span.help-tooltip[aria-label]:not([role])").forEach(function (icon) {
      icon.setAttribute("role", "img");
    });
  });
})();
