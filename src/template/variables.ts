// Input variables: declaration (`variable` blocks and legacy `variables {}`), value
// precedence, type conversion, and validation rules. Precedence, lowest first, as in Packer:
// default < PKR_VAR_name < *.auto.pkrvars.* (sorted) < each -var-file < each -var.
import type { Block, Expr, Range } from '../hcl/ast.js';
import type { Diagnostic } from '../hcl/diagnostic.js';
import { error } from '../hcl/diagnostic.js';
import { UNKNOWN, isUnknown } from '../core/model/value.js';
import type { Value } from '../core/model/value.js';
import type { EvalContext } from './adapter.js';
import { convertTo, evalExpr, isPrimitiveStringish, parseExpression, parseType, suggest, typeText } from './adapter.js';
import { collectReferences, literalString } from './refs.js';
import { checkBody, rangeText } from './schema.js';
import type { ValueSource, VariableDef } from './types.js';

const VARIABLE_SCHEMA = {
  attributes: { type: {}, default: {}, description: {}, sensitive: {}, nullable: {} },
  blocks: { validation: [] },
};
const VALIDATION_SCHEMA = {
  attributes: { condition: { required: true }, error_message: { required: true } },
  blocks: {},
};

export function decodeVariableBlock(block: Block, fnCtx: EvalContext, diags: Diagnostic[]): VariableDef | null {
  const name = block.labels[0] ?? '';
  const nameRange = block.labelRanges[0] ?? block.typeRange;
  if (!isIdentifier(name)) {
    diags.push(error('Invalid variable name', `"${name}" is not a valid name: a name must start with a letter or underscore and contain only letters, digits, underscores and dashes.`, nameRange));
    return null;
  }
  const { attrs, blocks } = checkBody(block.body, VARIABLE_SCHEMA, `variable "${name}"`, diags, block.range);
  const def: VariableDef = {
    name,
    range: block.range,
    nameRange,
    type: null,
    typeText: 'any',
    default: undefined,
    description: '',
    sensitive: false,
    nullable: true,
    validations: [],
    value: null,
    valueSource: 'unset',
  };
  const typeAttr = attrs.get('type');
  if (typeAttr) {
    const parsed = parseType(typeExpr(typeAttr.expr, diags));
    diags.push(...parsed.diagnostics);
    def.type = parsed.type;
    def.typeText = typeText(parsed.type);
  }
  def.description = constString(attrs.get('description')?.expr, fnCtx, diags, 'description') ?? '';
  def.sensitive = constBool(attrs.get('sensitive')?.expr, fnCtx, diags) ?? false;
  def.nullable = constBool(attrs.get('nullable')?.expr, fnCtx, diags) ?? true;
  const defAttr = attrs.get('default');
  const ref = defAttr ? collectReferences(defAttr.expr)[0] : undefined;
  if (ref) {
    diags.push(error('Variables not allowed', 'Variables may not be used in a variable default; use a local value to compute from other variables.', ref.range));
    def.default = UNKNOWN;
  } else if (defAttr) {
    const r = evalExpr(defAttr.expr, fnCtx);
    diags.push(...r.diagnostics);
    def.default = convertFor(def, r.value, defAttr.expr.range, diags, 'Invalid default value for variable');
  }
  for (const vb of blocks) {
    const checked = checkBody(vb.body, VALIDATION_SCHEMA, 'a validation block', diags, vb.range);
    const cond = checked.attrs.get('condition');
    const msgAttr = checked.attrs.get('error_message');
    if (!cond || !msgAttr) continue;
    if (!collectReferences(cond.expr).some((r) => r.root === 'var' && r.attr === name)) {
      diags.push(error('Invalid variable validation condition', `The condition for variable "${name}" must refer to var.${name} in order to test incoming values.`, cond.expr.range));
      continue;
    }
    const msg = constString(msgAttr.expr, fnCtx, diags, 'error_message');
    if (msg === null) continue;
    if (!looksLikeSentences(msg)) {
      diags.push(error('Invalid validation error message', 'Validation error message must be at least one full English sentence starting with an uppercase letter and ending with a period or question mark.', msgAttr.expr.range));
      continue;
    }
    def.validations.push({ condition: cond.expr, errorMessage: msg, range: vb.range });
  }
  return def;
}

/** Legacy `variables { name = default }`: each attribute declares a variable of any type. */
export function decodeLegacyVariables(block: Block, fnCtx: EvalContext, diags: Diagnostic[]): VariableDef[] {
  const out: VariableDef[] = [];
  for (const item of block.body.items) {
    if (item.kind === 'block') {
      diags.push(error('Unexpected block', `A variables block may only contain assignments like name = "default"; found a "${item.type}" block.`, item.typeRange));
      continue;
    }
    const r = evalExpr(item.expr, fnCtx);
    diags.push(...r.diagnostics);
    out.push({
      name: item.name,
      range: item.range,
      nameRange: item.nameRange,
      type: null,
      typeText: 'any',
      default: r.value,
      description: '',
      sensitive: false,
      nullable: true,
      validations: [],
      value: null,
      valueSource: 'unset',
    });
  }
  return out;
}

export interface InputValue {
  name: string;
  /** A value already evaluated (var files), or raw text to parse per the variable's type. */
  value: { kind: 'value'; value: Value } | { kind: 'text'; text: string };
  range: Range | null;
  source: ValueSource;
  /** For diagnostics: "-var", "PKR_VAR_x", or the file name. */
  origin: string;
}

/**
 * Applies input values in the order given (lowest precedence first), then defaults,
 * reporting undeclared names and unset variables.
 */
export function assignValues(vars: Map<string, VariableDef>, inputs: InputValue[], fnCtx: EvalContext, diags: Diagnostic[]): void {
  const assigned = new Map<string, { value: Value; source: ValueSource }>();
  // Names whose given value was rejected: already reported, so not "unset" as well.
  const rejected = new Set<string>();
  for (const input of inputs) {
    const def = vars.get(input.name);
    if (!def) {
      // Packer ignores PKR_VAR_ values nobody declared: the environment is shared.
      if (input.source === 'env') continue;
      const hint = suggest(input.name, vars.keys());
      const tail = hint ? ` Did you mean "${hint}"?` : ` To declare variable "${input.name}", place a variable block in one of your .pkr.hcl files, such as variables.pkr.hcl.`;
      if (input.source === 'cli') {
        diags.push(error('Undefined -var variable', `A "${input.name}" variable was passed with -var but was not found in known variables.${tail}`));
      } else {
        const d = error('Undefined variable', `A "${input.name}" variable was set in ${input.origin} but was not found in known variables.${tail}`);
        diags.push(input.range ? { ...d, subject: input.range } : d);
      }
      continue;
    }
    let raw: Value;
    if (input.value.kind === 'value') {
      raw = input.value.value;
    } else {
      const parsed = parseInputText(def, input.value.text, input.origin, fnCtx, diags);
      if (parsed === undefined) {
        rejected.add(def.name);
        continue;
      }
      raw = parsed;
    }
    const converted = convertFor(def, raw, input.range, diags, 'Invalid value for variable', input.origin);
    if (converted === undefined) {
      rejected.add(def.name);
      continue;
    }
    assigned.set(def.name, { value: converted, source: input.source });
  }
  for (const def of vars.values()) {
    const got = assigned.get(def.name);
    if (got && !(got.value === null && !def.nullable)) {
      def.value = got.value;
      def.valueSource = got.source;
    } else if (def.default !== undefined) {
      def.value = def.default;
      def.valueSource = 'default';
    } else if (rejected.has(def.name)) {
      def.valueSource = 'unset';
      def.value = UNKNOWN;
    } else {
      def.valueSource = 'unset';
      // Unknown, not null: expressions using it stay quiet instead of cascading errors.
      def.value = UNKNOWN;
      diags.push(
        error(
          `Unset variable "${def.name}"`,
          `The variable "${def.name}" has no default value and was not given a value. Set it with -var ${def.name}=..., in a -var-file or a *.auto.pkrvars.hcl file, or with the PKR_VAR_${def.name} environment variable.`,
          def.nameRange,
        ),
      );
    }
  }
}

/** Runs every `validation` rule; the error_message is the diagnostic's detail on failure. */
export function validateVariables(vars: Map<string, VariableDef>, ctx: EvalContext, diags: Diagnostic[]): void {
  for (const def of vars.values()) {
    if (def.valueSource === 'unset') continue;
    for (const rule of def.validations) {
      const r = evalExpr(rule.condition, ctx);
      diags.push(...r.diagnostics);
      if (r.diagnostics.some((d) => d.severity === 'error') || isUnknown(r.value)) continue;
      if (typeof r.value !== 'boolean') {
        diags.push(error('Invalid validation result', `The condition for variable "${def.name}" must return true or false, not ${JSON.stringify(r.value)}.`, rule.condition.range));
        continue;
      }
      if (!r.value) {
        diags.push({
          ...error('Invalid value for variable', `${rule.errorMessage}\n\nThis was checked by the validation rule at ${rangeText(rule.range)}.`, rule.condition.range),
          context: def.range,
        });
      }
    }
  }
}

/** In JSON syntax a type is written as a string ("list(string)"): parse it as HCL. */
function typeExpr(expr: Expr, diags: Diagnostic[]): Expr {
  const text = literalString(expr);
  if (text === null) return expr;
  const parsed = parseExpression(text, expr.range.filename);
  diags.push(...parsed.diagnostics);
  return parsed.expr ?? expr;
}

function parseInputText(def: VariableDef, text: string, origin: string, fnCtx: EvalContext, diags: Diagnostic[]): Value | undefined {
  // As Packer: string-like types take the text literally; others parse it as an expression.
  const literal = def.type === null ? def.default === undefined || def.default === null || typeof def.default === 'string' || typeof def.default === 'number' : isPrimitiveStringish(def.type);
  if (literal) return text;
  const parsed = parseExpression(text, `<value for var.${def.name} from ${origin}>`);
  diags.push(...parsed.diagnostics);
  if (!parsed.expr) return undefined;
  const r = evalExpr(parsed.expr, fnCtx);
  diags.push(...r.diagnostics);
  if (r.diagnostics.some((d) => d.severity === 'error')) return undefined;
  return r.value;
}

function convertFor(def: VariableDef, value: Value, range: Range | null, diags: Diagnostic[], summary: string, origin?: string): Value | undefined {
  if (def.type === null || value === null) return value;
  const c = convertTo(value, def.type);
  if (c.error === null) return c.value;
  const from = origin ? ` (from ${origin})` : '';
  const d = error(summary, `The value for variable "${def.name}"${from} is not compatible with its type constraint ${def.typeText}: ${c.error}.`);
  diags.push(range ? { ...d, subject: range } : { ...d, subject: def.nameRange });
  return undefined;
}

function constString(expr: Expr | undefined, ctx: EvalContext, diags: Diagnostic[], what: string): string | null {
  if (!expr) return null;
  const lit = literalString(expr);
  if (lit !== null) return lit;
  const r = evalExpr(expr, ctx);
  diags.push(...r.diagnostics);
  if (typeof r.value === 'string') return r.value;
  if (r.diagnostics.length === 0) diags.push(error('Invalid value', `The ${what} must be a string.`, expr.range));
  return null;
}

function constBool(expr: Expr | undefined, ctx: EvalContext, diags: Diagnostic[]): boolean | null {
  if (!expr) return null;
  const r = evalExpr(expr, ctx);
  diags.push(...r.diagnostics);
  if (typeof r.value === 'boolean') return r.value;
  if (r.value === 'true' || r.value === 'false') return r.value === 'true';
  if (r.diagnostics.length === 0) diags.push(error('Invalid value', 'A bool value (true or false) is required here.', expr.range));
  return null;
}

export function isIdentifier(s: string): boolean {
  return /^[\p{L}_][\p{L}\p{N}_-]*$/u.test(s);
}

/** Packer's rule: starts with an uppercase letter, ends with a period or question mark. */
function looksLikeSentences(s: string): boolean {
  const t = s.trim();
  if (t.length < 2) return false;
  const first = t[0] ?? '';
  const last = t[t.length - 1] ?? '';
  return first === first.toUpperCase() && first !== first.toLowerCase() && (last === '.' || last === '?');
}
