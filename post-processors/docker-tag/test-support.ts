// Test-only: a built image in an OCI layout wrapped as the container builder's artifact,
// and the contexts post-processors receive.
import { join } from 'node:path';
import { MemorySink, makeUi } from '../../src/core/events.js';
import type { Artifact, PostProcessContext, RawConfig } from '../../src/core/plugin.js';
import type { ValueObject } from '../../src/core/model/value.js';
import { STATE_IMAGE_REF, STATE_MANIFEST_DIGEST, STATE_OCI_LAYOUT } from '../../src/oci/artifact-state.js';
import { addLayer, newImageConfig } from '../../src/oci/config.js';
import { OciLayout } from '../../src/oci/layout.js';
import { writeLayerFromDir } from '../../src/oci/layer-writer.js';
import { writeTree } from '../../src/oci/test-util.js';

export async function builtImage(dir: string): Promise<Artifact> {
  const layoutDir = join(dir, 'image');
  const layout = await OciLayout.create(layoutDir);
  await writeTree(join(dir, 'tree'), { 'etc/app.conf': 'x=1\n' });
  const l = await writeLayerFromDir(join(dir, 'tree'), { sourceDateEpoch: 1700000000, compression: 'gzip', store: layout.blobs });
  const cfg = addLayer(newImageConfig({ sourceDateEpoch: 1700000000 }), l.diffId, { createdBy: 'test', sourceDateEpoch: 1700000000 });
  const d = await layout.writeImage({ config: cfg, layers: [{ mediaType: l.mediaType, digest: l.digest, size: l.size }], refName: 'build' });
  return {
    builderId: 'imgbuild.container',
    id: d.digest,
    files: [],
    description: 'test image',
    state: { [STATE_OCI_LAYOUT]: layoutDir, [STATE_MANIFEST_DIGEST]: d.digest, [STATE_IMAGE_REF]: 'build' },
    destroy: () => Promise.resolve(),
  };
}

export function ppContext(): { ctx: PostProcessContext; sink: MemorySink } {
  const sink = new MemorySink();
  const ctx: PostProcessContext = {
    signal: new AbortController().signal,
    ui: makeUi('container.test', sink),
    journal: { record: () => Promise.resolve({ id: '', kind: '', handle: {}, description: '', build: '', runId: '', createdAt: '' }), complete: (e) => Promise.resolve(e), strike: () => Promise.resolve() },
    build: { buildName: '', sourceFullName: 'container.test', sourceType: 'container', sourceName: 'test', runId: 'r1', templateDir: '/tmp' },
    generated: {},
  };
  return { ctx, sink };
}

export function raw(values: ValueObject): RawConfig {
  const pos = { line: 1, column: 1, byte: 0 };
  return { values, ranges: new Map(), blockRange: { filename: 't.pkr.hcl', start: pos, end: pos } };
}
