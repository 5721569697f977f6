// tsp-typescript-client 0.9.0 depends on json-bigint at a commit of its GitHub repository, which npm cannot fetch
// here (only the npm registry is reachable), so package.json overrides it with json-bigint 1.0.0 from the registry.
// 1.0.0 turns every number written with more than 15 characters into a BigInt, decimals too: `BigInt("0.1335746858")`
// throws, and the client then drops the whole answer (a mean latency, a rate). The commit the client pins parses only
// integers as BigInt; this applies that one rule to 1.0.0. Idempotent; fails if json-bigint's code is not what it expects.
import { readFileSync, writeFileSync } from 'node:fs';

const file = new URL('node_modules/json-bigint/lib/parse.js', import.meta.url);
const before = 'if (string.length > 15)';
const patched = 'if (string.length > 15 && !/[.eE]/.test(string))';
const code = readFileSync(file, 'utf8');
if (!code.includes(patched)) {
  if (code.split(before).length !== 2) throw new Error(`${file.pathname}: not json-bigint 1.0.0's parser; check the override in package.json`);
  writeFileSync(file, code.replace(before, patched));
}
