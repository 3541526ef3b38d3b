import { formatReference, parseReference } from './reference.js';

describe('parseReference', () => {
  test.each([
    ['ubuntu', 'docker.io/library/ubuntu:latest'],
    ['ubuntu:22.04', 'docker.io/library/ubuntu:22.04'],
    ['user/app', 'docker.io/user/app:latest'],
    ['index.docker.io/library/debian:12', 'docker.io/library/debian:12'],
    ['localhost/app', 'localhost/app:latest'],
    ['127.0.0.1:5000/team/app:v1', '127.0.0.1:5000/team/app:v1'],
    ['ghcr.io/o/r:t', 'ghcr.io/o/r:t'],
    [`host:5000/repo:tag@sha256:${'a'.repeat(64)}`, `host:5000/repo:tag@sha256:${'a'.repeat(64)}`],
    [`repo@sha256:${'b'.repeat(64)}`, `docker.io/library/repo@sha256:${'b'.repeat(64)}`],
  ])('%s is %s', (input, want) => {
    expect(formatReference(parseReference(input))).toBe(want);
  });

  test('explains what is wrong with a bad reference', () => {
    expect(() => parseReference('Upper/Case')).toThrow('invalid image reference "Upper/Case": repository "Upper/Case" must be lowercase [a-z0-9._-/]');
    expect(() => parseReference('repo@sha256:abc')).toThrow('invalid image reference "repo@sha256:abc": malformed digest');
  });
});
