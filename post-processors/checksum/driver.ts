// Hashes files as a stream and appends GNU coreutils lines (`<hex>  <basename>`), so
// `sha256sum -c` run beside the files verifies them. Appending, as Packer does, lets
// several builds share one checksum file.
import { createHash } from 'node:crypto';
import { createReadStream, promises as fs } from 'node:fs';
import { basename, dirname } from 'node:path';
import { BuildError, errorMessage } from '../../src/core/errors.js';

export async function hashFile(path: string, algorithm: string, signal: AbortSignal): Promise<string> {
  const h = createHash(algorithm);
  try {
    for await (const chunk of createReadStream(path, { signal })) h.update(chunk as Buffer);
  } catch (e) {
    throw new BuildError(`checksum ${path}: ${errorMessage(e)}`, { code: 'E_CHECKSUM', cause: e });
  }
  return h.digest('hex');
}

export async function appendChecksums(output: string, lines: readonly [string, string][]): Promise<void> {
  await fs.mkdir(dirname(output), { recursive: true });
  const text = lines.map(([hex, file]) => `${hex}  ${basename(file)}\n`).join('');
  await fs.appendFile(output, text, { mode: 0o644 });
}
