// The picture grid: remember whether a button was pressed with the keyboard, so that only
// then the next page puts the focus on its first picture. After a tap or a click nothing
// has the focus, so no picture looks chosen (or hinted at) before the child taps it.
// A click from the keyboard (Enter, Space) or a screen reader has detail 0.
for (const form of document.querySelectorAll("form.pictures")) {
  form.addEventListener("click", (event) => {
    if (event.target.closest("button")) {
      form.elements.keyboard.value = event.detail === 0 ? "1" : "";
    }
  });
}
