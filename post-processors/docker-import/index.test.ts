import { STATE_MANIFEST_DIGEST } from '../../src/oci/artifact-state.js';
import { tempDir } from '../../src/oci/test-util.js';
import { builtImage, ppContext, raw } from '../docker-tag/test-support.js';
import { cliDriver, type DockerDriver } from './driver.js';
import { makeDockerImport } from './index.js';

describe('docker-import', () => {
  let tmp: { path: string; cleanup: () => Promise<void> };
  beforeEach(async () => {
    tmp = await tempDir();
  });
  afterEach(async () => tmp.cleanup());
  const prepCtx = { templateDir: '/tmp', sourceFullName: 'c.t', buildName: '' };

  test('without a Docker engine, says so and points at docker-save', async () => {
    const driver: DockerDriver = {
      unreachable: () => Promise.resolve('Cannot connect to the Docker daemon at unix:///var/run/docker.sock'),
      load: () => Promise.resolve(''),
      tag: () => Promise.resolve(),
    };
    const pp = makeDockerImport(driver);
    const cfg = pp.prepare(raw({ repository: 'app', tag: '1' }), prepCtx).config;
    await expect(pp.process(ppContext().ctx, await builtImage(tmp.path), cfg as NonNullable<typeof cfg>)).rejects.toThrow(
      'docker-import: no Docker engine is reachable (Cannot connect to the Docker daemon at unix:///var/run/docker.sock); use the docker-save post-processor',
    );
  });

  test('loads a docker-archive tagged repository:tag when an engine answers', async () => {
    const loaded: string[] = [];
    const driver: DockerDriver = {
      unreachable: () => Promise.resolve(null),
      load: (archive) => {
        loaded.push(archive);
        return Promise.resolve('Loaded image: app:1');
      },
      tag: () => Promise.resolve(),
    };
    const pp = makeDockerImport(driver);
    const cfg = pp.prepare(raw({ repository: 'app', tag: '1' }), prepCtx).config;
    const input = await builtImage(tmp.path);
    const r = await pp.process(ppContext().ctx, input, cfg as NonNullable<typeof cfg>);
    expect(loaded).toHaveLength(1);
    expect(r.artifact.id).toBe('app:1');
    expect(r.artifact.state[STATE_MANIFEST_DIGEST]).toBe(input.state[STATE_MANIFEST_DIGEST]);
  });
});

// Runs only where a Docker engine answers (DOCKER_HOST or the default socket): `docker load`
// itself is the judge of the archive.
const engine = (await cliDriver().unreachable()) === null;
(engine ? test : test.skip)('a real Docker engine loads the image and tags it', async () => {
  const tmp = await tempDir();
  try {
    const pp = makeDockerImport(cliDriver());
    const cfg = pp.prepare(raw({ repository: 'imgbuild-test/import', tag: 'v1' }), { templateDir: '/tmp', sourceFullName: 'c.t', buildName: '' }).config;
    const r = await pp.process(ppContext().ctx, await builtImage(tmp.path), cfg as NonNullable<typeof cfg>);
    expect(r.artifact.id).toBe('imgbuild-test/import:v1');
  } finally {
    await tmp.cleanup();
  }
});
