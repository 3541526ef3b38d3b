// `imgbuild cache ls|du|prune`: the local step cache (`$IMGBUILD_CACHE_DIR/steps`), and the
// build flags that steer it (--no-cache, --cache-from, --cache-to), which reach the builder
// through the environment as IMGBUILD_NO_CACHE / IMGBUILD_CACHE_FROM / IMGBUILD_CACHE_TO.
import { LocalStepCache } from '../../cache/local.js';
import { cacheUsage, pruneCache, type PruneOptions } from '../../cache/prune.js';
import { ENV_CACHE_FROM, ENV_CACHE_TO, ENV_NO_CACHE } from '../../cache/settings.js';
import { tryParseDuration } from '../../core/duration.js';
import { ExitCode } from '../../core/errors.js';
import { defaultCacheDir } from '../../oci/cache-dir.js';
import { parseByteSize, UsageError } from '../argv.js';
import type { CliIo } from '../io.js';

export interface CacheBuildFlags {
  /** commander's `--no-cache` sets this to false. */
  cache?: boolean;
  cacheFrom?: string[];
  cacheTo?: string;
}

/** Hands the build's cache flags to the builder; flags win over the environment. */
export function applyCacheFlags(flags: CacheBuildFlags, env: NodeJS.ProcessEnv): void {
  if (flags.cache === false) env[ENV_NO_CACHE] = '1';
  if (flags.cacheFrom !== undefined && flags.cacheFrom.length > 0) env[ENV_CACHE_FROM] = flags.cacheFrom.join(',');
  if (flags.cacheTo !== undefined && flags.cacheTo !== '') env[ENV_CACHE_TO] = flags.cacheTo;
}

export async function runCacheLs(io: CliIo): Promise<number> {
  const cache = new LocalStepCache(defaultCacheDir());
  const entries = (await cache.list()).sort((a, b) => Date.parse(b.lastUsed) - Date.parse(a.lastUsed));
  if (entries.length === 0) {
    io.stdout.write(`No step cache entries in ${cache.dir}.\n`);
    return ExitCode.OK;
  }
  const now = Date.now();
  const rows = entries.map((e) => [
    e.key.slice(0, 12),
    e.label === e.provisioner ? e.provisioner : `${e.label} (${e.provisioner})`,
    e.layer ? humanBytes(e.layer.size) : 'empty',
    age(now - Date.parse(e.createdAt)),
    age(now - Date.parse(e.lastUsed)),
    e.pulledFrom ?? '',
  ]);
  io.stdout.write(table([['KEY', 'PROVISIONER', 'SIZE', 'AGE', 'LAST USED', 'FROM'], ...rows]));
  return ExitCode.OK;
}

export async function runCacheDu(io: CliIo): Promise<number> {
  const cache = new LocalStepCache(defaultCacheDir());
  const u = await cacheUsage(cache);
  io.stdout.write(
    table([
      ['entries', String(u.entries)],
      ['layer blobs', humanBytes(u.layerBytes)],
      ['extracted layers', humanBytes(u.extractedBytes)],
      ['total', humanBytes(u.layerBytes + u.extractedBytes)],
    ]),
  );
  return ExitCode.OK;
}

export interface PruneFlags {
  olderThan?: string;
  maxSize?: string;
  all?: boolean;
}

export async function runCachePrune(flags: PruneFlags, io: CliIo): Promise<number> {
  const opts: PruneOptions = {};
  if (flags.all === true) opts.all = true;
  if (flags.olderThan !== undefined) opts.olderThanMs = parseAge(flags.olderThan);
  if (flags.maxSize !== undefined) opts.maxBytes = parseSize(flags.maxSize);
  // Without a criterion, what a week of no use says is stale.
  if (opts.all === undefined && opts.olderThanMs === undefined && opts.maxBytes === undefined) opts.olderThanMs = 7 * DAY;
  const r = await pruneCache(new LocalStepCache(defaultCacheDir()), opts);
  const temps = r.tempsRemoved > 0 ? `, ${r.tempsRemoved} file(s) left by interrupted builds` : '';
  io.stdout.write(`Removed ${r.removed.length} entr${r.removed.length === 1 ? 'y' : 'ies'} and ${r.blobsRemoved} layer blob(s)${temps}, freed ${humanBytes(r.bytesFreed)}; ${r.kept} kept.\n`);
  return ExitCode.OK;
}

const DAY = 86_400_000;

/** "7d", "2w", "36h", "90m", Go durations. */
export function parseAge(text: string): number {
  const m = /^(\d+(?:\.\d+)?)([dw])$/.exec(text.trim());
  const ms = m ? Number(m[1]) * (m[2] === 'w' ? 7 * DAY : DAY) : tryParseDuration(text);
  if (ms === null || ms < 0) throw new UsageError(`--older-than: "${text}" is not a duration; use e.g. 7d, 12h, 30m`);
  return ms;
}

export function parseSize(text: string): number {
  const bytes = parseByteSize(text);
  if (bytes === null) throw new UsageError(`--max-size: "${text}" is not a size; use e.g. 5GB, 500MB, 2GiB`);
  return bytes;
}

export function humanBytes(n: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let v = n;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return i === 0 ? `${n} B` : `${v.toFixed(v < 10 ? 1 : 0)} ${units[i] ?? ''}`;
}

function age(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86400) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86400)}d`;
}

function table(rows: string[][]): string {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ').trimEnd()).join('\n') + '\n';
}
