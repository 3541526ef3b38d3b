// Date and time functions: timestamp, timeadd, formatdate (cty's datetime.go) and Packer's
// legacy_isotime (Go reference-time layouts) and legacy_strftime (C strftime). Timestamps
// keep their UTC offset and nanoseconds, as Go's time.Time does.
import { define, type FunctionDef } from './types.js';

export const datetimeFunctions: FunctionDef[] = [
  define({ name: 'timestamp', params: [], impure: true }, (_a, ctx) => formatRFC3339(fromDate(ctx.now()))),
  define({ name: 'timeadd', params: [{ name: 'timestamp', type: 'string' }, { name: 'duration', type: 'string' }] }, (a) => {
    const t = parseTimestamp(a.str(0));
    if (typeof t === 'string') throw a.fail(t);
    const d = parseDuration(a.str(1));
    if (typeof d === 'string') throw a.fail(d);
    return formatRFC3339({ ns: t.ns + d, offset: t.offset });
  }),
  define({ name: 'formatdate', params: [{ name: 'format', type: 'string' }, { name: 'time', type: 'string' }] }, (a) => {
    const format = a.str(0);
    const t = parseTimestamp(a.str(1));
    if (typeof t === 'string') throw a.error(1, t);
    const out = formatDate(format, t);
    if (out.error !== undefined) throw a.error(0, out.error);
    return out.text;
  }),
  define(
    { name: 'legacy_isotime', params: [], variadic: { name: 'format', type: 'string' }, impure: true },
    (a, ctx) => {
      if (a.length > 1) throw a.fail('too many values, 1 needed');
      const t = fromDate(ctx.now());
      return a.length === 0 ? formatRFC3339(t) : formatGoLayout(a.str(0), t);
    },
  ),
  define(
    { name: 'legacy_strftime', params: [], variadic: { name: 'format', type: 'string' }, impure: true },
    (a, ctx) => {
      if (a.length > 1) throw a.fail('too many values, 1 needed');
      const t = fromDate(ctx.now());
      return a.length === 0 ? formatRFC3339(t) : strftime(a.str(0), t);
    },
  ),
];

/** An instant in nanoseconds since the epoch, with the UTC offset (seconds) it is shown in. */
interface Instant {
  ns: bigint;
  offset: number;
}

interface Fields {
  year: number;
  month: number; // 1-12
  day: number;
  hour: number;
  minute: number;
  second: number;
  nanos: number;
  weekday: number; // 0 = Sunday
  yday: number; // 1-366
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

function fromDate(d: Date): Instant {
  return { ns: BigInt(d.getTime()) * 1_000_000n, offset: 0 };
}

function fields(t: Instant): Fields {
  const local = t.ns + BigInt(t.offset) * 1_000_000_000n;
  let secs = local / 1_000_000_000n;
  let nanos = Number(local % 1_000_000_000n);
  if (nanos < 0) {
    nanos += 1_000_000_000;
    secs -= 1n;
  }
  const d = new Date(Number(secs) * 1000);
  const startOfYear = Date.UTC(d.getUTCFullYear(), 0, 1);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
    nanos,
    weekday: d.getUTCDay(),
    yday: Math.floor((d.getTime() - startOfYear) / 86_400_000) + 1,
  };
}

const pad = (n: number, w: number): string => String(n).padStart(w, '0');

function formatOffset(offset: number, colon: boolean, zForUTC: boolean): string {
  if (zForUTC && offset === 0) return 'Z';
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  const h = pad(Math.floor(abs / 3600), 2);
  const m = pad(Math.floor((abs % 3600) / 60), 2);
  return colon ? `${sign}${h}:${m}` : `${sign}${h}${m}`;
}

/** Go's time.RFC3339 layout (no fractional seconds). */
function formatRFC3339(t: Instant): string {
  const f = fields(t);
  return `${pad(f.year, 4)}-${pad(f.month, 2)}-${pad(f.day, 2)}T${pad(f.hour, 2)}:${pad(f.minute, 2)}:${pad(f.second, 2)}${formatOffset(t.offset, true, true)}`;
}

/** Strict RFC 3339 parsing; returns cty's error text on failure. */
function parseTimestamp(s: string): Instant | string {
  const bad = (msg: string): string => `not a valid RFC3339 timestamp: ${msg}`;
  let rest = s;
  const take = (re: RegExp, what: string): string | { err: string } => {
    const m = re.exec(rest);
    if (!m) return { err: rest === '' ? bad(`end of string before ${what}`) : bad(`cannot use ${JSON.stringify(rest)} as ${what}`) };
    rest = rest.slice(m[0].length);
    return m[0];
  };
  const sep = (ch: string): string | null => {
    if (rest.startsWith(ch)) {
      rest = rest.slice(1);
      return null;
    }
    return rest === '' ? bad(`end of string where ${JSON.stringify(ch)} is expected`) : bad(`found ${JSON.stringify(rest)} where ${JSON.stringify(ch)} is expected`);
  };
  const year = take(/^\d{4}/, 'year');
  if (typeof year !== 'string') return year.err;
  let e = sep('-');
  if (e) return e;
  const month = take(/^\d{2}/, 'month');
  if (typeof month !== 'string') return month.err;
  e = sep('-');
  if (e) return e;
  const day = take(/^\d{2}/, 'day of month');
  if (typeof day !== 'string') return day.err;
  if (!rest.startsWith('T')) return bad("missing required time introducer 'T'");
  rest = rest.slice(1);
  if (/^\d:/.test(rest) || /^\d$/.test(rest)) return bad('hour must have exactly two digits');
  const hour = take(/^\d{2}/, 'hour');
  if (typeof hour !== 'string') return hour.err;
  e = sep(':');
  if (e) return e;
  if (/^\d(?:\D|$)/.test(rest)) return bad('minute must have exactly two digits');
  const minute = take(/^\d{2}/, 'minute');
  if (typeof minute !== 'string') return minute.err;
  e = sep(':');
  if (e) return e;
  const second = take(/^\d{2}/, 'second');
  if (typeof second !== 'string') return second.err;
  let nanos = 0;
  const frac = /^\.(\d{1,9})/.exec(rest);
  if (frac) {
    nanos = Number((frac[1] ?? '').padEnd(9, '0'));
    rest = rest.slice(frac[0].length);
  }
  let offset = 0;
  if (rest === 'Z') rest = '';
  else {
    const off = /^([+-])(\d{2}):(\d{2})$/.exec(rest);
    if (!off) return rest === '' ? bad('end of string before UTC offset') : bad(`cannot use ${JSON.stringify(rest)} as UTC offset`);
    offset = (off[1] === '-' ? -1 : 1) * (Number(off[2]) * 3600 + Number(off[3]) * 60);
    rest = '';
  }
  const [y, mo, d, h, mi, se] = [year, month, day, hour, minute, second].map(Number) as [number, number, number, number, number, number];
  if (mo < 1 || mo > 12) return bad('month out of range');
  if (h > 23) return bad('hour must be between 0 and 23 inclusive');
  if (mi > 59) return bad('minute out of range');
  if (se > 59) return bad('second out of range');
  const daysIn = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  if (d < 1 || d > daysIn) return bad('day out of range');
  const utc = new Date(0);
  utc.setUTCFullYear(y, mo - 1, d);
  utc.setUTCHours(h, mi, se, 0);
  const ns = BigInt(utc.getTime()) * 1_000_000n + BigInt(nanos) - BigInt(offset) * 1_000_000_000n;
  return { ns, offset };
}

const UNITS: Record<string, bigint> = {
  ns: 1n,
  us: 1_000n,
  'µs': 1_000n,
  'μs': 1_000n,
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};

/** Go's time.ParseDuration, in nanoseconds; returns Go's error text on failure. */
function parseDuration(s: string): bigint | string {
  const quoted = JSON.stringify(s);
  let rest = s;
  let negative = false;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    negative = rest.startsWith('-');
    rest = rest.slice(1);
  }
  if (rest === '0') return 0n;
  if (rest === '') return `time: invalid duration ${quoted}`;
  let total = 0n;
  while (rest !== '') {
    const m = /^(\d*)(?:\.(\d*))?/.exec(rest);
    const whole = m?.[1] ?? '';
    const frac = m?.[2];
    if (whole === '' && (frac === undefined || frac === '')) return `time: invalid duration ${quoted}`;
    rest = rest.slice(m?.[0].length ?? 0);
    const u = /^[^\d.]+/.exec(rest);
    if (!u) return `time: missing unit in duration ${quoted}`;
    const unit = UNITS[u[0]];
    if (unit === undefined) return `time: unknown unit ${JSON.stringify(u[0])} in duration ${quoted}`;
    rest = rest.slice(u[0].length);
    total += BigInt(whole || '0') * unit;
    if (frac) total += (BigInt(frac) * unit) / 10n ** BigInt(frac.length);
  }
  if (total > 9_223_372_036_854_775_807n) return `time: invalid duration ${quoted}`;
  return negative ? -total : total;
}

/** cty's formatdate; returns the error text for an invalid format. */
function formatDate(format: string, t: Instant): { text: string; error?: string } {
  const f = fields(t);
  let out = '';
  let i = 0;
  const verb = (tok: string, msg: string): { text: string; error: string } => ({
    text: '',
    error: `invalid date format verb ${JSON.stringify(tok)}${msg ? `: ${msg}` : ''}`,
  });
  while (i < format.length) {
    const c = format[i] as string;
    if (c === "'") {
      if (format[i + 1] === "'") {
        out += "'";
        i += 2;
        continue;
      }
      let j = i + 1;
      let lit = '';
      let closed = false;
      while (j < format.length) {
        if (format[j] === "'") {
          if (format[j + 1] === "'") {
            lit += "'";
            j += 2;
            continue;
          }
          closed = true;
          break;
        }
        lit += format[j];
        j++;
      }
      if (!closed) return { text: '', error: "unterminated literal '" };
      out += lit;
      i = j + 1;
      continue;
    }
    if (!/[A-Za-z]/.test(c)) {
      out += c;
      i++;
      continue;
    }
    let j = i;
    while (format[j] === c) j++;
    const tok = format.slice(i, j);
    const n = tok.length;
    i = j;
    switch (c) {
      case 'Y':
        if (n === 2) out += pad(f.year % 100, 2);
        else if (n === 4) out += pad(f.year, 4);
        else return verb(tok, 'year must either be "YY" or "YYYY"');
        break;
      case 'M':
        if (n === 1) out += String(f.month);
        else if (n === 2) out += pad(f.month, 2);
        else if (n === 3) out += (MONTHS[f.month - 1] ?? '').slice(0, 3);
        else if (n === 4) out += MONTHS[f.month - 1] ?? '';
        else return verb(tok, 'month must be "M", "MM", "MMM", or "MMMM"');
        break;
      case 'D':
        if (n === 1) out += String(f.day);
        else if (n === 2) out += pad(f.day, 2);
        else return verb(tok, 'day of month must either be "D" or "DD"');
        break;
      case 'E':
        if (n === 3) out += (DAYS[f.weekday] ?? '').slice(0, 3);
        else if (n === 4) out += DAYS[f.weekday] ?? '';
        else return verb(tok, 'day of week must either be "EEE" or "EEEE"');
        break;
      case 'h':
        if (n === 1) out += String(f.hour);
        else if (n === 2) out += pad(f.hour, 2);
        else return verb(tok, '24-hour must either be "h" or "hh"');
        break;
      case 'H': {
        const h = f.hour % 12 === 0 ? 12 : f.hour % 12;
        if (n === 1) out += String(h);
        else if (n === 2) out += pad(h, 2);
        else return verb(tok, '12-hour must either be "H" or "HH"');
        break;
      }
      case 'A':
      case 'a':
        if (n !== 2) return verb(tok, `must be "${c}${c}"`);
        out += f.hour < 12 ? (c === 'A' ? 'AM' : 'am') : c === 'A' ? 'PM' : 'pm';
        break;
      case 'm':
        if (n === 1) out += String(f.minute);
        else if (n === 2) out += pad(f.minute, 2);
        else return verb(tok, 'minute must either be "m" or "mm"');
        break;
      case 's':
        if (n === 1) out += String(f.second);
        else if (n === 2) out += pad(f.second, 2);
        else return verb(tok, 'second must either be "s" or "ss"');
        break;
      case 'Z':
        if (n === 1) out += formatOffset(t.offset, true, true);
        else if (n === 3) out += t.offset === 0 ? 'UTC' : formatOffset(t.offset, false, false);
        else if (n === 4) out += formatOffset(t.offset, false, false);
        else if (n === 5) out += formatOffset(t.offset, true, false);
        else return verb(tok, 'timezone must be Z, ZZZZ, or ZZZZZ');
        break;
      default:
        return verb(tok, '');
    }
  }
  return { text: out };
}

/** Formats with a Go reference-time layout ("2006-01-02T15:04:05Z07:00"). */
function formatGoLayout(layout: string, t: Instant): string {
  const f = fields(t);
  const h12 = f.hour % 12 === 0 ? 12 : f.hour % 12;
  const zone = (colon: boolean, seconds: boolean, short: boolean, z: boolean): string => {
    if (z && t.offset === 0) return 'Z';
    const o = formatOffset(t.offset, colon, false);
    if (short) return o.slice(0, 3);
    return seconds ? o + (colon ? ':00' : '00') : o;
  };
  // Longest tokens first where they share a prefix, as Go's nextStdChunk does.
  const tokens: [string, () => string][] = [
    ['January', () => MONTHS[f.month - 1] ?? ''],
    ['Jan', () => (MONTHS[f.month - 1] ?? '').slice(0, 3)],
    ['Monday', () => DAYS[f.weekday] ?? ''],
    ['Mon', () => (DAYS[f.weekday] ?? '').slice(0, 3)],
    ['MST', () => (t.offset === 0 ? 'UTC' : formatOffset(t.offset, false, false))],
    ['2006', () => pad(f.year, 4)],
    ['002', () => pad(f.yday, 3)],
    ['01', () => pad(f.month, 2)],
    ['02', () => pad(f.day, 2)],
    ['03', () => pad(h12, 2)],
    ['04', () => pad(f.minute, 2)],
    ['05', () => pad(f.second, 2)],
    ['06', () => pad(f.year % 100, 2)],
    ['__2', () => String(f.yday).padStart(3, ' ')],
    ['_2', () => String(f.day).padStart(2, ' ')],
    ['15', () => pad(f.hour, 2)],
    ['1', () => String(f.month)],
    ['2', () => String(f.day)],
    ['3', () => String(h12)],
    ['4', () => String(f.minute)],
    ['5', () => String(f.second)],
    ['PM', () => (f.hour < 12 ? 'AM' : 'PM')],
    ['pm', () => (f.hour < 12 ? 'am' : 'pm')],
    ['-07:00:00', () => zone(true, true, false, false)],
    ['-070000', () => zone(false, true, false, false)],
    ['-07:00', () => zone(true, false, false, false)],
    ['-0700', () => zone(false, false, false, false)],
    ['-07', () => zone(false, false, true, false)],
    ['Z07:00:00', () => zone(true, true, false, true)],
    ['Z070000', () => zone(false, true, false, true)],
    ['Z07:00', () => zone(true, false, false, true)],
    ['Z0700', () => zone(false, false, false, true)],
    ['Z07', () => zone(false, false, true, true)],
  ];
  let out = '';
  let i = 0;
  outer: while (i < layout.length) {
    const frac = /^[.,](0+|9+)(?!\d)/.exec(layout.slice(i));
    if (frac) {
      const digits = (frac[1] ?? '').length;
      let s = pad(f.nanos, 9).slice(0, digits);
      if ((frac[1] ?? '').startsWith('9')) {
        s = s.replace(/0+$/, '');
        out += s ? (frac[0][0] ?? '.') + s : '';
      } else out += (frac[0][0] ?? '.') + s;
      i += frac[0].length;
      continue;
    }
    for (const [tok, fn] of tokens) {
      if (layout.startsWith(tok, i)) {
        out += fn();
        i += tok.length;
        continue outer;
      }
    }
    out += layout[i];
    i++;
  }
  return out;
}

// jehiah/go-strftime's table, which Packer's legacy_strftime uses; unknown verbs pass through.
const STRFTIME: Record<string, string> = {
  A: 'Monday',
  a: 'Mon',
  B: 'January',
  b: 'Jan',
  c: 'Mon Jan _2 15:04:05 2006',
  D: '01/02/06',
  d: '02',
  e: '_2',
  F: '2006-01-02',
  H: '15',
  I: '03',
  j: '002',
  L: '.000',
  M: '04',
  m: '01',
  n: '\n',
  p: 'PM',
  R: '15:04',
  r: '03:04:05 PM',
  S: '05',
  T: '15:04:05',
  t: '\t',
  X: '15:04:05',
  x: '01/02/06',
  Y: '2006',
  y: '06',
  Z: 'MST',
  z: '-0700',
};

function strftime(format: string, t: Instant): string {
  let out = '';
  for (let i = 0; i < format.length; i++) {
    const c = format[i] as string;
    if (c !== '%') {
      out += c;
      continue;
    }
    const v = format[i + 1];
    if (v === undefined) {
      out += '%';
      break;
    }
    i++;
    if (v === '%') out += '%';
    else {
      const layout = STRFTIME[v];
      out += layout === undefined ? `%${v}` : formatGoLayout(layout, t);
    }
  }
  return out;
}
