// Everything the container builder does to the host, behind one interface so its steps can
// be unit-tested with a fake: base image resolution, layer extraction, overlay mounts, the
// OCI runtime, layer writing and image export.
import { copyFile, link, mkdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { BuildError } from '../../src/core/errors.js';
import { FileMemo } from '../../src/cache/file-memo.js';
import { BlobStore } from '../../src/oci/blob-store.js';
import { bootstrapImage } from '../../src/bootstrap/index.js';
import { importArchive, importRootfsTarball, writeDockerArchive, writeOciArchive } from '../../src/oci/archive.js';
import { defaultCacheDir } from '../../src/oci/cache-dir.js';
import { hostPlatform, newImageConfig } from '../../src/oci/config.js';
import type { Descriptor, ImageConfig, Platform } from '../../src/oci/image.js';
import { LayerStore } from '../../src/oci/layer-store.js';
import { writeLayerFromDir, type LayerResult } from '../../src/oci/layer-writer.js';
import { OciLayout, type ResolvedImage } from '../../src/oci/layout.js';
import { OciError } from '../../src/oci/errors.js';
import { RegistryClient, type PullResult, type RegistryOptions } from '../../src/oci/registry/client.js';
import { MIRRORS_ENV, mirrorReference, parseMirrors } from '../../src/oci/registry/mirrors.js';
import { formatReference, parseReference, type ImageReference } from '../../src/oci/registry/reference.js';
import { createRuntime } from '../../src/runtime/index.js';
import { mountOverlay, unmount, type OverlayMount } from '../../src/runtime/overlay.js';
import type { ContainerSpec, OciRuntime, RuntimeContainer, RuntimeName } from '../../src/runtime/types.js';
import type { BaseSource, ContainerBuildConfig, OutputTarget } from './config.js';

/** The base image, its blobs in the cache's blob store. */
export interface BaseImage {
  /** What the user wrote, for messages and history. */
  name: string;
  config: ImageConfig;
  layers: Descriptor[];
}

export interface ResolveBaseOptions {
  pull: boolean;
  platform: Platform | null;
  sourceDateEpoch: number;
  signal: AbortSignal;
  login: ContainerBuildConfig['login'];
  onProgress: (line: string) => void;
}

export interface WriteLayerOpts {
  sourceDateEpoch: number;
  exclude: string[];
  compression: 'gzip' | 'zstd' | 'none';
}

export interface ExportResult {
  manifestDigest: string;
  configDigest: string;
  layoutDir: string;
  refName?: string;
  files: string[];
  outputs: string[];
}

export interface ContainerDriver {
  readonly cacheDir: string;
  resolveBase(base: BaseSource, opts: ResolveBaseOptions): Promise<BaseImage>;
  /** Extracted directory of a layer (shared layer store), usable as an overlay lower. */
  extractLayer(layer: Descriptor, diffId: string): Promise<string>;
  mountOverlay(m: OverlayMount): Promise<void>;
  unmount(target: string): Promise<void>;
  runtime(name: RuntimeName): OciRuntime;
  createContainer(runtime: RuntimeName, spec: ContainerSpec): Promise<RuntimeContainer>;
  writeLayer(dir: string, opts: WriteLayerOpts): Promise<LayerResult>;
  exportImage(image: { config: ImageConfig; layers: Descriptor[]; annotations: Record<string, string> }, outputs: OutputTarget[], opts: { sourceDateEpoch: number; signal: AbortSignal; login: ContainerBuildConfig['login'] }): Promise<ExportResult>;
  /** docker `export_path`: a flat, deterministic tar of a directory tree. */
  exportTree(dir: string, dest: string, sourceDateEpoch: number): Promise<void>;
}

export class HostDriver implements ContainerDriver {
  readonly cacheDir: string;
  private layoutP: Promise<OciLayout> | null = null;

  constructor(cacheDir = defaultCacheDir()) {
    this.cacheDir = cacheDir;
  }

  /** The cache dir is itself an OCI layout: one blob store for pulls, layers and images. */
  private layout(): Promise<OciLayout> {
    this.layoutP ??= OciLayout.create(this.cacheDir);
    return this.layoutP;
  }

  async resolveBase(base: BaseSource, opts: ResolveBaseOptions): Promise<BaseImage> {
    const layout = await this.layout();
    const platform = opts.platform ?? hostPlatform();
    const resolved = async (desc: Descriptor, name: string): Promise<BaseImage> => {
      const img = await layout.resolve(desc.digest, platform);
      return { name, config: img.config, layers: img.manifest.layers };
    };
    switch (base.kind) {
      case 'scratch':
        return { name: 'scratch', config: newImageConfig({ platform, sourceDateEpoch: opts.sourceDateEpoch }), layers: [] };
      case 'bootstrap': {
        const desc = await bootstrapImage(base.options, layout, { cacheDir: this.cacheDir, sourceDateEpoch: opts.sourceDateEpoch, signal: opts.signal, onProgress: opts.onProgress });
        return resolved(desc, `bootstrap ${base.options.suite}`);
      }
      case 'rootfs': {
        // Importing hashes the whole tarball; an unchanged file (same identity) reuses it.
        const memo = new FileMemo(this.cacheDir, 'rootfs-import');
        // layer: how the import stores the layer; a change of it must not reuse older imports.
        const inputs = { sourceDateEpoch: opts.sourceDateEpoch, platform, layer: 'gzip-if-plain' };
        const known = await memo.get(base.path, inputs);
        if (known !== null) {
          const img = await layout.resolve(known, platform).catch(() => null);
          if (img && (await allPresent(layout, img.manifest.layers))) return { name: `rootfs:${base.path}`, config: img.config, layers: img.manifest.layers };
        }
        const desc = await importRootfsTarball(base.path, layout, { sourceDateEpoch: opts.sourceDateEpoch, platform });
        await memo.set(base.path, inputs, desc.digest);
        return resolved(desc, `rootfs:${base.path}`);
      }
      case 'oci-archive':
      case 'docker-archive':
        return resolved(await importArchive(base.path, layout, { ...(base.ref === undefined ? {} : { ref: base.ref }), platform }), `${base.kind}:${base.path}`);
      case 'oci-layout': {
        const src = await OciLayout.open(base.path);
        const img = await src.resolve(base.ref, platform);
        // Copied into the cache store so every later step reads one store.
        for (const d of [img.manifest.config, ...img.manifest.layers]) {
          if (!(await layout.blobs.has(d.digest))) await linkOrCopy(src.blobs.path(d.digest), layout.blobs.path(d.digest));
        }
        return { name: `oci-layout:${base.path}`, config: img.config, layers: img.manifest.layers };
      }
      case 'registry': {
        const ref = parseReference(base.ref);
        if (ref.tag === undefined && ref.digest === undefined) ref.tag = 'latest';
        const refName = formatReference(ref);
        if (!opts.pull) {
          const cached = await layout.resolve(refName, platform).catch(() => null);
          if (cached) return { name: base.ref, config: cached.config, layers: cached.manifest.layers };
          opts.onProgress(`pull = false but ${refName} is not in the cache; pulling it`);
        }
        const client = new RegistryClient(registryOptions(opts.login, opts.signal));
        const res = await pullViaMirror(client, ref, layout, { platform, refName }, opts.onProgress);
        return resolved(res.manifestDescriptor, base.ref);
      }
    }
  }

  async extractLayer(layer: Descriptor, diffId: string): Promise<string> {
    const layout = await this.layout();
    const store = new LayerStore({ root: this.cacheDir });
    return store.ensureExtracted(layout.blobs.path(layer.digest), diffId);
  }

  mountOverlay(m: OverlayMount): Promise<void> {
    return mountOverlay(m);
  }

  unmount(target: string): Promise<void> {
    return unmount(target);
  }

  runtime(name: RuntimeName): OciRuntime {
    return createRuntime(name);
  }

  createContainer(runtime: RuntimeName, spec: ContainerSpec): Promise<RuntimeContainer> {
    return createRuntime(runtime).create(spec);
  }

  async writeLayer(dir: string, opts: WriteLayerOpts): Promise<LayerResult> {
    const layout = await this.layout();
    return writeLayerFromDir(dir, { sourceDateEpoch: opts.sourceDateEpoch, exclude: opts.exclude, compression: opts.compression, overlayUpper: true, store: layout.blobs });
  }

  async exportImage(
    image: { config: ImageConfig; layers: Descriptor[]; annotations: Record<string, string> },
    outputs: OutputTarget[],
    opts: { sourceDateEpoch: number; signal: AbortSignal; login: ContainerBuildConfig['login'] },
  ): Promise<ExportResult> {
    const cache = await this.layout();
    const ann = Object.keys(image.annotations).length > 0 ? { annotations: image.annotations } : {};
    const manifest = await cache.writeImage({ config: image.config, layers: image.layers, ...ann });
    const resolved: ResolvedImage = await cache.resolve(manifest.digest);
    const result: ExportResult = {
      manifestDigest: manifest.digest,
      configDigest: resolved.manifest.config.digest,
      layoutDir: this.cacheDir,
      files: [],
      outputs: [],
    };
    let layoutSet = false;
    for (const out of outputs) {
      opts.signal.throwIfAborted();
      switch (out.kind) {
        case 'oci': {
          const dst = await OciLayout.create(out.path);
          for (const d of [resolved.manifest.config, ...resolved.manifest.layers, resolved.manifestDescriptor]) {
            if (!(await dst.blobs.has(d.digest))) await linkOrCopy(cache.blobs.path(d.digest), dst.blobs.path(d.digest));
          }
          const desc: Descriptor = { ...resolved.manifestDescriptor, platform: platformOf(image.config) };
          await dst.addManifest(desc, out.tag ?? 'latest');
          if (!layoutSet) {
            result.layoutDir = out.path;
            result.refName = out.tag ?? 'latest';
            layoutSet = true;
          }
          result.files.push(out.path);
          result.outputs.push(`oci:${out.path}:${out.tag ?? 'latest'}`);
          break;
        }
        case 'oci-archive':
        case 'docker-archive': {
          // An archive is a pure function of the image and these inputs: an untouched file
          // that already holds this manifest is not written again.
          const memo = new FileMemo(this.cacheDir, 'output-archive');
          const inputs = { kind: out.kind, tag: out.tag ?? null, sourceDateEpoch: opts.sourceDateEpoch };
          if ((await memo.get(out.path, inputs)) !== manifest.digest) {
            await mkdir(path.dirname(out.path), { recursive: true });
            if (out.kind === 'oci-archive') await writeOciArchive(resolved, out.path, { sourceDateEpoch: opts.sourceDateEpoch, ...(out.tag === undefined ? {} : { refName: out.tag }) });
            else await writeDockerArchive(resolved, out.path, { sourceDateEpoch: opts.sourceDateEpoch, ...(out.tag === undefined ? {} : { repoTags: [out.tag] }) });
            await memo.set(out.path, inputs, manifest.digest);
          }
          result.files.push(out.path);
          result.outputs.push(`${out.kind}:${out.path}`);
          break;
        }
        case 'registry': {
          const ref = parseReference(out.ref);
          if (ref.tag === undefined && ref.digest === undefined) ref.tag = 'latest';
          const client = new RegistryClient(registryOptions(opts.login, opts.signal));
          const digest = await client.push(resolved, ref);
          result.outputs.push(`${formatReference(ref)}@${digest}`);
          break;
        }
      }
    }
    return result;
  }

  async exportTree(dir: string, dest: string, sourceDateEpoch: number): Promise<void> {
    // A scratch blob store beside the destination: the tar is written once, then renamed.
    const scratch = path.join(path.dirname(dest), `.imgbuild-export-${process.pid}`);
    try {
      const layer = await writeLayerFromDir(dir, { sourceDateEpoch, compression: 'none', store: new BlobStore(scratch) });
      await mkdir(path.dirname(dest), { recursive: true });
      await rename(layer.path, dest);
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  }
}

/**
 * Pulls `ref`, from its registry's mirror first when IMGBUILD_REGISTRY_MIRRORS names one;
 * the original registry is tried only when the mirror does not have the image.
 */
async function pullViaMirror(
  client: RegistryClient,
  ref: ImageReference,
  layout: OciLayout,
  opts: { platform: Platform; refName: string },
  say: (line: string) => void,
): Promise<PullResult> {
  const mirror = mirrorReference(ref, parseMirrors(process.env[MIRRORS_ENV]));
  if (mirror !== null) {
    try {
      const res = await client.pull(mirror, layout, opts);
      say(`Pulled ${opts.refName} from mirror ${formatReference(mirror)}`);
      return res;
    } catch (e) {
      if (!(e instanceof OciError) || e.code !== 'E_OCI_UNKNOWN_IMAGE') throw e;
      say(`Mirror ${mirror.registry} does not have ${formatReference(mirror)}; pulling from ${ref.registry}`);
    }
  }
  const res = await client.pull(ref, layout, opts);
  say(`Pulled ${opts.refName} from ${ref.registry}`);
  return res;
}

async function allPresent(layout: OciLayout, layers: Descriptor[]): Promise<boolean> {
  return (await Promise.all(layers.map((l) => layout.blobs.has(l.digest)))).every(Boolean);
}

function registryOptions(login: ContainerBuildConfig['login'], signal: AbortSignal): RegistryOptions {
  const o: RegistryOptions = { signal };
  if (login) o.credentials = { [login.server]: { username: login.username, password: login.password } };
  return o;
}

function platformOf(c: ImageConfig): Platform {
  const p: Platform = { architecture: c.architecture, os: c.os };
  if (c.variant !== undefined) p.variant = c.variant;
  return p;
}

/** Hard link when on the same filesystem (blobs are immutable), else copy. */
async function linkOrCopy(src: string, dst: string): Promise<void> {
  await mkdir(path.dirname(dst), { recursive: true });
  try {
    await link(src, dst);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return;
    if (code !== 'EXDEV' && code !== 'EPERM') {
      if (!(await stat(src).catch(() => null))) throw new BuildError(`blob ${src}: missing from the cache; clear the cache entry and rebuild`, { cause: e });
    }
    await copyFile(src, dst);
  }
}
