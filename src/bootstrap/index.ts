// `bootstrap {}` bases: a Debian/Ubuntu root filesystem built by mmdebstrap from the
// distribution's own packages, no registry involved. The tarball is cached under the cache
// dir by a hash of everything that shapes it, so it is built once per machine, and turned
// into a single deterministic layer with src/oci's writer (itself cached by the same key).
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { BuildError } from '../core/errors.js';
import { extractLayer } from '../oci/extract.js';
import { hostPlatform, newImageConfig, addLayer } from '../oci/config.js';
import type { Descriptor, Platform } from '../oci/image.js';
import { LayerStore } from '../oci/layer-store.js';
import { writeLayerFromDir } from '../oci/layer-writer.js';
import { OciLayout } from '../oci/layout.js';
import type { Compression } from '../oci/media-types.js';
import { lastLine, runTool } from '../runtime/tool.js';

export interface BootstrapOptions {
  suite: string;
  /** mmdebstrap variant; default minbase. */
  variant?: string;
  packages?: string[];
  /** Default http://deb.debian.org/debian. */
  mirror?: string;
  /** Debian architecture name (amd64, arm64); default the host's. */
  architecture?: string;
  /** Extra mmdebstrap components (main contrib...). */
  components?: string[];
}

export interface BootstrapContext {
  cacheDir: string;
  sourceDateEpoch: number;
  signal?: AbortSignal;
  /** Progress lines (mmdebstrap's own output). */
  onProgress?: (line: string) => void;
  compression?: Compression;
}

export const DEFAULT_MIRROR = 'http://deb.debian.org/debian';
/** Bump when the way we call mmdebstrap changes the result. */
const RECIPE_VERSION = 2;

/** Cache key: sha256 of every input that shapes the rootfs. */
export function bootstrapKey(o: BootstrapOptions, sourceDateEpoch: number): string {
  const inputs = {
    v: RECIPE_VERSION,
    suite: o.suite,
    variant: o.variant ?? 'minbase',
    packages: [...(o.packages ?? [])].sort(),
    mirror: o.mirror ?? DEFAULT_MIRROR,
    architecture: o.architecture ?? debianArch(hostPlatform()),
    components: o.components ?? [],
    sourceDateEpoch,
  };
  return createHash('sha256').update(JSON.stringify(inputs)).digest('hex');
}

/** The cached rootfs tarball for these options, running mmdebstrap when it is missing. */
export async function bootstrapTarball(o: BootstrapOptions, ctx: BootstrapContext): Promise<string> {
  const key = bootstrapKey(o, ctx.sourceDateEpoch);
  const dir = path.join(ctx.cacheDir, 'bootstrap');
  const out = path.join(dir, `${key}.tar`);
  if ((await stat(out).catch(() => null))?.isFile()) return out;
  await mkdir(dir, { recursive: true });
  const tmp = path.join(dir, `.tmp-${key}-${process.pid}.tar`);
  const args = ['--mode=root', `--variant=${o.variant ?? 'minbase'}`, '--format=tar'];
  if (o.architecture) args.push(`--architectures=${o.architecture}`);
  if (o.packages && o.packages.length > 0) args.push(`--include=${o.packages.join(',')}`);
  if (o.components && o.components.length > 0) args.push(`--components=${o.components.join(',')}`);
  // mmdebstrap copies the build host's resolv.conf and hostname in for apt's sake and leaves
  // them (debootstrap compatibility, mmdebstrap(1) "SOURCE_DATE_EPOCH"): an image must carry
  // neither, so the result is the same on every host.
  args.push('--customize-hook=rm -f "$1/etc/resolv.conf" "$1/etc/hostname"');
  args.push(o.suite, tmp, o.mirror ?? DEFAULT_MIRROR);
  const res = await runTool('mmdebstrap', args, {
    env: { ...process.env, SOURCE_DATE_EPOCH: String(ctx.sourceDateEpoch) },
    ...(ctx.signal ? { signal: ctx.signal } : {}),
    ...(ctx.onProgress ? { onStderr: (c: string) => c.split('\n').filter((l) => l.trim() !== '').forEach((l) => ctx.onProgress?.(l)) } : {}),
  });
  if (res.code !== 0) {
    await rm(tmp, { force: true });
    throw new BuildError(`bootstrap ${o.suite}: mmdebstrap failed: ${lastLine(res.stderr)}; check suite, mirror and package names`, {
      code: 'E_BOOTSTRAP',
      source: 'environment',
    });
  }
  await rename(tmp, out);
  return out;
}

/**
 * The bootstrap base as a one-layer image in `layout` (the shared cache layout), tagged by
 * its key so later builds find it without running anything. The layer is re-written by our
 * deterministic writer, and its extracted tree goes straight into the layer store.
 */
export async function bootstrapImage(o: BootstrapOptions, layout: OciLayout, ctx: BootstrapContext): Promise<Descriptor> {
  const key = bootstrapKey(o, ctx.sourceDateEpoch);
  const refName = `imgbuild-bootstrap-${key.slice(0, 32)}`;
  if ((await layout.refNames()).includes(refName)) {
    const img = await layout.resolve(refName, platformFor(o)).catch(() => null);
    if (img && (await Promise.all(img.manifest.layers.map((l) => layout.blobs.has(l.digest)))).every(Boolean)) {
      return img.manifestDescriptor;
    }
  }
  const tarball = await bootstrapTarball(o, ctx);
  const store = new LayerStore({ root: ctx.cacheDir });
  const tmp = path.join(ctx.cacheDir, 'layers', `.tmp-bootstrap-${process.pid}-${Date.now()}`);
  await mkdir(tmp, { recursive: true });
  try {
    await extractLayer(createReadStream(tarball, { highWaterMark: 1 << 20 }), tmp, { mode: 'overlay', what: `bootstrap ${o.suite}`, allowDevices: true });
    const layer = await writeLayerFromDir(tmp, { sourceDateEpoch: ctx.sourceDateEpoch, compression: ctx.compression ?? 'gzip', store: layout.blobs });
    // The tree we just read is what ensureExtracted would produce: keep it as the lowerdir.
    const dir = store.dirFor(layer.diffId);
    if (!(await store.has(layer.diffId))) {
      await mkdir(path.dirname(dir), { recursive: true });
      await rename(tmp, dir).catch(() => undefined);
    }
    const platform = platformFor(o);
    let config = newImageConfig({ platform, sourceDateEpoch: ctx.sourceDateEpoch, config: { Env: [`PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`], Cmd: ['/bin/bash'] } });
    const pk = o.packages && o.packages.length > 0 ? ` --include=${o.packages.join(',')}` : '';
    config = addLayer(config, layer.diffId, {
      createdBy: `imgbuild bootstrap: mmdebstrap --variant=${o.variant ?? 'minbase'}${pk} ${o.suite} ${o.mirror ?? DEFAULT_MIRROR}`,
      sourceDateEpoch: ctx.sourceDateEpoch,
    });
    return await layout.writeImage({ config, layers: [{ mediaType: layer.mediaType, digest: layer.digest, size: layer.size }], refName });
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

function platformFor(o: BootstrapOptions): Platform {
  if (!o.architecture) return hostPlatform();
  const map: Record<string, Platform> = {
    amd64: { os: 'linux', architecture: 'amd64' },
    arm64: { os: 'linux', architecture: 'arm64', variant: 'v8' },
    armhf: { os: 'linux', architecture: 'arm', variant: 'v7' },
    i386: { os: 'linux', architecture: '386' },
    ppc64el: { os: 'linux', architecture: 'ppc64le' },
    s390x: { os: 'linux', architecture: 's390x' },
    riscv64: { os: 'linux', architecture: 'riscv64' },
  };
  return map[o.architecture] ?? { os: 'linux', architecture: o.architecture };
}

function debianArch(p: Platform): string {
  const map: Record<string, string> = { amd64: 'amd64', arm64: 'arm64', arm: 'armhf', '386': 'i386', ppc64le: 'ppc64el', s390x: 's390x', riscv64: 'riscv64' };
  return map[p.architecture] ?? p.architecture;
}
