// Packer's HCL2 built-in functions, with Packer/Terraform (cty) semantics and error texts.
//
// The evaluator looks a function up in FUNCTIONS, checks arity against def.params and
// def.variadic, short-circuits unknown arguments (impl never sees UNKNOWN), then calls
// def.impl(args, ctx). impl converts its own arguments as cty would ("12" for a number, 12
// for a string) and rejects null unless the parameter allows it. A failure is thrown as a
// FunctionError: `message` is the HCL diagnostic detail ('Invalid value for "str"
// parameter: ...' or 'Call to function "x" failed: ...'), `summary` the HCL summary, and
// `argIndex` the argument to underline (null for the whole call).
//
// Where we knowingly differ from Packer:
// - numbers are float64, not cty's 512-bit floats (integers beyond 2^53 lose precision);
// - base64gzip is valid, stable gzip but not byte-identical to Go's deflate output;
// - the secret-store functions (vault, consul_key, aws_secretsmanager) are not provided.
export { FUNCTIONS, FunctionError, signature } from './registry.js';
export type { FunctionContext, FunctionDef, ParamSpec, VariadicSpec } from './registry.js';
