// The inspection form's hazard rows: add a row from the empty-form template, remove a row.
// A removed row is hidden and its DELETE field set, so the formset neither checks nor saves it.
(function () {
  "use strict";

  function init() {
    var container = document.getElementById("hazard-forms");
    var template = document.getElementById("hazard-empty-form");
    if (!container || !template) { return; }
    var prefix = container.dataset.prefix;
    var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
    var maxForms = document.getElementById("id_" + prefix + "-MAX_NUM_FORMS");

    document.querySelectorAll("[data-add-hazard]").forEach(function (button) {
      button.addEventListener("click", function () {
        var index = parseInt(total.value, 10);
        if (maxForms && index >= parseInt(maxForms.value, 10)) { return; }
        var html = template.innerHTML.replace(/__prefix__/g, String(index));
        container.insertAdjacentHTML("beforeend", html);
        total.value = String(index + 1);
        var added = container.lastElementChild;
        var first = added && added.querySelector("textarea, input, select");
        if (first) { first.focus(); }
      });
    });

    container.addEventListener("click", function (event) {
      var button = event.target.closest("[data-remove-hazard]");
      if (!button) { return; }
      var row = button.closest(".hazard-form");
      if (!row) { return; }
      var deletion = row.querySelector("input[name$='-DELETE']");
      if (deletion) { deletion.value = "1"; }
      row.classList.add("d-none");
    });
  }

  document.addEventListener("DOMContentLoaded", init);
})();
