// Deno 2, as a user's program would write it: the package by its npm: specifier. Run
// with the project's node_modules (deno.json: "nodeModulesDir": "manual"), so that
// Deno takes the installed tarball and fetches nothing.
import * as pkg from 'npm:genomcore-events-wasm';
import { scenario } from './scenario.mjs';

const [origin, label] = Deno.args;
const result = await scenario(pkg, { origin, label });
console.log(
  JSON.stringify({
    resolved: import.meta.resolve('genomcore-events-wasm'),
    exports: Object.keys(pkg).filter((k) => k !== 'default').sort(),
    result,
  }),
);
