// Validates objects against the openAPIV3Schema of a CustomResourceDefinition with ajv.
// Usage: node validate_crd_schema.js NODE_MODULES_DIR CRD.json OBJECT.json...
// Kubernetes drops fields that a structural schema does not declare. To catch such fields, the
// schema gets additionalProperties: false wherever it lists properties and does not preserve
// unknown fields. Formats (int32, quantity, ...) are not checked.
'use strict';
const fs = require('fs');
const path = require('path');

const [modules, crdPath, ...objectPaths] = process.argv.slice(2);
const Ajv = require(path.join(modules, 'ajv'));

function tighten(schema) {
  if (Array.isArray(schema)) return schema.map(tighten);
  if (schema === null || typeof schema !== 'object') return schema;
  const out = {};
  for (const [key, value] of Object.entries(schema)) out[key] = tighten(value);
  if (out.properties && out.additionalProperties === undefined &&
      !out['x-kubernetes-preserve-unknown-fields']) {
    out.additionalProperties = false;
  }
  return out;
}

const crd = JSON.parse(fs.readFileSync(crdPath, 'utf8'));
const version = crd.spec.versions.find((v) => v.storage) || crd.spec.versions[0];
const schema = tighten(version.schema.openAPIV3Schema);
const ajv = new Ajv({strict: false, allErrors: true, validateFormats: false});
const validate = ajv.compile(schema);

let failed = 0;
for (const objectPath of objectPaths) {
  const object = JSON.parse(fs.readFileSync(objectPath, 'utf8'));
  if (validate(object)) {
    console.log(`${objectPath}: valid`);
    continue;
  }
  failed++;
  for (const error of validate.errors) {
    console.log(`${objectPath}: ${error.instancePath || '/'} ${error.message} ` +
                JSON.stringify(error.params));
  }
}
process.exit(failed === 0 ? 0 : 1);
