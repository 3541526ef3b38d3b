// Validates a plugin's RawConfig against its zod schema the way Packer's config decoding
// does: unknown keys are errors (with a hint), values are converted as cty converts them
// ("true" -> bool, "42" -> number, 42 -> "42"), and every problem is reported at once at
// the key's source range. Values still unknown (run-time `build.*`, or anything during
// `validate`) pass: they are checked again when the build evaluates the block for real.
import { z, type ZodIssue, type ZodTypeAny } from 'zod';
import type { Range } from '../hcl/ast.js';
import type { Diagnostic } from '../hcl/diagnostic.js';
import { isObject, isUnknown, type Value, type ValueObject } from './model/value.js';
import { tryParseDuration } from './duration.js';
import type { Prepared, RawConfig } from './plugin.js';
import { didYouMean } from './suggest.js';

export { parseDuration, tryParseDuration, formatDuration } from './duration.js';

export interface PrepareOptions {
  /** Old or alternative key -> the key the schema uses (Packer's deprecated spellings). */
  aliases?: Record<string, string>;
  /** Keys accepted for compatibility but not used: key -> the warning to show. */
  ignored?: Record<string, string>;
}

type Path = (string | number)[];

export function prepareConfig<S extends ZodTypeAny>(
  schema: S,
  raw: RawConfig,
  opts: PrepareOptions = {},
): Prepared<z.output<S>> {
  const cx: WalkContext = { raw, singleBlocks: new Set(), errors: [], warnings: [] };
  const top = applyTopLevelOptions(raw.values, cx, opts);
  const converted = convert(schema, top, [], cx);
  const parsed = schema.safeParse(converted);
  if (parsed.success) {
    return cx.errors.length > 0
      ? { config: null, warnings: cx.warnings, errors: cx.errors }
      : { config: parsed.data as z.output<S>, warnings: cx.warnings, errors: cx.errors };
  }
  for (const issue of parsed.error.issues) {
    if (touchesUnknown(converted, issue.path)) continue;
    cx.errors.push(issueDiagnostic(issue, schema, raw, sourcePath(issue.path, cx)));
  }
  if (cx.errors.length > 0) return { config: null, warnings: cx.warnings, errors: cx.errors };
  // Only unknown values failed: the config is incomplete but valid as far as can be known.
  const incomplete: z.output<S> = converted;
  return { config: incomplete, warnings: cx.warnings, errors: [] };
}

/** The range of a key path, falling back to its closest parent, then the block. */
export function rangeOf(raw: RawConfig, path: readonly (string | number)[]): Range {
  for (let n = path.length; n > 0; n--) {
    const r = raw.ranges.get(path.slice(0, n).join('.'));
    if (r) return r;
  }
  return raw.blockRange;
}

/** A diagnostic about one key, for checks a schema cannot express. */
export function diagnosticAt(
  raw: RawConfig,
  path: readonly (string | number)[],
  summary: string,
  detail: string,
  severity: 'error' | 'warning' = 'error',
): Diagnostic {
  return { severity, summary, detail, subject: rangeOf(raw, path) };
}

/**
 * During a build every value must be known; one still unknown refers to a `build.*`
 * value this builder never provides. One error per unknown value, at its key.
 */
export function unknownValueDiagnostics(raw: RawConfig): Diagnostic[] {
  const out: Diagnostic[] = [];
  const visit = (v: Value, path: (string | number)[]): void => {
    if (isUnknown(v)) {
      out.push(
        diagnosticAt(
          raw,
          path,
          'Value not known at build time',
          `The value of "${displayPath(path)}" depends on a build variable (build.*) that this builder does not provide.`,
        ),
      );
    } else if (Array.isArray(v)) v.forEach((x, i) => visit(x, [...path, i]));
    else if (isObject(v)) for (const [k, x] of Object.entries(v)) visit(x, [...path, k]);
  };
  visit(raw.values, []);
  return out;
}

/** A Go duration string ("1m30s") as milliseconds. */
export function durationSchema(): z.ZodEffects<z.ZodString, number, string> {
  return z.string().transform((s, ctx) => {
    const ms = tryParseDuration(s);
    if (ms === null) {
      ctx.addIssue({ code: 'custom', message: `must be a duration such as "1m30s", got "${s}"` });
      return z.NEVER;
    }
    return ms;
  });
}

/* ---------------------------------------------------------------------------------------- */

interface WalkContext {
  raw: RawConfig;
  /** Paths of single blocks given as a list of one: "network" was written at "network.0". */
  singleBlocks: Set<string>;
  errors: Diagnostic[];
  warnings: Diagnostic[];
}

function applyTopLevelOptions(values: ValueObject, cx: WalkContext, opts: PrepareOptions): ValueObject {
  const out: ValueObject = {};
  for (const [key, v] of Object.entries(values)) {
    const ignoredText = opts.ignored?.[key];
    if (ignoredText !== undefined) {
      cx.warnings.push(diagnosticAt(cx.raw, [key], 'Argument is ignored', ignoredText, 'warning'));
      continue;
    }
    const target = opts.aliases?.[key];
    if (target !== undefined) {
      if (key in values && target in values) {
        cx.errors.push(
          diagnosticAt(
            cx.raw,
            [key],
            'Conflicting arguments',
            `"${key}" is another name for "${target}"; set only one of them.`,
          ),
        );
        continue;
      }
      out[target] = v;
      continue;
    }
    out[key] = v;
  }
  return out;
}

/** Unwraps optional/default/nullable/effects wrappers down to the type that decides conversion. */
export function baseType(schema: ZodTypeAny): ZodTypeAny {
  let s = schema;
  for (;;) {
    if (s instanceof z.ZodOptional || s instanceof z.ZodNullable) s = s.unwrap() as ZodTypeAny;
    else if (s instanceof z.ZodDefault) s = s._def.innerType as ZodTypeAny;
    else if (s instanceof z.ZodEffects) s = s.innerType() as ZodTypeAny;
    else if (s instanceof z.ZodBranded) s = s.unwrap() as ZodTypeAny;
    else if (s instanceof z.ZodCatch) s = s._def.innerType as ZodTypeAny;
    else if (s instanceof z.ZodPipeline) s = s._def.in as ZodTypeAny;
    else if (s instanceof z.ZodLazy) s = s.schema as ZodTypeAny;
    else return s;
  }
}

function convert(schema: ZodTypeAny, value: Value | undefined, path: Path, cx: WalkContext): Value | undefined {
  if (value === undefined || isUnknown(value)) return value;
  const base = baseType(schema);
  if (base instanceof z.ZodObject) return convertObject(base as z.ZodObject<z.ZodRawShape>, value, path, cx);
  if (base instanceof z.ZodArray) {
    const el = base.element as ZodTypeAny;
    if (Array.isArray(value)) return value.map((v, i) => convert(el, v, [...path, i], cx) ?? null);
    // A single nested block where a list of blocks is expected.
    if (isObject(value) && baseType(el) instanceof z.ZodObject) return [convert(el, value, [...path, 0], cx) ?? null];
    return value;
  }
  if (base instanceof z.ZodRecord) {
    if (!isObject(value)) return value;
    const vs = base.valueSchema as ZodTypeAny;
    const out: ValueObject = {};
    for (const [k, v] of Object.entries(value)) out[k] = convert(vs, v, [...path, k], cx) ?? null;
    return out;
  }
  if (base instanceof z.ZodString) {
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    return value;
  }
  if (base instanceof z.ZodNumber) {
    if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
    return value;
  }
  if (base instanceof z.ZodBoolean) {
    if (value === 'true') return true;
    if (value === 'false') return false;
    return value;
  }
  return value;
}

function convertObject(
  schema: z.ZodObject<z.ZodRawShape>,
  value: Value,
  path: Path,
  cx: WalkContext,
): Value | undefined {
  let v = value;
  // Nested blocks arrive as lists; a block that may appear once is a list of one.
  if (Array.isArray(v)) {
    if (v.length === 0) return undefined;
    if (v.length > 1) {
      const name = String(path[path.length - 1] ?? 'block');
      cx.errors.push(
        diagnosticAt(cx.raw, [...path, 1], 'Duplicate block', `Only one "${name}" block is allowed here.`),
      );
    }
    v = v[0] ?? null;
    cx.singleBlocks.add(path.join('.'));
    path = [...path, 0];
  }
  if (!isObject(v)) return v;
  const shape = schema.shape;
  // A schema that deliberately accepts any key (`.passthrough()`) keeps unknown keys as given.
  const open = schema._def.unknownKeys === 'passthrough';
  const out: ValueObject = {};
  for (const [key, item] of Object.entries(v)) {
    const field: ZodTypeAny | undefined = shape[key];
    if (!field && open) {
      out[key] = item;
      continue;
    }
    if (!field) {
      const hint = didYouMean(key, Object.keys(shape));
      cx.errors.push(
        diagnosticAt(
          cx.raw,
          [...path, key],
          'Unsupported argument',
          `An argument named "${key}" is not expected here.${hint ? ` Did you mean "${hint}"?` : ''}`,
        ),
      );
      continue;
    }
    const c = convert(field, item, [...path, key], cx);
    if (c !== undefined) out[key] = c;
  }
  return out;
}

/** The path as written in the source, where ranges are keyed. */
function sourcePath(path: readonly (string | number)[], cx: WalkContext): (string | number)[] {
  const out: (string | number)[] = [];
  const logical: (string | number)[] = [];
  for (const seg of path) {
    out.push(seg);
    logical.push(seg);
    if (cx.singleBlocks.has(logical.join('.'))) out.push(0);
  }
  return out;
}

function touchesUnknown(root: Value | undefined, path: readonly (string | number)[]): boolean {
  let cur: unknown = root;
  for (const seg of path) {
    if (isUnknown(cur)) return true;
    if (cur === null || typeof cur !== 'object') return false;
    cur = (cur as Record<string | number, unknown>)[seg];
  }
  return isUnknown(cur);
}

function issueDiagnostic(issue: ZodIssue, schema: ZodTypeAny, raw: RawConfig, at: (string | number)[]): Diagnostic {
  const key = lastKey(issue.path);
  const shown = displayPath(issue.path);
  if (issue.code === 'invalid_type' && issue.received === 'undefined') {
    return {
      severity: 'error',
      summary: 'Missing required argument',
      detail: `The argument "${shown}" is required, but no definition was found.`,
      subject: rangeOf(raw, at.slice(0, -1)),
    };
  }
  if (issue.code === 'invalid_type') {
    const target = schemaAt(schema, issue.path);
    const wanted = target ? describeType(target) : issue.expected;
    return diagnosticAt(
      raw,
      at,
      'Incorrect attribute value type',
      `Inappropriate value for attribute "${key}": ${withArticle(wanted)} is required.`,
    );
  }
  if (issue.code === 'invalid_enum_value') {
    const options = issue.options.map((o) => `"${String(o)}"`).join(', ');
    return diagnosticAt(
      raw,
      at,
      'Invalid value',
      `The argument "${shown}" must be one of ${options}; got "${String(issue.received)}".`,
    );
  }
  const msg = issue.message.replace(/\.$/, '');
  return diagnosticAt(
    raw,
    at,
    'Invalid value',
    shown ? `Invalid value for "${shown}": ${msg}.` : `${msg}.`,
  );
}

function lastKey(path: readonly (string | number)[]): string {
  for (let i = path.length - 1; i >= 0; i--) {
    const p = path[i];
    if (typeof p === 'string') return p;
  }
  return '';
}

/** `tag[0].key`, as HCL writes traversals. */
function displayPath(path: readonly (string | number)[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

function schemaAt(schema: ZodTypeAny, path: readonly (string | number)[]): ZodTypeAny | null {
  let cur: ZodTypeAny = schema;
  for (const seg of path) {
    const base = baseType(cur);
    if (base instanceof z.ZodObject) {
      const next = (base.shape as Record<string, ZodTypeAny>)[String(seg)];
      if (!next) return null;
      cur = next;
    } else if (base instanceof z.ZodArray) cur = base.element as ZodTypeAny;
    else if (base instanceof z.ZodRecord) cur = base.valueSchema as ZodTypeAny;
    else return null;
  }
  return cur;
}

function describeType(schema: ZodTypeAny): string {
  const b = baseType(schema);
  if (b instanceof z.ZodString || b instanceof z.ZodEnum) return 'string';
  if (b instanceof z.ZodNumber) return 'number';
  if (b instanceof z.ZodBoolean) return 'bool';
  if (b instanceof z.ZodArray) return `list of ${describeType(b.element as ZodTypeAny)}`;
  if (b instanceof z.ZodRecord) return `map of ${describeType(b.valueSchema as ZodTypeAny)}`;
  if (b instanceof z.ZodObject) return 'object';
  return 'value';
}

function withArticle(t: string): string {
  return /^[aeiou]/.test(t) ? `an ${t}` : `a ${t}`;
}
