import { OciError } from '../errors.js';
import { mirrorReference, parseMirrors } from './mirrors.js';
import { formatReference, parseReference } from './reference.js';

describe('registry mirrors', () => {
  test('parses registry=mirror pairs', () => {
    expect([...parseMirrors('docker.io=127.0.0.1:5000, ghcr.io=mirror.example.com ,')]).toEqual([
      ['docker.io', '127.0.0.1:5000'],
      ['ghcr.io', 'mirror.example.com'],
    ]);
    expect(parseMirrors(undefined).size).toBe(0);
    expect(parseMirrors('').size).toBe(0);
    expect([...parseMirrors('index.docker.io=localhost:5000')]).toEqual([['docker.io', 'localhost:5000']]);
  });

  test.each([
    ['ubuntu', 'docker.io=127.0.0.1:5000', '127.0.0.1:5000/library/ubuntu:latest'],
    ['docker.io/library/ubuntu:22.04', 'docker.io=127.0.0.1:5000', '127.0.0.1:5000/library/ubuntu:22.04'],
    [`user/app@sha256:${'a'.repeat(64)}`, 'docker.io=m.example:443', `m.example:443/user/app@sha256:${'a'.repeat(64)}`],
    ['ghcr.io/o/r:t', 'docker.io=127.0.0.1:5000,ghcr.io=127.0.0.1:5001', '127.0.0.1:5001/o/r:t'],
  ])('%s with %s pulls %s', (image, env, want) => {
    const m = mirrorReference(parseReference(image), parseMirrors(env));
    expect(m === null ? null : formatReference(m)).toBe(want);
  });

  test('no mirror for other registries', () => {
    expect(mirrorReference(parseReference('quay.io/a/b'), parseMirrors('docker.io=127.0.0.1:5000'))).toBeNull();
  });

  test.each(['docker.io', 'docker.io=', '=127.0.0.1:5000', 'docker.io=http://127.0.0.1:5000', 'docker.io=a=b', 'docker.io 127.0.0.1'])(
    'a malformed value %j names the variable and the entry',
    (bad) => {
      const err = (() => {
        try {
          parseMirrors(`ghcr.io=m.example,${bad}`);
        } catch (e) {
          return e;
        }
        return null;
      })();
      expect(err).toBeInstanceOf(OciError);
      expect((err as OciError).code).toBe('E_OCI_MIRRORS');
      expect((err as OciError).message).toBe(`IMGBUILD_REGISTRY_MIRRORS: malformed entry "${bad}": expected registry=mirror host[:port], e.g. docker.io=127.0.0.1:5000`);
    },
  );
});
