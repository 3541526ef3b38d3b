// Function calls: lookup with did-you-mean, `...` expansion of the final argument, arity
// checks worded as HCL words them, unknown short-circuit (a call with an unknown argument
// is unknown and the function never runs), and FunctionError turned into a diagnostic.
// try(), can() and convert() are special forms: they need their arguments unevaluated.
import type { CallExpr, Expr, Range } from '../../hcl/ast.js';
import { ImgbuildError } from '../../core/errors.js';
import { UNKNOWN, containsUnknown, isUnknown, type Value } from '../../core/model/value.js';
import { convertToType } from './convert-type.js';
import { diag, lastCharRange, suggestion } from './diag.js';
import type { Evaluator } from './evaluator.js';
import { FunctionError, type FunctionDef } from './function-api.js';
import { compareStrings } from './primitives.js';
import type { Scope } from './scope.js';
import { evalCan, evalTry, SPECIAL_FORMS } from './special-forms.js';
import { parseTypeExprWith } from './type-expr.js';

interface Signature {
  name: string;
  params: readonly { name: string }[];
  variadic?: { name: string } | undefined;
}

export function evalCall(ev: Evaluator, call: CallExpr, scope: Scope): Value {
  if (scope.functions.size === 0) {
    return ev.fail(diag('Function calls not allowed', 'Functions may not be called here.', call.range));
  }
  switch (call.name) {
    case 'can':
      return checkArity(ev, call, SPECIAL_FORMS.can, call.args) ? evalCan(ev, call, scope) : UNKNOWN;
    case 'try':
      return checkArity(ev, call, SPECIAL_FORMS.try, call.args) ? evalTry(ev, call, scope) : UNKNOWN;
    case 'convert':
      return checkArity(ev, call, SPECIAL_FORMS.convert, call.args) ? evalConvert(ev, call, scope) : UNKNOWN;
  }
  const def = scope.functions.get(call.name) ?? PASS_THROUGH.get(call.name);
  if (!def) {
    const names = [...new Set([...scope.functions.keys(), ...Object.keys(SPECIAL_FORMS), ...PASS_THROUGH.keys()])].sort(compareStrings);
    return ev.fail(
      diag('Call to unknown function', `There is no function named ${JSON.stringify(call.name)}.${suggestion(call.name, names)}`, call.nameRange, call.range),
    );
  }
  const args = evalArgs(ev, call, scope);
  if (args === null) return UNKNOWN;
  if (!checkArity(ev, call, def, args.exprs)) return UNKNOWN;
  if (args.failed || args.values.some(containsUnknown)) return UNKNOWN;
  return invoke(ev, call, def, args, scope);
}

interface EvaluatedArgs {
  values: Value[];
  /** The expression each value came from; expanded values share the `...` argument's. */
  exprs: Expr[];
  /** Some argument had errors: the call is not made. */
  failed: boolean;
}

/** The argument values, or null when the call's result is unknown or failed already. */
function evalArgs(ev: Evaluator, call: CallExpr, scope: Scope): EvaluatedArgs | null {
  const before = ev.diags.length;
  const values: Value[] = [];
  const exprs: Expr[] = [];
  let expansion: 'none' | 'unknown' | 'invalid' = 'none';
  call.args.forEach((arg, i) => {
    const v = ev.eval(arg, scope);
    if (!(call.expandFinal && i === call.args.length - 1)) {
      values.push(v);
      exprs.push(arg);
    } else if (isUnknown(v)) {
      // How many arguments an unknown list holds is unknown too: arity cannot be checked.
      expansion = 'unknown';
    } else if (v === null || !Array.isArray(v)) {
      const why = v === null ? 'must not be null' : 'must be of a tuple, list, or set type';
      ev.fail(diag('Invalid expanding argument value', `The expanding argument (indicated by ...) ${why}.`, arg.range, call.range));
      expansion = 'invalid';
    } else {
      for (const e of v) {
        values.push(e);
        exprs.push(arg);
      }
    }
  });
  if (expansion !== 'none') return null;
  return { values, exprs, failed: ev.errorsSince(before) };
}

/** Reports a wrong number of arguments; true when the count is acceptable. */
function checkArity(ev: Evaluator, call: CallExpr, sig: Signature, args: readonly Expr[]): boolean {
  const params = sig.params;
  const signature = (): string =>
    ` The signature is ${sig.name}(${[...params.map((p) => p.name), ...(sig.variadic ? [`${sig.variadic.name}...`] : [])].join(', ')}).`;
  const missing = params[args.length];
  if (missing) {
    const qual = sig.variadic ? ' at least' : '';
    ev.fail(
      diag(
        'Not enough function arguments',
        `Function ${JSON.stringify(call.name)} expects${qual} ${params.length} argument(s). Missing value for ${JSON.stringify(missing.name)}.${signature()}`,
        lastCharRange(call.range),
        call.range,
      ),
    );
    return false;
  }
  const extra = args[params.length];
  if (!sig.variadic && extra) {
    ev.fail(
      diag(
        'Too many function arguments',
        `Function ${JSON.stringify(call.name)} expects only ${params.length} argument(s).${signature()}`,
        extra.range,
        call.range,
      ),
    );
    return false;
  }
  return true;
}

function invoke(ev: Evaluator, call: CallExpr, def: FunctionDef, args: EvaluatedArgs, scope: Scope): Value {
  try {
    return def.impl(args.values, scope.functionContext);
  } catch (e) {
    if (e instanceof FunctionError) {
      const argExpr = e.argIndex === null ? undefined : args.exprs[e.argIndex];
      const subject: Range = argExpr ? argExpr.range : call.range;
      return ev.fail(diag(e.summary, e.message, subject, call.range));
    }
    // Another user-facing error escaping a function (a conversion it did itself) is still
    // the template's problem, not a crash; anything else is a bug and propagates.
    if (e instanceof ImgbuildError && e.source === 'user') {
      const reason = e.message.replace(/\.$/, '');
      return ev.fail(diag('Error in function call', `Call to function ${JSON.stringify(call.name)} failed: ${reason}.`, call.range));
    }
    throw e;
  }
}

// sensitive() and nonsensitive() only mark values for redaction elsewhere; when the scope's
// library does not define them, they pass their argument through.
const PASS_THROUGH = new Map<string, FunctionDef>(
  ['sensitive', 'nonsensitive'].map((name) => [name, { name, params: [{ name: 'value', allowNull: true }], impl: (args: Value[]) => args[0] ?? null }]),
);

function evalConvert(ev: Evaluator, call: CallExpr, scope: Scope): Value {
  const [valueExpr, typeExpr] = call.args;
  if (!valueExpr || !typeExpr) return UNKNOWN;
  const value = ev.eval(valueExpr, scope);
  const parsed = parseTypeExprWith(typeExpr, (e, s) => ev.evaluateAlone(e, s));
  ev.diags.push(...parsed.diagnostics);
  if (parsed.type === null) return UNKNOWN;
  const converted = convertToType(value, parsed.type);
  if (converted.error !== null) {
    return ev.fail(diag('Invalid function argument', `Invalid value for "value" parameter: ${converted.error}.`, valueExpr.range, call.range));
  }
  return converted.value;
}
