// The function contract and the argument accessors every family uses. Argument errors are
// worded as HCL words them ('Invalid value for "str" parameter: ...') so the evaluator can
// put them in a diagnostic unchanged.
import { ImgbuildError } from '../../core/errors.js';
import { ConversionError, toBoolValue, toNumberValue, toStringValue } from '../convert.js';
import { isObject, typeName, type Value, type ValueObject } from '../../core/model/value.js';

export interface FunctionContext {
  /** Directory relative paths resolve from (Packer: the current working directory). */
  baseDir: string;
  now(): Date;
  /** Renders an HCL string template (templatefile); provided by the evaluator, which owns the parser. */
  renderTemplate(text: string, vars: ValueObject, filename: string): Value;
  /** The largest file the file functions read, in bytes; DEFAULT_MAX_FILE_BYTES when absent. */
  maxFileBytes?: number;
}

/**
 * 16 MiB: far above any file a template embeds (scripts, keys, cloud-init), far below what
 * would exhaust memory once held as a string. IMGBUILD_MAX_FILE_SIZE raises it.
 */
export const DEFAULT_MAX_FILE_BYTES = 16 * 1024 * 1024;

export interface ParamSpec {
  name: string;
  type?: string;
  allowNull?: boolean;
}

export interface VariadicSpec {
  name: string;
  type?: string;
  /** Whether null may be passed in the variadic positions (format's args, merge's maps...). */
  allowNull?: boolean;
}

export interface FunctionDef {
  name: string;
  /** Fixed parameters, for arity checks and messages ("format(fmt, args...)"). */
  params: ParamSpec[];
  variadic?: VariadicSpec;
  /** Set on functions whose result is not a pure function of their arguments. */
  impure?: boolean;
  impl(args: Value[], ctx: FunctionContext): Value;
}

/**
 * A function call failed. `message` is the HCL diagnostic detail; `summary` the matching
 * HCL summary; `argIndex` the argument to underline, or null when the call as a whole failed.
 */
export class FunctionError extends ImgbuildError {
  readonly argIndex: number | null;
  readonly summary: string;
  /** The bare reason, without the "Invalid value for ..." framing. */
  readonly reason: string;
  constructor(message: string, argIndex: number | null, reason: string) {
    super('E_FUNCTION', message, { source: 'user' });
    this.name = 'FunctionError';
    this.argIndex = argIndex;
    this.summary = argIndex === null ? 'Error in function call' : 'Invalid function argument';
    this.reason = reason;
  }
}

interface Spec {
  name: string;
  params: ParamSpec[];
  variadic?: VariadicSpec;
  impure?: boolean;
}

/** Builds a FunctionDef whose implementation reads its arguments through an Args. */
export function define(spec: Spec, impl: (a: Args, ctx: FunctionContext) => Value): FunctionDef {
  const def: FunctionDef = {
    name: spec.name,
    params: spec.params,
    impl: (args, ctx) => {
      const a = new Args(spec, args);
      try {
        return checkSize(a, nfc(impl(a, ctx)));
      } catch (e) {
        // A result too big for a JS string or array (indent(1e9, ...)) is the user's
        // problem, not a crash.
        if (e instanceof RangeError) throw a.fail(`the result is too large (${e.message})`);
        throw e;
      }
    },
  };
  if (spec.variadic) def.variadic = spec.variadic;
  if (spec.impure) def.impure = true;
  return def;
}

/** The longest string a function may return, in UTF-16 units (32 MiB of memory). */
export const MAX_STRING_RESULT = 16 * 1024 * 1024;
/** The most elements a function's result may hold at its top level. */
export const MAX_LIST_RESULT = 1_000_000;
/** How deep a decoded value (jsondecode, yamldecode) may nest; every value walker recurses on it. */
export const MAX_VALUE_DEPTH = 256;

/**
 * Results past the limits are refused with a diagnostic: the next function or the
 * evaluator would only make copies of them until the heap gives out.
 */
function checkSize(a: Args, v: Value): Value {
  if (typeof v === 'string' && v.length > MAX_STRING_RESULT) {
    throw a.fail(`the result would be a string of ${v.length} characters; the limit is ${MAX_STRING_RESULT}`);
  }
  if (Array.isArray(v) && v.length > MAX_LIST_RESULT) {
    throw a.fail(`the result would have ${v.length} elements; the limit is ${MAX_LIST_RESULT}`);
  }
  return v;
}

/**
 * cty normalises every string it holds to NFC, so what Packer's functions return (file
 * contents, decoded base64, parsed JSON and YAML) is NFC; so is ours.
 */
function nfc(v: Value): Value {
  if (typeof v === 'string') return v.normalize('NFC');
  if (Array.isArray(v)) return v.map(nfc);
  if (isObject(v)) {
    const out: ValueObject = {};
    for (const [k, x] of Object.entries(v)) {
      Object.defineProperty(out, k.normalize('NFC'), { value: nfc(x), enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
  return v;
}

/** Typed access to call arguments; every accessor reports failures against its parameter. */
export class Args {
  constructor(
    private readonly spec: Spec,
    readonly values: readonly Value[],
  ) {}

  get length(): number {
    return this.values.length;
  }

  paramName(i: number): string {
    return this.spec.params[i]?.name ?? this.spec.variadic?.name ?? `arg${i}`;
  }

  /** An error about argument i. */
  error(i: number, reason: string): FunctionError {
    return new FunctionError(`Invalid value for "${this.paramName(i)}" parameter: ${reason}.`, i, reason);
  }

  /** An error about the call as a whole. */
  fail(reason: string): FunctionError {
    return new FunctionError(`Call to function "${this.spec.name}" failed: ${reason}.`, null, reason);
  }

  has(i: number): boolean {
    return i < this.values.length;
  }

  /** The raw argument; null when absent. */
  raw(i: number): Value {
    return this.values[i] ?? null;
  }

  /** Arguments from index `from` on (the variadic ones). */
  rest(from: number): Value[] {
    return this.values.slice(from);
  }

  nonNull(i: number): Value {
    const v = this.raw(i);
    if (v === null) throw this.error(i, 'argument must not be null');
    return v;
  }

  /** A string argument, NFC-normalised as every cty string is. */
  str(i: number): string {
    return this.convert(i, toStringValue).normalize('NFC');
  }

  num(i: number): number {
    return this.convert(i, toNumberValue);
  }

  /** A number that must be whole (indices, sizes, counts). */
  int(i: number): number {
    const n = this.num(i);
    if (!Number.isInteger(n)) throw this.error(i, 'value must be a whole number');
    return n;
  }

  bool(i: number): boolean {
    return this.convert(i, toBoolValue);
  }

  /** A list, set or tuple. */
  list(i: number): Value[] {
    const v = this.nonNull(i);
    if (!Array.isArray(v)) throw this.error(i, `list of ${this.elementTypeOf(i)} required`);
    return v;
  }

  /** A list whose elements convert to strings (null elements rejected). */
  strList(i: number): string[] {
    return this.list(i).map((e, j) => this.element(i, j, e, toStringValue).normalize('NFC'));
  }

  numList(i: number): number[] {
    return this.list(i).map((e, j) => this.element(i, j, e, toNumberValue));
  }

  /** A map or object. */
  obj(i: number): ValueObject {
    const v = this.nonNull(i);
    if (!isObject(v)) throw this.error(i, `map or object required, but have ${typeName(v)}`);
    return v;
  }

  private convert<T>(i: number, fn: (v: Value) => T): T {
    const v = this.nonNull(i);
    try {
      return fn(v);
    } catch (e) {
      if (e instanceof ConversionError) throw this.error(i, e.message);
      throw e;
    }
  }

  private element<T>(i: number, j: number, e: Value, fn: (v: Value) => T): T {
    if (e === null) throw this.error(i, `element ${j} is null`);
    try {
      return fn(e);
    } catch (err) {
      if (err instanceof ConversionError) throw this.error(i, `element ${j}: ${err.message}`);
      throw err;
    }
  }

  private elementTypeOf(i: number): string {
    const t = this.spec.params[i]?.type ?? this.spec.variadic?.type ?? '';
    const m = /^(?:list|set)\((.*)\)$/.exec(t);
    return m?.[1] ?? 'any single type';
  }
}
