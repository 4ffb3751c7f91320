// Validates Kubernetes objects against the API schemas shipped by kubernetes-models (core
// APIs), @kubernetes-models/cert-manager and @kubernetes-models/prometheus-operator.
// Reads a JSON array of objects on standard input and writes one entry per object:
// {"kind", "name", "errors": [...]} where errors is empty for a valid object.
// NOTE: these validators check types, formats, enums and required fields; they accept unknown
// fields, so a misspelt optional field is not reported.
import {pathToFileURL} from 'node:url';
import {existsSync, readFileSync} from 'node:fs';

const MODULES = {
  'v1': 'kubernetes-models/v1',
  'apps/v1': 'kubernetes-models/apps/v1',
  'policy/v1': 'kubernetes-models/policy/v1',
  'rbac.authorization.k8s.io/v1': 'kubernetes-models/rbac.authorization.k8s.io/v1',
  'admissionregistration.k8s.io/v1': 'kubernetes-models/admissionregistration.k8s.io/v1',
  'cert-manager.io/v1': '@kubernetes-models/cert-manager/cert-manager.io/v1',
  'monitoring.coreos.com/v1': '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1',
};

const modules = process.argv[2];
if (!modules) {
  console.error('usage: node validate_objects.mjs <node_modules folder>');
  process.exit(2);
}

const objects = JSON.parse(readFileSync(0, 'utf8'));
const results = [];
for (const object of objects) {
  const entry = {kind: object.kind, name: object.metadata && object.metadata.name, errors: []};
  results.push(entry);
  const module = MODULES[object.apiVersion];
  if (!module) {
    entry.errors.push(`no schema for apiVersion ${object.apiVersion}`);
    continue;
  }
  // Each kind is its own file; importing it by path works although the packages export ES
  // modules only (require.resolve cannot see them).
  const file = `${modules}/${module}/${object.kind}.js`;
  if (!existsSync(file)) {
    entry.errors.push(`no schema for kind ${object.kind} in ${object.apiVersion}`);
    continue;
  }
  const Model = (await import(pathToFileURL(file).href))[object.kind];
  try {
    new Model(object).validate();
  } catch (error) {
    entry.errors.push(String(error && error.message ? error.message : error));
  }
}
process.stdout.write(JSON.stringify(results));
