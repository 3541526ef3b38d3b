// Image config building: `created` and history times come from SOURCE_DATE_EPOCH, never the
// clock, so a rebuild of the same inputs yields the same config digest.
import type { Digest } from './digest.js';
import type { ContainerConfig, History, ImageConfig, Platform } from './image.js';

export function epochToRfc3339(epoch: number): string {
  return new Date(Math.trunc(epoch) * 1000).toISOString().replace(/\.000Z$/, 'Z');
}

/** The platform of this host in OCI terms (GOARCH names). */
export function hostPlatform(): Platform {
  const arch: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' };
  const p: Platform = { os: 'linux', architecture: arch[process.arch] ?? process.arch };
  if (process.arch === 'arm64') p.variant = 'v8';
  return p;
}

export function newImageConfig(opts: { platform?: Platform; sourceDateEpoch: number; config?: ContainerConfig }): ImageConfig {
  const p = opts.platform ?? hostPlatform();
  const cfg: ImageConfig = {
    created: epochToRfc3339(opts.sourceDateEpoch),
    architecture: p.architecture,
    os: p.os,
    rootfs: { type: 'layers', diff_ids: [] },
    history: [],
  };
  if (p.variant !== undefined) cfg.variant = p.variant;
  if (opts.config) cfg.config = opts.config;
  return cfg;
}

/** Returns a new config with one more layer and its history entry. */
export function addLayer(
  cfg: ImageConfig,
  diffId: Digest,
  h: { createdBy: string; sourceDateEpoch: number; comment?: string; author?: string },
): ImageConfig {
  return {
    ...cfg,
    created: epochToRfc3339(h.sourceDateEpoch),
    rootfs: { ...cfg.rootfs, diff_ids: [...cfg.rootfs.diff_ids, diffId] },
    history: [...(cfg.history ?? []), historyEntry(h, false)],
  };
}

/** A history entry for a change that adds no layer (ENV, CMD...). */
export function addEmptyLayerHistory(
  cfg: ImageConfig,
  h: { createdBy: string; sourceDateEpoch: number; comment?: string; author?: string },
): ImageConfig {
  return { ...cfg, created: epochToRfc3339(h.sourceDateEpoch), history: [...(cfg.history ?? []), historyEntry(h, true)] };
}

function historyEntry(h: { createdBy: string; sourceDateEpoch: number; comment?: string; author?: string }, empty: boolean): History {
  const e: History = { created: epochToRfc3339(h.sourceDateEpoch), created_by: h.createdBy };
  if (h.comment !== undefined) e.comment = h.comment;
  if (h.author !== undefined) e.author = h.author;
  if (empty) e.empty_layer = true;
  return e;
}

/** `os/arch[/variant]`, the form used in messages and `--platform`. */
export function formatPlatform(p: Platform): string {
  return [p.os, p.architecture, p.variant].filter((x) => x !== undefined && x !== '').join('/');
}

export function parsePlatform(s: string): Platform {
  const [os = 'linux', architecture = 'amd64', variant] = s.split('/');
  return variant === undefined ? { os, architecture } : { os, architecture, variant };
}

/** Platform match with the usual defaults: arm64 means v8, arm means v7 when unspecified. */
export function platformMatches(want: Platform, have: Platform | undefined): boolean {
  if (!have) return false;
  if (want.os !== have.os || want.architecture !== have.architecture) return false;
  const dv = want.architecture === 'arm64' ? 'v8' : want.architecture === 'arm' ? 'v7' : undefined;
  return (want.variant ?? dv) === (have.variant ?? dv);
}
