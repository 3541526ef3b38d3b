// Reads, appends to and atomically rewrites packer-manifest.json. Parallel builds of one
// run append to the same file, so writes to a path are serialised in this process.
import { promises as fs } from 'node:fs';
import { dirname } from 'node:path';
import { BuildError, errorMessage } from '../../src/core/errors.js';

/** One build, with Packer's field names and order (its manifest.Artifact struct). */
export interface ManifestBuild {
  name: string;
  builder_type: string;
  build_time?: number;
  files: { name: string; size: number }[] | null;
  artifact_id: string;
  packer_run_uuid: string;
  custom_data: Record<string, string> | null;
}

export interface ManifestFile {
  builds: ManifestBuild[];
  last_run_uuid: string;
}

const locks = new Map<string, Promise<void>>();

/** With `force`, a manifest last written by another run is started afresh (Packer's -force). */
export function appendToManifest(path: string, build: ManifestBuild, runUuid: string, force = false): Promise<void> {
  const prev = locks.get(path) ?? Promise.resolve();
  const next = prev.then(() => write(path, build, runUuid, force));
  locks.set(path, next.catch(() => undefined));
  return next;
}

async function write(path: string, build: ManifestBuild, runUuid: string, force: boolean): Promise<void> {
  let manifest: ManifestFile = { builds: [], last_run_uuid: '' };
  try {
    const text = await fs.readFile(path, 'utf8');
    if (text.trim() !== '') {
      const parsed = JSON.parse(text) as Partial<ManifestFile>;
      manifest = { builds: Array.isArray(parsed.builds) ? parsed.builds : [], last_run_uuid: parsed.last_run_uuid ?? '' };
    }
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new BuildError(`read manifest ${path}: ${errorMessage(e)}`, { code: 'E_MANIFEST', cause: e });
    }
  }
  if (force && manifest.last_run_uuid !== runUuid) manifest = { builds: [], last_run_uuid: '' };
  manifest.builds.push(build);
  manifest.last_run_uuid = runUuid;
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    await fs.mkdir(dirname(path), { recursive: true });
    await fs.writeFile(tmp, `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o644 });
    await fs.rename(tmp, path);
  } catch (e) {
    await fs.rm(tmp, { force: true });
    throw new BuildError(`write manifest ${path}: ${errorMessage(e)}`, { code: 'E_MANIFEST', cause: e });
  }
}

export async function fileSize(path: string): Promise<number> {
  try {
    return (await fs.stat(path)).size;
  } catch {
    return 0;
  }
}
