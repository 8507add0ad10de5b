// The naming application's admin page: show the inputs of the chosen step only (the select carries
// {step: [field names]} in data-step-inputs). Without this script every input is shown.
(function () {
  "use strict";
  function update(select) {
    var inputs = JSON.parse(select.dataset.stepInputs || "{}");
    var wanted = inputs[select.value] || [];
    var all = {};
    Object.keys(inputs).forEach(function (step) {
      inputs[step].forEach(function (name) { all[name] = true; });
    });
    Object.keys(all).forEach(function (name) {
      document.querySelectorAll(".form-row.field-" + name + ", .form-row .fieldBox.field-" + name).forEach(function (row) {
        row.hidden = wanted.indexOf(name) < 0;
      });
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var select = document.getElementById("id_step");
    if (!select) { return; }
    update(select);
    select.addEventListener("change", function () { update(select); });
  });
})();
