// The table of built-in functions the evaluator calls, keyed by name. Each family lives in
// its own file; this module only assembles them and renders signatures for messages.
import { collectionFunctions } from './collection.js';
import { conversionFunctions } from './conversion.js';
import { cryptoFunctions } from './crypto.js';
import { datetimeFunctions } from './datetime.js';
import { encodingFunctions } from './encoding.js';
import { filesystemFunctions } from './filesystem.js';
import { ipFunctions } from './ip.js';
import { numericFunctions } from './numeric.js';
import { secretFunctions } from './secrets.js';
import { stringFunctions } from './string.js';
import type { FunctionDef } from './types.js';

export { FunctionError, type FunctionContext, type FunctionDef, type ParamSpec, type VariadicSpec } from './types.js';

export const FUNCTIONS: ReadonlyMap<string, FunctionDef> = new Map(
  [
    ...numericFunctions,
    ...stringFunctions,
    ...collectionFunctions,
    ...encodingFunctions,
    ...filesystemFunctions,
    ...datetimeFunctions,
    ...cryptoFunctions,
    ...ipFunctions,
    ...conversionFunctions,
    ...secretFunctions,
  ].map((def) => [def.name, def]),
);

/** "join(separator, lists...)": the call shape shown in arity errors. */
export function signature(def: FunctionDef): string {
  const names = def.params.map((p) => p.name);
  if (def.variadic) names.push(`${def.variadic.name}...`);
  return `${def.name}(${names.join(', ')})`;
}
