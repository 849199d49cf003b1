// The box beside "Stamnummer" on the pupil list. Checked, the form asks for every pupil
// of the filter, on every page (the server reads name="all"); the rows of this page are
// ticked too, so that what the administrator sees is what is sent. Unticking one row
// means "not everyone", so the header box is cleared and only the ticked rows are sent.
// Without script the header box still works; the rows simply stay as they are.
(function () {
  "use strict";
  var all = document.getElementById("select-all");
  if (!all) return;
  var rows = Array.prototype.slice.call(document.querySelectorAll("input.select-one"));

  all.addEventListener("change", function () {
    rows.forEach(function (row) { row.checked = all.checked; });
  });
  rows.forEach(function (row) {
    row.addEventListener("change", function () {
      if (!row.checked) all.checked = false;
    });
  });
  if (all.checked) rows.forEach(function (row) { row.checked = true; });
})();
