// bpmnlint's recommended rules (the configuration of the lint gate, tests/lint/.bpmnlintrc, copied to
// bpmnlintrc.json: a test keeps them the same) run in the page on every change, so a process owner sees what
// bpmn.io's linter would say before saving; its reports are shown with the server's problems.
import Linter from "bpmnlint/lib/linter";

import RECOMMENDED from "bpmnlint/config/recommended";
import CONFIG from "./bpmnlintrc.json";

// The rules bundled statically: the page has no file system to resolve them from.
var RULES = {
  "ad-hoc-sub-process": require("bpmnlint/rules/ad-hoc-sub-process"),
  "conditional-flows": require("bpmnlint/rules/conditional-flows"),
  "end-event-required": require("bpmnlint/rules/end-event-required"),
  "event-based-gateway": require("bpmnlint/rules/event-based-gateway"),
  "event-sub-process-typed-start-event": require("bpmnlint/rules/event-sub-process-typed-start-event"),
  "fake-join": require("bpmnlint/rules/fake-join"),
  "global": require("bpmnlint/rules/global"),
  "label-required": require("bpmnlint/rules/label-required"),
  "link-event": require("bpmnlint/rules/link-event"),
  "no-bpmndi": require("bpmnlint/rules/no-bpmndi"),
  "no-complex-gateway": require("bpmnlint/rules/no-complex-gateway"),
  "no-disconnected": require("bpmnlint/rules/no-disconnected"),
  "no-duplicate-sequence-flows": require("bpmnlint/rules/no-duplicate-sequence-flows"),
  "no-gateway-join-fork": require("bpmnlint/rules/no-gateway-join-fork"),
  "no-implicit-split": require("bpmnlint/rules/no-implicit-split"),
  "no-implicit-end": require("bpmnlint/rules/no-implicit-end"),
  "no-implicit-start": require("bpmnlint/rules/no-implicit-start"),
  "no-inclusive-gateway": require("bpmnlint/rules/no-inclusive-gateway"),
  "no-overlapping-elements": require("bpmnlint/rules/no-overlapping-elements"),
  "single-blank-start-event": require("bpmnlint/rules/single-blank-start-event"),
  "single-event-definition": require("bpmnlint/rules/single-event-definition"),
  "start-event-required": require("bpmnlint/rules/start-event-required"),
  "sub-process-blank-start-event": require("bpmnlint/rules/sub-process-blank-start-event"),
  "superfluous-gateway": require("bpmnlint/rules/superfluous-gateway"),
  "superfluous-label": require("bpmnlint/rules/superfluous-label"),
  "superfluous-termination": require("bpmnlint/rules/superfluous-termination"),
};

var resolver = {
  resolveRule: function (pkg, name) {
    if (pkg !== "bpmnlint" || !RULES[name]) { throw new Error("unknown bpmnlint rule " + pkg + "/" + name); }
    return RULES[name];
  },
  resolveConfig: function (pkg, name) {
    if (pkg !== "bpmnlint" || name !== "recommended") { throw new Error("unknown bpmnlint config " + pkg + "/" + name); }
    return RECOMMENDED;
  }
};


// Every report of the diagram as { element_id, name, text, source } (warnings and errors alike, as the gate has
// --max-warnings=0), with the rule's sentence in the reader's language where one is known.
export function lintProblems(modeler, translate) {
  var definitions = modeler.getDefinitions();
  var registry = modeler.get("elementRegistry");
  // A linter of its own each time: a linter keeps its rules, and some rules (no-duplicate-sequence-flows) keep
  // what they saw, so a second run over the same diagram would report every flow as a duplicate.
  var linter = new Linter({ config: CONFIG, resolver: resolver });
  return linter.lint(definitions).then(function (reports) {
    var found = [];
    Object.keys(reports).sort().forEach(function (rule) {
      reports[rule].forEach(function (report) {
        var element = report.id && registry.get(report.id);
        var name = element && element.businessObject && element.businessObject.name;
        var known = translate("bpmnlint:" + rule);
        found.push({ element_id: report.id || null, name: name || null, line: null, source: "bpmnlint",
                     text: (known === "bpmnlint:" + rule ? report.message : known) + " (bpmnlint: " + rule + ")",
                     hint: null });
      });
    });
    return found;
  });
}
