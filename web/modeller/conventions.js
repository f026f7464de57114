// What docs/diagram-conventions.md asks of a diagram, as fields of the panel's "vaern" group: an element's
// requirement IDs (the [V-H5] tags its documentation starts with), a notice's roles and kind (the `notify` and
// `notice` extension properties), a user task's hearing material (`hearing_material`), and a timer's duration
// typed as "5 arbejdsdage" or an ISO duration, checked as it is typed.
import {
  CheckboxEntry, SelectEntry, TextFieldEntry, isCheckboxEntryEdited, isSelectEntryEdited, isTextFieldEntryEdited
} from "@bpmn-io/properties-panel";
import { h } from "@bpmn-io/properties-panel/preact";
import { useService } from "bpmn-js-properties-panel";

import { settingsOf } from "./settings.js";

var TAGS = /^\s*((?:\[[A-Za-z0-9-]+\]\s*)+)/;
var WORKING_DAYS = /^\s*\d+\s+(arbejdsdage?|working days?)\s*$/i;
var ISO_DURATION = /^P(?=\d|T\d)(\d+([.,]\d+)?Y)?(\d+([.,]\d+)?M)?(\d+([.,]\d+)?W)?(\d+([.,]\d+)?D)?(T(?=\d)(\d+([.,]\d+)?H)?(\d+([.,]\d+)?M)?(\d+([.,]\d+)?S)?)?$/;
var NAMES = /^\s*[A-Za-z][A-Za-z0-9_]*(\s*,\s*[A-Za-z][A-Za-z0-9_]*)*\s*$/;
var NOTICE_KINDS = ["reminder", "overdue", "escalated"];

function type(element) { return element && element.businessObject && element.businessObject.$type; }

// --- camunda:properties: read and write one named property of an element
function propertiesOf(businessObject) {
  var values = (businessObject.extensionElements && businessObject.extensionElements.values) || [];
  return values.filter(function (v) { return v.$type === "camunda:Properties"; })[0];
}

export function propertyOf(businessObject, name) {
  var properties = propertiesOf(businessObject);
  var found = properties && (properties.values || []).filter(function (p) { return (p.name || p.id) === name; })[0];
  return found ? found.value || "" : "";
}

function setProperty(services, element, name, value) {
  var modeling = services.modeling, factory = services.bpmnFactory, bo = element.businessObject;
  var extension = bo.extensionElements;
  if (!extension) {
    if (!value) { return; }
    extension = factory.create("bpmn:ExtensionElements", { values: [] });
    extension.$parent = bo;
    modeling.updateModdleProperties(element, bo, { extensionElements: extension });
  }
  var properties = propertiesOf(bo);
  if (!properties) {
    if (!value) { return; }
    properties = factory.create("camunda:Properties", { values: [] });
    properties.$parent = extension;
    modeling.updateModdleProperties(element, extension, { values: (extension.values || []).concat(properties) });
  }
  var property = (properties.values || []).filter(function (p) { return (p.name || p.id) === name; })[0];
  if (!value) {
    if (property) {
      modeling.updateModdleProperties(element, properties, {
        values: properties.values.filter(function (p) { return p !== property; }) });
    }
  } else if (property) {
    modeling.updateModdleProperties(element, property, { value: value });
  } else {
    property = factory.create("camunda:Property", { name: name, value: value });
    property.$parent = properties;
    modeling.updateModdleProperties(element, properties, { values: (properties.values || []).concat(property) });
  }
}

function useServices() {
  return { modeling: useService("modeling"), bpmnFactory: useService("bpmnFactory"),
           translate: useService("translate"), debounce: useService("debounceInput") };
}

// --- requirement IDs: the tags the documentation starts with
function documentationOf(businessObject) { return (businessObject.documentation || [])[0]; }

export function tagsOf(businessObject) {
  var documentation = documentationOf(businessObject), match = TAGS.exec((documentation && documentation.text) || "");
  return match ? match[1].match(/[A-Za-z0-9-]+/g) : [];
}

function RequirementEntry(props) {
  var element = props.element, s = useServices(), bo = element.businessObject;
  return h(TextFieldEntry, {
    element: element, id: "vaernRequirements", label: s.translate("Requirement IDs"), debounce: s.debounce,
    description: s.translate("Comma-separated, e.g. V-H5, LAW-5; written as [V-H5] [LAW-5] before the documentation."),
    getValue: function () { return tagsOf(bo).join(", "); },
    validate: function (value) {
      return (value || "").split(",").every(function (t) { return !t.trim() || /^[A-Za-z0-9-]+$/.test(t.trim()); })
        ? null : s.translate("A requirement ID holds only letters, digits and '-'.");
    },
    setValue: function (value, error) {
      if (error) { return; }  // a value the field refuses stays in the field only, not in the diagram
      var tags = (value || "").split(",").map(function (t) { return t.trim(); }).filter(Boolean);
      var documentation = documentationOf(bo), text = (documentation && documentation.text) || "";
      var rest = text.replace(TAGS, "").trim();
      var written = tags.map(function (t) { return "[" + t + "]"; }).join(" ") + (rest ? (tags.length ? " " : "") + rest : "");
      if (documentation) {
        s.modeling.updateModdleProperties(element, documentation, { text: written });
      } else if (written) {
        documentation = s.bpmnFactory.create("bpmn:Documentation", { text: written });
        documentation.$parent = bo;
        s.modeling.updateModdleProperties(element, bo, { documentation: [documentation] });
      }
    }
  });
}

// --- notices: whom to tell (roles of the diagram's lanes) and what kind of notice
function laneRoles(businessObject) {
  var node = businessObject;
  while (node && node.$type !== "bpmn:Process" && node.$type !== "bpmn:Definitions") { node = node.$parent; }
  var found = [];
  (function walk(sets) {
    (sets || []).forEach(function (set) {
      (set.lanes || []).forEach(function (lane) {
        if (lane.name && found.indexOf(lane.name) < 0) { found.push(lane.name); }
        walk(lane.childLaneSet ? [lane.childLaneSet] : []);
      });
    });
  })(node && node.laneSets);
  return found;
}

function splitRoles(text) { return (text || "").split(",").map(function (r) { return r.trim(); }).filter(Boolean); }

function NotifyEntry(props) {
  var element = props.element, role = props.role, s = useServices(), bo = element.businessObject;
  return h(CheckboxEntry, {
    element: element, id: "vaernNotify-" + role.key, label: role.label + " (" + role.key + ")",
    getValue: function () { return splitRoles(propertyOf(bo, "notify")).indexOf(role.key) >= 0; },
    setValue: function (checked) {
      var roles = splitRoles(propertyOf(bo, "notify")).filter(function (r) { return r !== role.key; });
      if (checked) { roles.push(role.key); }
      setProperty(s, element, "notify", roles.join(","));
      if (roles.length && !propertyOf(element.businessObject, "notice")) { setProperty(s, element, "notice", "reminder"); }
      if (!roles.length) { setProperty(s, element, "notice", ""); }
    }
  });
}

function NoticeKindEntry(props) {
  var element = props.element, s = useServices(), bo = element.businessObject;
  var labels = { reminder: s.translate("Reminder"), overdue: s.translate("Deadline passed"),
                 escalated: s.translate("Escalated (marks the case escalated)") };
  return h(SelectEntry, {
    element: element, id: "vaernNotice", label: s.translate("Kind of notice"),
    getValue: function () { return propertyOf(bo, "notice"); },
    setValue: function (value) { setProperty(s, element, "notice", value); },
    getOptions: function () {
      return [{ value: "", label: s.translate("(no notice)") }].concat(NOTICE_KINDS.map(function (kind) {
        return { value: kind, label: labels[kind] };
      }));
    }
  });
}

// --- hearing material: the case variables a user task's page shows
function MaterialEntry(props) {
  var element = props.element, s = useServices(), bo = element.businessObject;
  return h(TextFieldEntry, {
    element: element, id: "vaernMaterial", label: s.translate("Hearing material"), debounce: s.debounce,
    description: s.translate("Case variables the task's page shows the person doing it, comma-separated (e.g. description)."),
    getValue: function () { return propertyOf(bo, "hearing_material"); },
    validate: function (value) {
      return !value || NAMES.test(value) ? null : s.translate("Write the names of case variables, separated by commas.");
    },
    setValue: function (value, error) {
      if (!error) { setProperty(s, element, "hearing_material", (value || "").replace(/\s+/g, "")); }
    }
  });
}

// --- a timer's duration, typed
function durationOf(element) {
  var definitions = element.businessObject.eventDefinitions || [];
  var timer = definitions.filter(function (d) { return d.$type === "bpmn:TimerEventDefinition"; })[0];
  return timer && timer.timeDuration;
}

export function durationProblem(value, settings) {
  var text = (value || "").trim();
  if (!text) { return "empty"; }
  if (WORKING_DAYS.test(text) || ISO_DURATION.test(text.toUpperCase()) || text.indexOf("(") >= 0) { return null; }
  return settings.some(function (setting) { return setting.name === text; }) ? null : "unknown";
}

function DurationEntry(props) {
  var element = props.element, s = useServices(), expression = durationOf(element);
  return h(TextFieldEntry, {
    element: element, id: "vaernDuration", label: s.translate("Duration"), debounce: s.debounce,
    description: s.translate("Type e.g. 5 arbejdsdage or P14D, or choose a setting above."),
    getValue: function () { return (expression.body || "").trim(); },
    validate: function (value) {
      return durationProblem(value, settingsOf(element.businessObject))
        ? s.translate("Write a duration such as 5 arbejdsdage or P14D (ISO 8601), or the name of a setting.") : null;
    },
    setValue: function (value, error) {
      var text = (value || "").trim();
      if (text && !error) { s.modeling.updateModdleProperties(element, expression, { body: ISO_DURATION.test(text.toUpperCase()) ? text.toUpperCase() : text }); }
    }
  });
}

function ConventionsProvider(propertiesPanel, injector) {
  this._roles = injector.get("config.vaernRoles", false) || [];
  this._translate = injector.get("translate");
  propertiesPanel.registerProvider(300, this);
}
ConventionsProvider.$inject = ["propertiesPanel", "injector"];

ConventionsProvider.prototype.getGroups = function (element) {
  var roles = this._roles, translate = this._translate;
  return function (groups) {
    var kind = type(element);
    if (!kind || element.type === "label") { return groups; }
    var entries = [];
    if (element.businessObject.$instanceOf && element.businessObject.$instanceOf("bpmn:BaseElement")) {
      entries.push({ id: "vaernRequirements", element: element, component: RequirementEntry, isEdited: isTextFieldEntryEdited });
    }
    if (kind === "bpmn:UserTask") {
      entries.push({ id: "vaernMaterial", element: element, component: MaterialEntry, isEdited: isTextFieldEntryEdited });
    }
    if (kind === "bpmn:IntermediateThrowEvent" || kind === "bpmn:EndEvent") {
      var known = laneRoles(element.businessObject);
      roles.filter(function (role) { return known.indexOf(role.key) >= 0; }).forEach(function (role) {
        entries.push({ id: "vaernNotify-" + role.key, element: element, role: role, component: NotifyEntry,
                       isEdited: isCheckboxEntryEdited });
      });
      entries.push({ id: "vaernNotice", element: element, component: NoticeKindEntry, isEdited: isSelectEntryEdited });
    }
    if (durationOf(element)) {
      var timer = groups.filter(function (group) { return group.id === "timer"; })[0];
      if (timer) {
        var at = timer.entries.findIndex(function (entry) { return entry.id === "vaernTimerSetting"; });
        timer.entries.splice(at + 1, 0, { id: "vaernDuration", element: element, component: DurationEntry,
                                          isEdited: isTextFieldEntryEdited });
      }
    }
    if (entries.length) {
      var group = { id: "vaern", label: translate("vaern: requirements, notices, material"), entries: entries };
      var general = groups.findIndex(function (g) { return g.id === "general"; });
      groups.splice(general + 1, 0, group);
    }
    return groups;
  };
};

export default { __init__: ["vaernConventionsProvider"], vaernConventionsProvider: ["type", ConventionsProvider] };
