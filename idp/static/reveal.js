// "Show password" for the password step. The field is a text field, so that browsers
// neither save nor suggest the word passwords of shared tablets; this script hides what
// is typed, as a password field would, and adds a button that shows it while pressed.
// Without script, or where the browser cannot hide text in a text field, the text
// simply stays visible.
(function () {
  "use strict";
  var field = document.querySelector("input[data-reveal]");
  var HIDE = "-webkit-text-security";
  if (!field || !window.CSS || !CSS.supports(HIDE, "disc")) return;
  var button = document.createElement("button");
  button.type = "button";
  button.className = "button secondary reveal";
  button.textContent = field.dataset.reveal;
  button.setAttribute("aria-controls", field.id);

  function show(visible) {
    // Through the CSS object model: allowed under the page's Content-Security-Policy,
    // which refuses inline style attributes.
    field.style.setProperty(HIDE, visible ? "none" : "disc");
    button.setAttribute("aria-pressed", visible ? "true" : "false");
  }

  button.addEventListener("click", function () {
    show(button.getAttribute("aria-pressed") !== "true");
    field.focus();
  });
  show(false);
  button.style.marginTop = ".5rem";
  field.insertAdjacentElement("afterend", button);
})();
