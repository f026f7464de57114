// Each problem of a saved draft on its element in the canvas (a marker and a badge), and as a list to jump from.
var shown = [];

export function showProblems(modeler, problems, data) {
  var canvas = modeler.get("canvas"), overlays = modeler.get("overlays"), registry = modeler.get("elementRegistry");
  var selection = modeler.get("selection");
  shown.forEach(function (id) { if (registry.get(id)) { canvas.removeMarker(id, "vaern-problem"); } });
  overlays.remove({ type: "vaern-problem" });
  shown = [];
  var list = document.getElementById("problems"), summary = document.getElementById("problems-summary");
  list.textContent = "";
  problems = problems || [];
  summary.textContent = problems.length ? data.textProblems.replace("{n}", problems.length) : data.textNoProblems;
  problems.forEach(function (problem) {
    // A form field's problem names "task.field": it is shown on the task.
    var element = problem.element_id && (registry.get(problem.element_id) ||
                                         registry.get(problem.element_id.split(".")[0]));
    var item = document.createElement("li");
    item.className = "problem";
    if (problem.element_id) { item.dataset.element = problem.element_id; }
    item.dataset.source = problem.source || "vaern";
    var button = document.createElement("button");
    button.type = "button";
    button.className = "link";
    button.textContent = where(problem, data) + problem.text;
    item.appendChild(button);
    if (problem.hint) {
      var hint = document.createElement("span");
      hint.className = "problem-hint";
      hint.textContent = " " + data.textSuggestion + " " + problem.hint;
      item.appendChild(hint);
    }
    list.appendChild(item);
    if (!element) { button.disabled = !problem.element_id; return; }
    if (shown.indexOf(element.id) < 0) {
      canvas.addMarker(element.id, "vaern-problem");
      var badge = document.createElement("div");
      badge.className = "vaern-problem-badge";
      badge.textContent = "!";
      badge.title = problem.text;
      overlays.add(element.id, "vaern-problem", { position: { top: -10, right: 10 }, html: badge });
      shown.push(element.id);
    }
    button.addEventListener("click", function () {
      // A task or an event is brought up to a zoom where its label reads; a lane or a pool stays as it is.
      if (element.width < 400 && element.height < 300 && canvas.zoom() < 1) { canvas.zoom(1); }
      canvas.scrollToElement(element);
      selection.select(element);
    });
  });
  return problems;
}

// "»Partshøring« (Task_hear), line 91: " — the name as the canvas shows it, the id and line as the XML has them.
function where(problem, data) {
  var parts = [];
  if (problem.name) { parts.push("»" + problem.name + "«"); }
  if (problem.element_id) { parts.push(problem.name ? "(" + problem.element_id + ")" : problem.element_id); }
  var place = parts.join(" ");
  if (problem.line) { place += (place ? ", " : "") + data.textLine.replace("{n}", problem.line); }
  return place ? place + ": " : "";
}
