// Draws the case's diagram with bpmn-js and marks done, current and overdue elements.
(function () {
  "use strict";
  var container = document.getElementById("diagram");
  if (!container || !window.BpmnJS) { return; }
  var viewer = new window.BpmnJS({ container: container });
  fetch(container.dataset.src, { credentials: "same-origin" })
    .then(function (response) {
      if (!response.ok) { throw new Error("HTTP " + response.status); }
      return response.json();
    })
    .then(function (state) {
      return viewer.importXML(state.xml).then(function () { return state; });
    })
    .then(function (state) {
      var canvas = viewer.get("canvas");
      var registry = viewer.get("elementRegistry");
      function mark(ids, cls) {
        ids.forEach(function (id) { if (registry.get(id)) { canvas.addMarker(id, cls); } });
      }
      mark(state.completed, "vaern-completed");
      mark(state.current, "vaern-current");
      mark(state.overdue, "vaern-overdue");
      canvas.zoom("fit-viewport");
      container.setAttribute("data-ready", "true");
    })
    .catch(function (error) {
      container.textContent = container.dataset.error || String(error);
      container.setAttribute("data-ready", "error");
    });
})();
