// A timer's duration chosen from the diagram's named settings (setting.* on the process), shown with their
// values ("serious_escalation_after: 5 arbejdsdage"), so a process owner picks a deadline instead of typing one.
import { SelectEntry, isSelectEntryEdited } from "@bpmn-io/properties-panel";
import { h } from "@bpmn-io/properties-panel/preact";
import { useService } from "bpmn-js-properties-panel";

function duration(element) {
  var definitions = (element.businessObject && element.businessObject.eventDefinitions) || [];
  var timer = definitions.filter(function (d) { return d.$type === "bpmn:TimerEventDefinition"; })[0];
  return timer && timer.timeDuration;
}

function processOf(businessObject) {
  var node = businessObject;
  while (node && node.$type !== "bpmn:Process") { node = node.$parent; }
  return node;
}

export function settingsOf(businessObject) {
  var process = processOf(businessObject), found = [];
  var values = (process && process.extensionElements && process.extensionElements.values) || [];
  values.forEach(function (value) {
    if (value.$type !== "camunda:Properties") { return; }
    (value.values || []).forEach(function (property) {
      var name = property.name || "";
      if (name.indexOf("setting.") === 0) { found.push({ name: name.slice(8), value: property.value || "" }); }
    });
  });
  return found;
}

function SettingEntry(props) {
  var element = props.element, expression = duration(element);
  var modeling = useService("modeling"), translate = useService("translate");
  function current() { return ((expression && expression.body) || "").trim(); }
  function getOptions() {
    var settings = settingsOf(element.businessObject);
    var options = [{ value: "", label: translate("(not a setting)") }].concat(settings.map(function (setting) {
      return { value: setting.name, label: setting.name + ": " + setting.value };
    }));
    if (current() && !settings.some(function (s) { return s.name === current(); })) {
      options.push({ value: current(), label: translate("Written in the timer: {value}", { value: current() }) });
    }
    return options;
  }
  return h(SelectEntry, {
    element: element, id: "vaernTimerSetting", label: translate("Duration from a setting"),
    description: translate("The diagram's settings are changed under the process's extension properties."),
    getValue: current,
    setValue: function (value) { if (value) { modeling.updateModdleProperties(element, expression, { body: value }); } },
    getOptions: getOptions
  });
}

function SettingProvider(propertiesPanel) {
  propertiesPanel.registerProvider(400, this);
}
SettingProvider.$inject = ["propertiesPanel"];

SettingProvider.prototype.getGroups = function (element) {
  return function (groups) {
    if (!duration(element)) { return groups; }
    var timer = groups.filter(function (group) { return group.id === "timer"; })[0];
    if (timer) {
      timer.entries.unshift({ id: "vaernTimerSetting", element: element, component: SettingEntry,
                              isEdited: isSelectEntryEdited });
    }
    return groups;
  };
};

export default { __init__: ["vaernSettingProvider"], vaernSettingProvider: ["type", SettingProvider] };
