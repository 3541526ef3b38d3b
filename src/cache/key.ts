// Step cache keys. A key is sha256 over a canonical encoding of everything that decides a
// provisioner's layer: the chain below it (the base image, then the keys of the steps
// before), the builder settings that change what runs, the provisioner type and evaluated
// config, the content of what it uploads, and the user's `cache_key`. The encoding is made
// portable before hashing: paths under the template dir become relative, so two checkouts
// in different places share keys, and sensitive values become their hash, so the encoding
// (kept in each entry to explain misses) never holds a secret.
import { createHash } from 'node:crypto';
import path from 'node:path';
import { canonicalJson } from '../oci/canonical-json.js';

/** Bumped when the encoding changes: old entries then simply stop matching. */
const KEY_VERSION = 'imgbuild-step-cache/v1';

export interface StepKeyInput {
  /** The chain: `baseChain(...)` for the first step, else the previous step's key. */
  parent: string;
  /** Builder settings that change what a provisioner does or the layer it gives. */
  builder: unknown;
  type: string;
  /** The provisioner's evaluated, prepared config. */
  config: unknown;
  /** Provisioner.cacheInputs: digests of uploaded files and scripts. */
  inputs: unknown;
  /** The `cache_key` attribute: any change invalidates the step on purpose. */
  salt: string | null;
}

export interface KeyContext {
  /** Absolute template dir; strings under it are encoded relative to it. */
  templateDir: string;
  /** Values never to appear in the encoding (the plan's sensitive variables). */
  sensitiveValues: readonly string[];
}

export interface StepKey {
  /** 64 hex digits. */
  key: string;
  /** The canonical encoding the key hashes (portable, scrubbed). */
  material: string;
}

export function stepKey(input: StepKeyInput, ctx: KeyContext): StepKey {
  const norm = normaliser(ctx);
  const material = canonicalJson({
    v: KEY_VERSION,
    parent: input.parent,
    builder: norm(input.builder),
    type: input.type,
    config: norm(input.config),
    inputs: norm(input.inputs),
    salt: input.salt === null ? null : norm(input.salt),
  });
  return { key: sha256hex(material), material };
}

/**
 * The chain the first step starts from: the base image's identity (its config holds every
 * diff_id, so two bases with the same layers and settings are the same base).
 */
export function baseChain(identity: unknown): string {
  return `base:${sha256hex(canonicalJson({ v: KEY_VERSION, base: identity }))}`;
}

/**
 * The chain after a step whose result is not determined by its key (`cache = false`): what
 * it actually produced, so later steps hit only when that is unchanged.
 */
export function producedChain(parent: string, diffId: string | null): string {
  return `produced:${sha256hex(canonicalJson({ v: KEY_VERSION, parent, diffId }))}`;
}

export function sha256hex(s: string | Buffer): string {
  return createHash('sha256').update(s).digest('hex');
}

/** Registry tag for a key: tags allow 128 chars of [\w.-], a key is 64 hex digits. */
export function keyTag(key: string): string {
  return `sha256-${key}`;
}

export function isKey(s: string): boolean {
  return /^[0-9a-f]{64}$/.test(s);
}

function normaliser(ctx: KeyContext): (v: unknown) => unknown {
  const root = path.resolve(ctx.templateDir);
  const secrets = [...new Set(ctx.sensitiveValues.filter((s) => s !== ''))].sort((a, b) => b.length - a.length);
  const str = (s: string): string => {
    let out = s === root ? '.' : s.startsWith(`${root}/`) ? `./${s.slice(root.length + 1)}` : s;
    for (const secret of secrets) {
      if (out.includes(secret)) out = out.split(secret).join(`<sensitive:${sha256hex(secret).slice(0, 16)}>`);
    }
    return out;
  };
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return str(v);
    if (v === null || typeof v === 'number' || typeof v === 'boolean') return v;
    if (v === undefined) return undefined;
    if (Array.isArray(v)) return v.map(walk);
    if (v instanceof Map) return Object.fromEntries([...v].map(([k, x]) => [str(String(k)), walk(x)]));
    if (typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[str(k)] = walk(x);
      return out;
    }
    // bigint is the only other value a config can carry; functions and symbols mean nothing.
    return typeof v === 'bigint' ? v.toString() : null;
  };
  return walk;
}
