// The printf engine behind format() and formatlist(), following cty's format.go: the verb
// set, flags, width/precision in grapheme clusters, %[n] argument indices, and its errors.
import { ConversionError, toBoolValue, toNumberValue, toStringValue } from '../convert.js';
import type { Value } from '../../core/model/value.js';
import { graphemes, marshalJSON, quoteJSON } from './shared.js';
import { MAX_STRING_RESULT } from './types.js';

/** A format failure; the message is cty's wording, without the function-call framing. */
export class FormatError extends Error {}

interface Verb {
  raw: string;
  offset: number;
  argNum: number;
  mode: string;
  zero: boolean;
  sharp: boolean;
  plus: boolean;
  minus: boolean;
  space: boolean;
  width: number; // -1 when absent
  prec: number; // -1 when absent
}

const FLAGS = ' #+-0';
const VERBS = 'vtbdoxXeEfgGsq';

export function formatString(fmt: string, args: readonly Value[]): string {
  let out = '';
  let nextArg = 1;
  let maxUsed = 0;
  let verbs = 0;
  let i = 0;
  while (i < fmt.length) {
    const pct = fmt.indexOf('%', i);
    if (pct < 0) {
      out += fmt.slice(i);
      break;
    }
    out += fmt.slice(i, pct);
    if (fmt[pct + 1] === '%') {
      out += '%';
      i = pct + 2;
      continue;
    }
    const offset = Buffer.byteLength(fmt.slice(0, pct));
    const verb: Verb = {
      raw: '',
      offset,
      argNum: nextArg,
      mode: '',
      zero: false,
      sharp: false,
      plus: false,
      minus: false,
      space: false,
      width: -1,
      prec: -1,
    };
    let p = pct + 1;
    while (p < fmt.length && FLAGS.includes(fmt[p] as string)) {
      const f = fmt[p];
      if (f === ' ') verb.space = true;
      else if (f === '#') verb.sharp = true;
      else if (f === '+') verb.plus = true;
      else if (f === '-') verb.minus = true;
      else verb.zero = true;
      p++;
    }
    if (fmt[p] === '[') {
      const m = /^\[([1-9]\d*)\]/.exec(fmt.slice(p));
      if (!m) throw unrecognized(fmt, p + 1);
      verb.argNum = Number(m[1]);
      p += m[0].length;
    }
    const w = /^\d+/.exec(fmt.slice(p));
    if (w) {
      verb.width = Number(w[0]);
      p += w[0].length;
    }
    if (fmt[p] === '.') {
      const pr = /^\d+/.exec(fmt.slice(p + 1));
      if (!pr) throw unrecognized(fmt, p + 1);
      verb.prec = Number(pr[0]);
      p += 1 + pr[0].length;
    }
    // "%999999999s" would build a string of that many spaces before anything could refuse it.
    if (verb.width > MAX_STRING_RESULT || verb.prec > MAX_STRING_RESULT) {
      throw new FormatError(`width or precision ${Math.max(verb.width, verb.prec)} is more than the limit of ${MAX_STRING_RESULT}`);
    }
    if (p >= fmt.length) throw new FormatError(`extraneous characters beginning at offset ${offset}`);
    const mode = String.fromCodePoint(fmt.codePointAt(p) as number);
    if (!/^[a-zA-Z]$/.test(mode)) throw unrecognized(fmt, p);
    verb.mode = mode;
    p += mode.length;
    verb.raw = fmt.slice(pct, p);
    out += formatVerb(verb, args);
    verbs++;
    maxUsed = Math.max(maxUsed, verb.argNum);
    nextArg = verb.argNum + 1;
    i = p;
  }
  if (args.length > maxUsed) {
    if (verbs === 0) throw new FormatError('too many arguments; no verbs in format string');
    throw new FormatError(`too many arguments; only ${maxUsed} used by format string`);
  }
  return out;
}

function unrecognized(fmt: string, p: number): FormatError {
  const ch = p < fmt.length ? String.fromCodePoint(fmt.codePointAt(p) as number) : '';
  return new FormatError(`unrecognized format character '${ch}' at offset ${Buffer.byteLength(fmt.slice(0, p))}`);
}

function formatVerb(verb: Verb, args: readonly Value[]): string {
  if (verb.argNum > args.length) {
    throw new FormatError(
      `not enough arguments for ${JSON.stringify(verb.raw)} at ${verb.offset}: need index ${verb.argNum} but have ${args.length} total`,
    );
  }
  const arg = args[verb.argNum - 1] as Value;
  const where = `${JSON.stringify(verb.raw)} at ${verb.offset}`;
  if (verb.mode !== 'v' && arg === null) {
    throw new FormatError(`unsupported value for ${where}: null value cannot be formatted`);
  }
  if (!VERBS.includes(verb.mode)) {
    throw new FormatError(`unsupported format verb '${verb.mode}' in ${JSON.stringify(verb.raw)} at offset ${verb.offset}`);
  }
  const convert = <T>(fn: (v: Value) => T): T => {
    try {
      return fn(arg);
    } catch (e) {
      if (e instanceof ConversionError) throw new FormatError(`unsupported value for ${where}: ${e.message}`);
      throw e;
    }
  };
  switch (verb.mode) {
    case 'v':
      if (!verb.sharp && typeof arg === 'string') return padWidth(verb, arg);
      if (!verb.sharp && typeof arg === 'number') return padWidth(verb, formatG(arg, -1, false));
      try {
        return padWidth(verb, marshalJSON(arg));
      } catch (e) {
        throw new FormatError(`unsupported value for ${where}: ${e instanceof Error ? e.message : String(e)}`);
      }
    case 't':
      return convert(toBoolValue) ? 'true' : 'false';
    case 's':
    case 'q': {
      let s = convert(toStringValue);
      if (verb.prec > 0) s = graphemes(s).slice(0, verb.prec).join('');
      return padWidth(verb, verb.mode === 'q' ? quoteJSON(s) : s);
    }
    default: {
      const n = convert(toNumberValue);
      if ('bdoxX'.includes(verb.mode)) {
        if (!Number.isInteger(n)) throw new FormatError(`unsupported value for ${where}: an integer is required`);
        return formatInteger(verb, n);
      }
      return formatFloat(verb, n);
    }
  }
}

/** Pads to the verb's width in grapheme clusters, as cty's formatPadWidth does. */
function padWidth(verb: Verb, s: string): string {
  if (verb.width < 0) return s;
  const len = graphemes(s).length;
  if (len >= verb.width) return s;
  const pad = (verb.zero ? '0' : ' ').repeat(verb.width - len);
  return verb.minus ? s + pad : pad + s;
}

/** Sign, then zero or space padding the way Go's fmt pads numbers. */
function padNumber(verb: Verb, negative: boolean, body: string, zeroAllowed: boolean): string {
  const sign = negative ? '-' : verb.plus ? '+' : verb.space ? ' ' : '';
  const len = sign.length + body.length;
  if (verb.width < 0 || len >= verb.width) return sign + body;
  const n = verb.width - len;
  if (verb.minus) return sign + body + ' '.repeat(n);
  if (verb.zero && zeroAllowed) return sign + '0'.repeat(n) + body;
  return ' '.repeat(n) + sign + body;
}

function formatInteger(verb: Verb, n: number): string {
  const big = BigInt(n);
  const negative = big < 0n;
  const abs = negative ? -big : big;
  const radix = verb.mode === 'b' ? 2 : verb.mode === 'o' ? 8 : verb.mode === 'd' ? 10 : 16;
  let digits = abs.toString(radix);
  if (verb.mode === 'X') digits = digits.toUpperCase();
  if (verb.prec >= 0) {
    // Go: precision is the minimum number of digits; zero with precision 0 prints nothing.
    digits = verb.prec === 0 && abs === 0n ? '' : digits.padStart(verb.prec, '0');
  }
  let prefix = '';
  if (verb.sharp) prefix = { b: '0b', o: '0', x: '0x', X: '0X', d: '' }[verb.mode] ?? '';
  if (prefix === '0' && digits.startsWith('0')) prefix = '';
  return padNumber(verb, negative, prefix + digits, verb.prec < 0);
}

function formatFloat(verb: Verb, n: number): string {
  const negative = n < 0 || Object.is(n, -0);
  const abs = Math.abs(n);
  if (!Number.isFinite(abs)) return padNumber({ ...verb, plus: true }, negative, 'Inf', false);
  let body: string;
  switch (verb.mode) {
    case 'e':
    case 'E':
      body = formatE(abs, verb.prec < 0 ? 6 : verb.prec);
      break;
    case 'f':
      body = formatF(abs, verb.prec < 0 ? 6 : verb.prec);
      break;
    default:
      body = formatG(abs, verb.prec, verb.sharp);
  }
  if (verb.mode === 'E' || verb.mode === 'G') body = body.toUpperCase();
  return padNumber(verb, negative, body, true);
}

/** Go's %e: correctly rounded (half to even on exact ties), at least two exponent digits. */
function formatE(abs: number, prec: number): string {
  const { digits, exp } = roundSignificant(abs, prec + 1);
  const frac = digits.slice(1);
  const e = exp - 1;
  return `${digits[0] ?? '0'}${frac ? `.${frac}` : ''}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
}

/** Go's %f: correctly rounded (half to even on exact ties), never an exponent. */
function formatF(abs: number, prec: number): string {
  const q = roundScaled(abs, prec).toString().padStart(prec + 1, '0');
  return prec > 0 ? `${q.slice(0, -prec)}.${q.slice(-prec)}` : q;
}

/** The exact binary value of a finite double as m * 2^e. */
function decompose(x: number): { m: bigint; e: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const rawExp = Number((bits >> 52n) & 0x7ffn);
  const frac = bits & ((1n << 52n) - 1n);
  return rawExp === 0 ? { m: frac, e: -1074 } : { m: frac | (1n << 52n), e: rawExp - 1075 };
}

/** round(x * 10^k) to an integer, exactly, ties to even (as Go's big.Float formatting). */
function roundScaled(x: number, k: number): bigint {
  const { m, e } = decompose(x);
  let num = m;
  let den = 1n;
  if (e >= 0) num <<= BigInt(e);
  else den <<= BigInt(-e);
  if (k >= 0) num *= 10n ** BigInt(k);
  else den *= 10n ** BigInt(-k);
  const q = num / den;
  const r2 = (num % den) * 2n;
  if (r2 > den || (r2 === den && q % 2n === 1n)) return q + 1n;
  return q;
}

/** x rounded to n significant digits: digit string and decimal point position (x = 0.digits * 10^exp). */
function roundSignificant(x: number, n: number): { digits: string; exp: number } {
  if (x === 0) return { digits: '0'.repeat(n), exp: 1 };
  let exp = Math.floor(Math.log10(x)) + 1;
  let q = roundScaled(x, n - exp);
  // log10 can be off by one near powers of ten, and rounding can carry into a new digit.
  if (q >= 10n ** BigInt(n)) {
    exp++;
    q = roundScaled(x, n - exp);
  } else if (q < 10n ** BigInt(n - 1)) {
    exp--;
    q = roundScaled(x, n - exp);
  }
  return { digits: q.toString(), exp };
}

/**
 * Go's %g (big.Float semantics): shortest representation when prec < 0; exponent form
 * when the decimal exponent is below -4 or at least the precision (6 for shortest).
 */
function formatG(n: number, prec: number, sharp: boolean): string {
  const negative = n < 0;
  const abs = Math.abs(n);
  if (abs === 0) return negative ? '-0' : '0';
  const p = prec === 0 ? 1 : prec;
  let mant: string;
  let dp: number;
  if (p < 0) {
    // JS's shortest round-trip digits are what Go's shortest formatting produces too.
    const parts = abs.toExponential().split('e');
    mant = (parts[0] ?? '').replace('.', '');
    dp = Number(parts[1]) + 1;
  } else {
    ({ digits: mant, exp: dp } = roundSignificant(abs, p));
  }
  if (!sharp) mant = mant.replace(/0+$/, '') || '0';
  const eprec = p < 0 ? 6 : p > mant.length && mant.length >= dp ? mant.length : p;
  const x = dp - 1;
  let body: string;
  if (x < -4 || x >= eprec) {
    const frac = mant.slice(1);
    body = `${mant[0]}${frac ? `.${frac}` : ''}e${x < 0 ? '-' : '+'}${String(Math.abs(x)).padStart(2, '0')}`;
  } else if (dp <= 0) {
    body = `0.${'0'.repeat(-dp)}${mant}`;
  } else if (dp >= mant.length) {
    body = mant + '0'.repeat(dp - mant.length);
  } else {
    body = `${mant.slice(0, dp)}.${mant.slice(dp)}`;
  }
  return (negative ? '-' : '') + body;
}
