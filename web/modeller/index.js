// The modeller page: bpmn-js with the properties panel and Camunda 7 properties, vaern's roles for lanes,
// drafts saved on the server against the hash they were based on, and each problem shown on its element.
import BpmnModeler from "bpmn-js/lib/Modeler";
import {
  BpmnPropertiesPanelModule, BpmnPropertiesProviderModule, CamundaPlatformPropertiesProviderModule
} from "bpmn-js-properties-panel";
import CamundaBehaviorsModule from "camunda-bpmn-js-behaviors/lib/camunda-platform";
import camundaModdle from "camunda-bpmn-moddle/resources/camunda.json";

import "bpmn-js/dist/assets/diagram-js.css";
import "bpmn-js/dist/assets/bpmn-js.css";
import "bpmn-js/dist/assets/bpmn-font/css/bpmn-embedded.css";
import "@bpmn-io/properties-panel/dist/assets/properties-panel.css";
import "./modeller.css";

import conventionsModule from "./conventions.js";
import roleModule from "./roles.js";
import settingModule from "./settings.js";
import translateModule from "./translate.js";
import { lintProblems } from "./bpmnlint.js";
import { showProblems } from "./problems.js";

var root = document.getElementById("modeller");
if (root) { start(root); }

function start(root) {
  var data = root.dataset, state = { basedOn: null, problems: [], server: [], lint: [] };
  var status = document.getElementById("draft-status");
  var conflict = document.getElementById("conflict");

  function say(text, kind) {
    status.textContent = text;
    status.className = "draft-status" + (kind ? " draft-status-" + kind : "");
  }

  fetch(data.src, { credentials: "same-origin" })
    .then(function (response) {
      if (!response.ok) { throw new Error("HTTP " + response.status); }
      return response.json();
    })
    .then(function (opened) {
      var modeler = new BpmnModeler({
        container: document.getElementById("canvas"),
        propertiesPanel: { parent: document.getElementById("properties") },
        additionalModules: [BpmnPropertiesPanelModule, BpmnPropertiesProviderModule,
                            CamundaPlatformPropertiesProviderModule, CamundaBehaviorsModule,
                            translateModule(data.lang), roleModule, settingModule, conventionsModule],
        moddleExtensions: { camunda: camundaModdle },
        vaernRoles: opened.roles
      });
      window.vaernModeler = modeler;  // the browser test drives the modelling API through it
      return modeler.importXML(opened.xml).then(function (imported) {
        // What bpmn-js could not read in the diagram (the round trip tests expect none).
        root.dataset.importWarnings = String((imported.warnings || []).length);
        modeler.get("canvas").zoom("fit-viewport", "auto");
        state.basedOn = opened.edition.content_hash;
        state.server = opened.problems;
        show(modeler);
        wireLint(modeler);
        root.dataset.ready = "true";
        root.dataset.contentHash = state.basedOn;
        wireSave(modeler);
        wireDownload(modeler);
      });
    })
    .catch(function (error) {
      root.dataset.ready = "false";
      say(data.textLoadFailed + " (" + error.message + ")", "error");
    });

  // The server's problems (from the last save) and bpmnlint's (from the diagram as it is now), on one list.
  function show(modeler) {
    state.problems = showProblems(modeler, (state.server || []).concat(state.lint), data);
  }

  // bpmnlint is cheap: it runs on the diagram after every change, a moment after the last one.
  function wireLint(modeler) {
    var translate = modeler.get("translate"), timer = null, round = 0;
    function run() {
      var mine = ++round;
      lintProblems(modeler, translate).then(function (found) {
        if (mine !== round) { return; }
        state.lint = found;
        root.dataset.lintRounds = String(Number(root.dataset.lintRounds || 0) + 1);
        show(modeler);
      });
    }
    modeler.on("commandStack.changed", function () {
      clearTimeout(timer);
      timer = setTimeout(run, 400);
    });
    run();
  }

  function wireSave(modeler) {
    var button = document.getElementById("save");
    button.disabled = false;
    button.addEventListener("click", function () {
      button.disabled = true;
      say(data.textSaving);
      modeler.saveXML({ format: true })
        .then(function (saved) { return send(saved.xml); })
        .then(function (result) { answered(modeler, result); })
        .catch(function (error) { say(data.textSaveFailed + " (" + error.message + ")", "error"); })
        .then(function () { button.disabled = false; });
    });
  }

  function send(xml) {
    var form = new FormData();
    form.append("csrf_token", data.csrf);
    form.append("based_on", state.basedOn);
    form.append("diagram", new Blob([xml], { type: "application/xml" }), "draft.bpmn");
    return fetch(data.save, { method: "POST", body: form, credentials: "same-origin" })
      .then(function (response) {
        return response.json().then(function (body) { return { status: response.status, body: body }; });
      });
  }

  function answered(modeler, result) {
    var body = result.body;
    if (result.status === 200) {
      conflict.hidden = true;
      state.basedOn = body.edition.content_hash;
      root.dataset.contentHash = state.basedOn;
      root.dataset.saves = String(Number(root.dataset.saves || 0) + 1);
      state.server = body.problems;
      show(modeler);
      document.getElementById("draft-kind").textContent = data.textDraft.replace("{v}", body.edition.base_version);
      document.getElementById("draft-actions").hidden = false;
      say(body.problems.length ? data.textSavedWithProblems.replace("{n}", body.problems.length) : data.textSaved,
          body.problems.length ? "warning" : "ok");
    } else if (result.status === 409) {
      showConflict(body);
      say(body.message, "error");
    } else if (result.status === 422) {
      state.server = body.problems;
      show(modeler);
      say(body.message, "error");
    } else {
      say(data.textSaveFailed + " (HTTP " + result.status + ")", "error");
    }
  }

  // After a conflict the process owner keeps their own version as a file (to compare, or to upload later).
  function wireDownload(modeler) {
    document.getElementById("download-mine").addEventListener("click", function () {
      modeler.saveXML({ format: true }).then(function (saved) {
        var link = document.createElement("a");
        link.href = URL.createObjectURL(new Blob([saved.xml], { type: "application/xml" }));
        link.download = data.filename;
        document.body.appendChild(link);
        link.click();
        link.remove();
        setTimeout(function () { URL.revokeObjectURL(link.href); }, 1000);
      });
    });
  }

  function showConflict(body) {
    var server = body.server;
    document.getElementById("conflict-mine").textContent = body.based_on.slice(0, 12);
    document.getElementById("conflict-server").textContent = (server.is_draft ? data.textServerDraft
      : data.textServerVersion.replace("{v}", server.base_version)) + " · " + (server.saved_by || "") + " · " +
      (server.saved_at_text || "") + " · " + server.content_hash.slice(0, 12);
    conflict.hidden = false;
  }
}
