// The expression evaluator's public surface.
//
//   evaluate(expr, scope)            -> { value, diagnostics }   HCL/cty semantics, linear time
//   createScope({ variables, functions, functionContext, onReference? }) / childScope(scope, vars)
//   parseTypeExpr(expr)              -> { type, diagnostics }    Packer variable `type = ...`
//   convertToType(value, type)       -> { value, error }         cty conversion rules
//   typeString(type)                 -> "list of string"
//   evaluateTemplateString(text, filename, vars, functions, ctx) and templateRenderer(functions, ctx)
//                                    for templatefile()
//   valueToJSON(value, indent?) / describeValue(value)          console and inspect output
//
// try(), can() and convert() are special forms handled here; sensitive() and nonsensitive()
// pass their argument through unless the scope's function table defines them.
export { evaluate, type Scope, type Reference } from './evaluate.js';
export { childScope, createScope, type ScopeOptions } from './scope.js';
export {
  parseTypeExpr,
  convertToType,
  typeString,
  ANY,
  BOOL,
  NUMBER,
  STRING,
  type TypeConstraint,
  type ObjectAttribute,
} from './types.js';
export { inferType, unifyTypes } from './convert-type.js';
export { valueToJSON, describeValue } from './values-json.js';
export { formatNumber } from './primitives.js';
export { evaluateTemplateString, templateRenderer } from './template-string.js';
