// Dockerfile instructions accepted in `changes` (as `docker commit --change` and Packer's
// docker builder take them), parsed the way Docker parses them: JSON (exec) form or shell
// form, ENV/LABEL with key=value pairs and quotes, the legacy `ENV key value` form.
import type { ContainerConfig } from '../../src/oci/image.js';

export const CHANGE_INSTRUCTIONS = ['CMD', 'ENTRYPOINT', 'ENV', 'EXPOSE', 'LABEL', 'USER', 'WORKDIR', 'VOLUME', 'STOPSIGNAL', 'ONBUILD'] as const;

/** Applies one instruction to a config; returns an error message instead of throwing. */
export function applyChange(cfg: ContainerConfig, line: string): string | null {
  const m = /^\s*([A-Za-z]+)\s*(.*)$/s.exec(line);
  if (!m) return `"${line}" is not a Dockerfile instruction`;
  const instr = (m[1] ?? '').toUpperCase();
  const rest = (m[2] ?? '').trim();
  switch (instr) {
    case 'CMD':
    case 'ENTRYPOINT': {
      const argv = execOrShell(rest);
      if (typeof argv === 'string') return `${instr}: ${argv}`;
      if (instr === 'CMD') cfg.Cmd = argv;
      else {
        cfg.Entrypoint = argv;
        // Docker resets an inherited CMD when ENTRYPOINT changes.
        delete cfg.Cmd;
      }
      return null;
    }
    case 'ENV': {
      const pairs = keyValues(rest, true);
      if (typeof pairs === 'string') return `ENV: ${pairs}`;
      const env = [...(cfg.Env ?? [])];
      for (const [k, v] of pairs) {
        const i = env.findIndex((e) => e.startsWith(`${k}=`));
        if (i >= 0) env[i] = `${k}=${v}`;
        else env.push(`${k}=${v}`);
      }
      cfg.Env = env;
      return null;
    }
    case 'LABEL': {
      const pairs = keyValues(rest, false);
      if (typeof pairs === 'string') return `LABEL: ${pairs}`;
      cfg.Labels = { ...(cfg.Labels ?? {}), ...Object.fromEntries(pairs) };
      return null;
    }
    case 'EXPOSE': {
      const ports = { ...(cfg.ExposedPorts ?? {}) };
      for (const p of words(rest)) {
        if (!/^\d+(-\d+)?(\/(tcp|udp|sctp))?$/i.test(p)) return `EXPOSE: "${p}" is not a port such as 80 or 53/udp`;
        ports[p.includes('/') ? p.toLowerCase() : `${p}/tcp`] = {};
      }
      cfg.ExposedPorts = ports;
      return null;
    }
    case 'USER':
      if (rest === '') return 'USER: needs a user name or uid';
      cfg.User = rest;
      return null;
    case 'WORKDIR':
      if (rest === '') return 'WORKDIR: needs a path';
      cfg.WorkingDir = rest.startsWith('/') ? rest : `${cfg.WorkingDir ?? '/'}/${rest}`.replace(/\/+/g, '/');
      return null;
    case 'VOLUME': {
      const parsed = rest.startsWith('[') ? jsonStrings(rest) : words(rest);
      if (typeof parsed === 'string') return `VOLUME: ${parsed}`;
      cfg.Volumes = { ...(cfg.Volumes ?? {}), ...Object.fromEntries(parsed.map((v) => [v, {}])) };
      return null;
    }
    case 'STOPSIGNAL':
      if (rest === '') return 'STOPSIGNAL: needs a signal such as SIGTERM or 15';
      cfg.StopSignal = rest;
      return null;
    case 'ONBUILD': {
      if (rest === '') return 'ONBUILD: needs an instruction';
      const existing = (cfg as { OnBuild?: unknown }).OnBuild;
      const list = Array.isArray(existing) ? existing.filter((x): x is string => typeof x === 'string') : [];
      (cfg as { OnBuild?: string[] }).OnBuild = [...list, rest];
      return null;
    }
    default:
      return `${instr} is not supported in changes; use one of ${CHANGE_INSTRUCTIONS.join(', ')}`;
  }
}

function execOrShell(rest: string): string[] | string {
  if (rest.startsWith('[')) {
    const parsed = jsonStrings(rest);
    // Docker falls back to the shell form when the JSON does not parse.
    if (typeof parsed !== 'string') return parsed;
  }
  if (rest === '') return 'needs a command';
  return ['/bin/sh', '-c', rest];
}

function jsonStrings(s: string): string[] | string {
  try {
    const v: unknown = JSON.parse(s);
    if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v;
  } catch {
    // reported below
  }
  return `${s} is not a JSON array of strings`;
}

function words(s: string): string[] {
  return s.split(/\s+/).filter((w) => w !== '');
}

/** `k=v k2="v 2"`; with `legacy`, also Docker's `ENV key some value`. */
function keyValues(s: string, legacy: boolean): [string, string][] | string {
  if (s === '') return 'needs key=value';
  const tokens = shellWords(s);
  if (typeof tokens === 'string') return tokens;
  const first = tokens[0] ?? '';
  if (!first.includes('=')) {
    if (!legacy) return `"${first}" is not key=value`;
    const sp = s.search(/\s/);
    if (sp < 0) return `${first} needs a value`;
    return [[s.slice(0, sp), s.slice(sp).trim()]];
  }
  const out: [string, string][] = [];
  for (const t of tokens) {
    const eq = t.indexOf('=');
    if (eq <= 0) return `"${t}" is not key=value`;
    out.push([t.slice(0, eq), t.slice(eq + 1)]);
  }
  return out;
}

/** Splits on unquoted whitespace, removing quotes and backslash escapes like Docker's lexer. */
function shellWords(s: string): string[] | string {
  const out: string[] = [];
  let cur = '';
  let inWord = false;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    if (quote) {
      if (c === quote) quote = null;
      else if (c === '\\' && quote === '"' && i + 1 < s.length) cur += s[++i];
      else cur += c;
      continue;
    }
    if (c === '"' || c === "'") {
      quote = c;
      inWord = true;
    } else if (c === '\\' && i + 1 < s.length) {
      cur += s[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) out.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (quote) return `unterminated ${quote} quote`;
  if (inWord) out.push(cur);
  return out;
}
