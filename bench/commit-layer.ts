// Commits a directory as one gzip layer with imgbuild's layer writer, into a throw-away blob
// store, and prints the digests: the imgbuild side of "commit the minbase tree" in
// bench/container-w1.sh. Usage: node dist/bench/commit-layer.js DIR
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BlobStore } from '../src/oci/blob-store.js';
import { writeLayerFromDir } from '../src/oci/layer-writer.js';

const dir = process.argv[2];
if (!dir) {
  process.stderr.write('usage: commit-layer DIR\n');
  process.exit(2);
}
const root = mkdtempSync(join(tmpdir(), 'imgbuild-bench-commit-'));
try {
  const layer = await writeLayerFromDir(dir, {
    sourceDateEpoch: 1700000000,
    compression: 'gzip',
    store: new BlobStore(root),
  });
  process.stdout.write(`${JSON.stringify(layer)}\n`);
} finally {
  rmSync(root, { recursive: true, force: true });
}
