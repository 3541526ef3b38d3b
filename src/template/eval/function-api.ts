// The function contract the evaluator calls through, from the function library.
export type { FunctionContext, FunctionDef } from '../functions/types.js';
export { FunctionError } from '../functions/types.js';
