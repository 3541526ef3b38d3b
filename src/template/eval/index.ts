// The expression evaluator's public surface.
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
