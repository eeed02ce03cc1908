// Staff console: show the chosen way of writing an answer field, add and remove list items.
// The form works without this file; it only makes editing lists and variants convenient.
(function () {
  "use strict";

  function directPanels(fieldset) {
    return Array.prototype.filter.call(fieldset.children, function (el) {
      return el.classList && el.classList.contains("variant");
    });
  }

  document.addEventListener("change", function (event) {
    var select = event.target;
    if (!select.classList || !select.classList.contains("variant-select")) return;
    var fieldset = select.closest("fieldset.fact");
    directPanels(fieldset).forEach(function (panel) {
      panel.hidden = panel.getAttribute("data-variant") !== select.value;
    });
  });

  document.addEventListener("click", function (event) {
    var button = event.target;
    if (!button.classList) return;
    if (button.classList.contains("add")) {
      var list = button.closest("fieldset.list");
      var items = list.querySelector(":scope > .items");
      var template = list.querySelector(":scope > template");
      var next = parseInt(list.getAttribute("data-next") || items.children.length, 10);
      list.setAttribute("data-next", String(next + 1));
      var html = template.innerHTML.split(list.getAttribute("data-placeholder")).join(String(next));
      items.insertAdjacentHTML("beforeend", html);
      var first = items.lastElementChild && items.lastElementChild.querySelector("input, textarea, select");
      if (first) first.focus();
    } else if (button.classList.contains("remove")) {
      var item = button.closest("fieldset.item");
      if (item) item.remove();
    }
  });
})();
