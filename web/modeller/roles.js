// A lane's name is a role key: the panel offers the roles vaern knows, by the reader's names for them, instead
// of a text field (docs/diagram-conventions.md, "lanes are roles").
import { SelectEntry, isSelectEntryEdited } from "@bpmn-io/properties-panel";
import { h } from "@bpmn-io/properties-panel/preact";
import { useService } from "bpmn-js-properties-panel";

function isLane(element) {
  return element && element.businessObject && element.businessObject.$type === "bpmn:Lane";
}

function RoleEntry(props) {
  var element = props.element, roles = props.roles;
  var modeling = useService("modeling"), translate = useService("translate");
  function getOptions() {
    var current = element.businessObject.name || "";
    var options = [{ value: "", label: translate("(choose a role)") }].concat(
      roles.map(function (role) { return { value: role.key, label: role.label + " (" + role.key + ")" }; }));
    if (current && !roles.some(function (role) { return role.key === current; })) {
      options.push({ value: current, label: translate("Unknown role: {name}", { name: current }) });
    }
    return options;
  }
  return h(SelectEntry, {
    element: element, id: "vaernRole", label: translate("Role"),
    description: translate("Who does the tasks in this lane."),
    getValue: function () { return element.businessObject.name || ""; },
    setValue: function (value) { modeling.updateProperties(element, { name: value || undefined }); },
    getOptions: getOptions
  });
}

function RoleProvider(propertiesPanel, injector) {
  this._roles = injector.get("config.vaernRoles", false) || [];
  propertiesPanel.registerProvider(400, this);
}
RoleProvider.$inject = ["propertiesPanel", "injector"];

RoleProvider.prototype.getGroups = function (element) {
  var roles = this._roles;
  return function (groups) {
    if (!isLane(element)) { return groups; }
    var general = groups.filter(function (group) { return group.id === "general"; })[0];
    if (general) {
      // The role takes the place of the free-text name.
      general.entries = general.entries.filter(function (entry) { return entry.id !== "name"; });
      general.entries.unshift({ id: "vaernRole", element: element, roles: roles, component: RoleEntry,
                                isEdited: isSelectEntryEdited });
    }
    return groups;
  };
};

export default { __init__: ["vaernRoleProvider"], vaernRoleProvider: ["type", RoleProvider] };
