// Go's time.ParseDuration, because Packer templates write timeouts as "1m30s", "500ms", "2h".
import { ImgbuildError } from './errors.js';

const UNITS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  'µs': 1e-3,
  'μs': 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/** Milliseconds in a Go duration string; throws on anything Go would reject. */
export function parseDuration(text: string): number {
  const ms = tryParseDuration(text);
  if (ms === null) {
    throw new ImgbuildError('E_DURATION', `invalid duration "${text}": expected a number and unit, e.g. "1m30s"`);
  }
  return ms;
}

/** As parseDuration, but null instead of throwing. A bare "0" is valid, as in Go. */
export function tryParseDuration(text: string): number | null {
  let s = text.trim();
  let sign = 1;
  if (s.startsWith('-') || s.startsWith('+')) {
    if (s.startsWith('-')) sign = -1;
    s = s.slice(1);
  }
  if (s === '0') return 0;
  if (s === '') return null;
  const re = /^(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/;
  let total = 0;
  while (s.length > 0) {
    const m = re.exec(s);
    if (!m || m[1] === undefined || m[2] === undefined) return null;
    total += Number(m[1]) * (UNITS[m[2]] ?? 0);
    s = s.slice(m[0].length);
  }
  return sign * total;
}

/** "1m30s" from milliseconds, for messages. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  let s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s || (!h && !m) ? `${s}s` : ''}`;
}
