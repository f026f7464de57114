// The round trip between vaern's modeller and bpmn.io / Camunda Modeler, through bpmn-moddle with the Camunda
// extensions (the model both read and write).
//   node roundtrip.mjs FILE            FILE imports without a warning, and exporting and importing it again
//                                      changes nothing in the model (every element, attribute, reference, DI).
//   node roundtrip.mjs ORIGINAL SAVED  SAVED (what the browser's modeller wrote after opening ORIGINAL) holds
//                                      exactly the model of ORIGINAL.
// Prints the first differences; exit status 0 when all is the same, 1 otherwise, 2 on bad usage.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';

import { BpmnModdle } from 'bpmn-moddle';

const require = createRequire(import.meta.url);
const camundaModdle = require('camunda-bpmn-moddle/resources/camunda.json');

function moddle() {
  return new BpmnModdle({ camunda: camundaModdle });
}

// The model as plain data: each element's type, its properties by name (references by id, numbers as numbers)
// and its unknown attributes, so two imports compare equal exactly when they hold the same diagram.
function canonical(element) {
  if (element === null || element === undefined || typeof element !== 'object') {
    return element;
  }
  if (Array.isArray(element)) {
    return element.map(canonical);
  }
  const out = { $type: element.$type };
  const descriptor = element.$descriptor;
  for (const property of (descriptor && descriptor.properties) || []) {
    const value = element.get(property.name);
    if (value === undefined || (Array.isArray(value) && value.length === 0)) {
      continue;
    }
    if (property.name === 'planeElement') {
      // The order of shapes in a diagram is only the order they are drawn in; bpmn-js writes lanes first.
      out.planeElement = canonical(value).sort((x, y) => String(x.id).localeCompare(String(y.id)));
    } else if (property.isReference) {
      out[property.name] = Array.isArray(value) ? value.map((v) => v && v.id) : value && value.id;
    } else {
      out[property.name] = canonical(value);
    }
  }
  const attrs = element.$attrs || {};
  for (const key of Object.keys(attrs).sort()) {
    if (!key.startsWith('xmlns')) {
      out[`@${key}`] = attrs[key];
    }
  }
  return out;
}

function differences(a, b, path, found) {
  if (found.length >= 10) {
    return found;
  }
  if (typeof a !== typeof b || Array.isArray(a) !== Array.isArray(b) || (a === null) !== (b === null)) {
    found.push(`${path}: ${JSON.stringify(a)} != ${JSON.stringify(b)}`);
  } else if (Array.isArray(a)) {
    if (a.length !== b.length) {
      found.push(`${path}: ${a.length} items != ${b.length} items`);
    }
    for (let i = 0; i < Math.min(a.length, b.length); i += 1) {
      differences(a[i], b[i], `${path}[${i}]`, found);
    }
  } else if (a && typeof a === 'object') {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    for (const key of keys) {
      differences(a[key], b[key], `${path}.${a.id || a.$type || ''}.${key}`, found);
    }
  } else if (a !== b) {
    found.push(`${path}: ${JSON.stringify(a)} != ${JSON.stringify(b)}`);
  }
  return found;
}

async function read(file) {
  const { rootElement, warnings } = await moddle().fromXML(await readFile(file, 'utf8'));
  return { definitions: rootElement, warnings: warnings || [] };
}

function report(label, found) {
  for (const line of found) {
    console.log(`DIFF ${label}: ${line}`);
  }
}

const files = process.argv.slice(2);
if (files.length < 1 || files.length > 2) {
  console.error('usage: node roundtrip.mjs FILE | ORIGINAL SAVED');
  process.exit(2);
}
let good = true;
const first = await read(files[0]);
for (const warning of first.warnings) {
  console.log(`WARNING ${files[0]}: ${warning.message}`);
  good = false;
}
if (files.length === 1) {
  const { xml } = await moddle().toXML(first.definitions, { format: true });
  const again = await moddle().fromXML(xml);
  for (const warning of again.warnings || []) {
    console.log(`WARNING ${files[0]} (exported again): ${warning.message}`);
    good = false;
  }
  const found = differences(canonical(first.definitions), canonical(again.rootElement), '', []);
  report(`${files[0]} exported and imported again`, found);
  good = good && found.length === 0;
} else {
  const saved = await read(files[1]);
  for (const warning of saved.warnings) {
    console.log(`WARNING ${files[1]}: ${warning.message}`);
    good = false;
  }
  const found = differences(canonical(first.definitions), canonical(saved.definitions), '', []);
  report(`${files[0]} -> ${files[1]}`, found);
  good = good && found.length === 0;
}
console.log(good ? 'SAME' : 'CHANGED');
process.exit(good ? 0 : 1);
