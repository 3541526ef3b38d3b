// Writes the archive to a temp file beside the output, then renames it into place, so a
// failed or cancelled run never leaves a truncated archive under the final name.
import { createReadStream, createWriteStream, promises as fs } from 'node:fs';
import { dirname } from 'node:path';
import { Readable, type Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { BuildError, errorMessage } from '../../src/core/errors.js';
import type { ArchiveFormat } from './config.js';
import { collectEntries, tarStream } from './tar.js';

export interface CompressRequest {
  files: readonly string[];
  output: string;
  format: ArchiveFormat;
  level: number;
  /** SOURCE_DATE_EPOCH, or 0. */
  mtime: number;
  signal: AbortSignal;
}

export async function compress(req: CompressRequest): Promise<void> {
  await fs.mkdir(dirname(req.output), { recursive: true });
  const tmp = `${req.output}.${process.pid}.tmp`;
  try {
    const source = await open(req);
    // zlib's gzip header has mtime 0 and no file name: nothing in it varies between runs.
    const stages: (Readable | Transform)[] = req.format === 'tar' ? [source] : [source, createGzip({ level: req.level })];
    await pipeline([...stages, createWriteStream(tmp, { mode: 0o644 })], { signal: req.signal });
    await fs.rename(tmp, req.output);
  } catch (e) {
    await fs.rm(tmp, { force: true });
    if (e instanceof BuildError) throw e;
    throw new BuildError(`compress to ${req.output}: ${errorMessage(e)}`, { code: 'E_COMPRESS', cause: e });
  }
}

async function open(req: CompressRequest): Promise<Readable> {
  if (req.format === 'gz') {
    const [only, ...more] = req.files;
    if (only === undefined || more.length > 0) {
      throw new BuildError(
        `compress: the .gz format holds exactly one file and the artifact has ${req.files.length}; use a .tar.gz output`,
        { code: 'E_COMPRESS' },
      );
    }
    if (!(await fs.stat(only)).isFile()) {
      throw new BuildError(`compress: ${only} is not a regular file; use a .tar.gz output`, { code: 'E_COMPRESS' });
    }
    return createReadStream(only);
  }
  return Readable.from(tarStream(await collectEntries(req.files), req.mtime));
}
