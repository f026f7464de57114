// Draws the case's diagram with bpmn-js, marks done, current and overdue elements, and lets the reader
// zoom and pan with the buttons under it or the keyboard (+ − 0 and the arrow keys) and find the current step.
(function () {
  "use strict";
  var container = document.getElementById("diagram");
  if (!container || !window.BpmnJS) { return; }
  var viewer = new window.BpmnJS({ container: container });
  var canvas, registry, current = [];
  // Below this zoom the labels cannot be read: the reader starts at the current step instead of the whole.
  var READABLE = 0.75, STEP = 1.25, PAN = 80;

  function fit() { canvas.zoom("fit-viewport", "auto"); }
  function zoomBy(factor) { canvas.zoom(Math.min(4, Math.max(0.2, canvas.zoom() * factor))); }
  function showCurrent() {
    var element = current.map(function (id) { return registry.get(id); }).filter(Boolean)[0];
    if (!element) { fit(); return; }
    // The current step in the middle, at a zoom where its label reads.
    var outer = canvas.viewbox().outer, zoom = Math.max(canvas.zoom(), 1);
    var width = outer.width / zoom, height = outer.height / zoom;
    canvas.viewbox({ x: element.x + element.width / 2 - width / 2, y: element.y + element.height / 2 - height / 2,
                     width: width, height: height });
  }
  var actions = { "zoom-in": function () { zoomBy(STEP); }, "zoom-out": function () { zoomBy(1 / STEP); },
                  "fit": fit, "current": showCurrent };

  document.querySelectorAll("[data-diagram-action]").forEach(function (button) {
    button.addEventListener("click", function () {
      if (canvas) { actions[button.dataset.diagramAction](); }
    });
  });
  container.addEventListener("keydown", function (event) {
    if (!canvas) { return; }
    var moves = { ArrowLeft: [PAN, 0], ArrowRight: [-PAN, 0], ArrowUp: [0, PAN], ArrowDown: [0, -PAN] };
    if (moves[event.key]) { canvas.scroll({ dx: moves[event.key][0], dy: moves[event.key][1] }); }
    else if (event.key === "+" || event.key === "=") { zoomBy(STEP); }
    else if (event.key === "-") { zoomBy(1 / STEP); }
    else if (event.key === "0") { fit(); }
    else { return; }
    event.preventDefault();
  });

  // A lane's name is a role key ("leaders_leader"): show the role's name instead.
  function withRoleNames(xml, roles) {
    var doc = new DOMParser().parseFromString(xml, "application/xml");
    var lanes = doc.getElementsByTagNameNS("http://www.omg.org/spec/BPMN/20100524/MODEL", "lane");
    Array.prototype.forEach.call(lanes, function (lane) {
      var key = lane.getAttribute("name");
      if (key && roles[key]) { lane.setAttribute("name", roles[key]); }
    });
    return new XMLSerializer().serializeToString(doc);
  }

  // On a phone the diagram is hidden and a list of steps stands in its place: draw it only once it can be seen.
  var loading = false;
  function loadWhenShown() {
    if (loading || container.clientWidth === 0) { return; }
    loading = true;
    window.removeEventListener("resize", loadWhenShown);
    load();
  }
  window.addEventListener("resize", loadWhenShown);
  loadWhenShown();

  function load() {
    fetch(container.dataset.src, { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      })
      .then(function (state) {
        return viewer.importXML(withRoleNames(state.xml, state.roles || {})).then(function () { return state; });
      })
      .then(function (state) {
        canvas = viewer.get("canvas");
        registry = viewer.get("elementRegistry");
        function mark(ids, cls) {
          ids.forEach(function (id) { if (registry.get(id)) { canvas.addMarker(id, cls); } });
        }
        mark(state.completed, "vaern-completed");
        mark(state.current, "vaern-current");
        mark(state.overdue, "vaern-overdue");
        mark(state.changed || [], "vaern-changed");  // a draft's preview: what it changes
        current = state.overdue.concat(state.current);
        fit();
        if (canvas.zoom() < READABLE && current.length) { showCurrent(); }
        container.setAttribute("data-ready", "true");
      })
      .catch(function (error) {
        container.textContent = container.dataset.error || String(error);
        container.setAttribute("data-ready", "error");
      });
  }
})();
