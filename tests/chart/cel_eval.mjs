// Evaluates CEL expressions for the chart tests with @marcbachmann/cel-js.
// Reads {"cases": [{"expression": "...", "variables": {...}, "parseOnly": false}]} on standard
// input and writes [{"value": <result>} | {"error": "<message>"}] on standard output, one entry
// per case. With parseOnly the expression is only parsed, and the value is true.
import {createRequire} from 'node:module';
import {pathToFileURL} from 'node:url';
import {readFileSync} from 'node:fs';

const modules = process.argv[2];
if (!modules) {
  console.error('usage: node cel_eval.mjs <node_modules folder>');
  process.exit(2);
}
const require = createRequire(pathToFileURL(modules + '/').href);
const {evaluate, parse} = await import(pathToFileURL(require.resolve('@marcbachmann/cel-js')).href);

const input = JSON.parse(readFileSync(0, 'utf8'));
const results = input.cases.map(({expression, variables, parseOnly}) => {
  try {
    if (parseOnly) {
      parse(expression);
      return {value: true};
    }
    const value = evaluate(expression, variables);
    return {value: typeof value === 'bigint' ? Number(value) : value};
  } catch (error) {
    return {error: String(error && error.message ? error.message : error)};
  }
});
process.stdout.write(JSON.stringify(results));
