// Reads each BPMN file given on the command line the way bpmn.io and Camunda Modeler do
// (bpmn-moddle with the Camunda extensions) and prints every import warning, plus the diagram
// (DI) problems bpmn-js reports or silently skips on import: a DI element without a model element,
// two DI elements for one model element, a model element without DI (it would not be drawn).
// Usage: node tests/moddle/check.mjs FILE...
// Exit status: 0 when every file imports without a warning, 1 otherwise, 2 on bad usage.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';

import { BpmnModdle } from 'bpmn-moddle';

const require = createRequire(import.meta.url);
const camundaModdle = require('camunda-bpmn-moddle/resources/camunda.json');

// Model element types that bpmn-js draws and so need a shape or an edge.
const DRAWN_TYPES = [
  'bpmn:FlowNode',
  'bpmn:SequenceFlow',
  'bpmn:Lane',
  'bpmn:Participant',
  'bpmn:MessageFlow',
  'bpmn:DataObjectReference',
  'bpmn:DataStoreReference',
  'bpmn:TextAnnotation',
  'bpmn:Association',
  'bpmn:Group',
];

function oneLine(text) {
  return String(text).replace(/\s+/g, ' ').trim();
}

function describeElement(element) {
  if (!element) {
    return '(no element)';
  }
  const id = element.id || (element.$parent && element.$parent.id && `child of ${element.$parent.id}`);
  return `${id || '(no id)'} [${element.$type || 'unknown type'}]`;
}

function collectDrawn(element, found) {
  if (!element || typeof element !== 'object') {
    return;
  }
  if (DRAWN_TYPES.some((type) => element.$instanceOf && element.$instanceOf(type))) {
    found.push(element);
  }
  const children = [
    ...(element.flowElements || []),
    ...(element.artifacts || []),
    ...(element.laneSets || []),
    ...(element.lanes || []),
    ...(element.participants || []),
    ...(element.messageFlows || []),
  ];
  if (element.childLaneSet) {
    children.push(element.childLaneSet);
  }
  for (const child of children) {
    collectDrawn(child, found);
  }
}

function diagramWarnings(definitions) {
  const warnings = [];
  const drawnCount = new Map();
  for (const diagram of definitions.diagrams || []) {
    const plane = diagram.plane;
    if (!plane) {
      warnings.push({ message: 'diagram has no plane', element: diagram });
      continue;
    }
    if (!plane.bpmnElement) {
      warnings.push({ message: 'plane references no process or collaboration', element: plane });
    }
    for (const di of plane.planeElement || []) {
      if (!di.bpmnElement) {
        warnings.push({ message: 'no bpmnElement referenced in DI element', element: di });
        continue;
      }
      drawnCount.set(di.bpmnElement, (drawnCount.get(di.bpmnElement) || 0) + 1);
    }
  }
  if ((definitions.diagrams || []).length === 0) {
    warnings.push({ message: 'file has no bpmndi:BPMNDiagram', element: definitions });
  }
  const drawn = [];
  for (const root of definitions.rootElements || []) {
    collectDrawn(root, drawn);
  }
  for (const element of drawn) {
    const count = drawnCount.get(element) || 0;
    if (count === 0) {
      warnings.push({ message: 'element has no shape or edge in the diagram (it is not drawn)', element });
    } else if (count > 1) {
      warnings.push({ message: `multiple DI elements (${count}) defined for element`, element });
    }
  }
  return warnings;
}

async function checkFile(file) {
  let xml;
  try {
    xml = await readFile(file, 'utf8');
  } catch (err) {
    console.log(`ERROR ${file}: cannot read: ${oneLine(err.message)}`);
    return false;
  }
  const moddle = new BpmnModdle({ camunda: camundaModdle });
  let result;
  try {
    result = await moddle.fromXML(xml);
  } catch (err) {
    console.log(`ERROR ${file}: ${oneLine(err.message)}`);
    for (const warning of err.warnings || []) {
      console.log(`WARNING ${file}: ${oneLine(warning.message)} (element ${describeElement(warning.element)})`);
    }
    return false;
  }
  const warnings = [...(result.warnings || []), ...diagramWarnings(result.rootElement)];
  if (warnings.length === 0) {
    console.log(`OK ${file}`);
    return true;
  }
  for (const warning of warnings) {
    console.log(`WARNING ${file}: ${oneLine(warning.message)} (element ${describeElement(warning.element)})`);
  }
  console.log(`FAIL ${file}: ${warnings.length} warning(s)`);
  return false;
}

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error('usage: node check.mjs FILE...');
  process.exit(2);
}
let allGood = true;
for (const file of files) {
  if (!(await checkFile(file))) {
    allGood = false;
  }
}
process.exit(allGood ? 0 : 1);
