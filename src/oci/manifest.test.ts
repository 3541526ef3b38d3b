import { canonicalJson } from './canonical-json.js';
import { epochToRfc3339 } from './config.js';
import { buildManifest, parseManifest, selectPlatform } from './manifest.js';
import { MediaType } from './media-types.js';

const d = (c: string) => `sha256:${c.repeat(64)}`;

describe('manifests', () => {
  test('canonical JSON sorts keys at every depth and drops undefined', () => {
    expect(canonicalJson({ b: 1, a: { d: [{ z: 1, y: undefined, x: 2 }], c: 'x' } })).toBe('{"a":{"c":"x","d":[{"x":2,"z":1}]},"b":1}');
  });

  test('an OCI manifest gives Docker base layers their OCI media type, same digest', () => {
    const m = buildManifest({ mediaType: MediaType.dockerConfig, digest: d('a'), size: 1 }, [
      { mediaType: MediaType.dockerLayerGzip, digest: d('b'), size: 2 },
      { mediaType: MediaType.ociLayerZstd, digest: d('c'), size: 3 },
    ]);
    expect(m.value.config.mediaType).toBe(MediaType.ociConfig);
    expect(m.value.layers.map((l) => [l.mediaType, l.digest])).toEqual([
      [MediaType.ociLayerGzip, d('b')],
      [MediaType.ociLayerZstd, d('c')],
    ]);
    expect(m.bytes.toString()).toBe(canonicalJson(m.value));
  });

  test('reads Docker schema 2 manifests and lists, refuses schema 1', () => {
    const list = { schemaVersion: 2, mediaType: MediaType.dockerManifestList, manifests: [{ mediaType: MediaType.dockerManifest, digest: d('1'), size: 5, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } }] };
    const p = parseManifest(Buffer.from(JSON.stringify(list)), undefined, 'm');
    expect(p.kind).toBe('index');
    if (p.kind === 'index') expect(selectPlatform(p.index, { os: 'linux', architecture: 'arm64' }, 'x').digest).toBe(d('1'));
    expect(() => parseManifest(Buffer.from('{"schemaVersion":1,"name":"x"}'), undefined, 'manifest r:t')).toThrow(
      'manifest r:t: Docker schema 1 manifests are not supported',
    );
    expect(() => parseManifest(Buffer.from('{"schemaVersion":2,"config":{}}'), MediaType.ociManifest, 'manifest r:t')).toThrow(/^manifest r:t: config\.mediaType: Required/);
  });

  test('created times come from SOURCE_DATE_EPOCH in RFC 3339 without fractions', () => {
    expect(epochToRfc3339(1700000000)).toBe('2023-11-14T22:13:20Z');
  });
});
