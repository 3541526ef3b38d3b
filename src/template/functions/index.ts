// Packer's HCL2 built-in functions. The evaluator looks functions up in FUNCTIONS, checks
// arity with def.params/def.variadic, short-circuits unknown arguments, then calls impl.
export { FUNCTIONS, FunctionError, signature } from './registry.js';
export type { FunctionContext, FunctionDef, ParamSpec, VariadicSpec } from './registry.js';
