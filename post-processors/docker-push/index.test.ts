import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { startRegistry } from '../../test/helpers/registry.js';
import { STATE_TAGS } from '../../src/oci/artifact-state.js';
import { OciLayout } from '../../src/oci/layout.js';
import { RegistryClient } from '../../src/oci/registry/client.js';
import { parseReference } from '../../src/oci/registry/reference.js';
import { tempDir } from '../../src/oci/test-util.js';
import { dockerSavePostProcessor } from '../docker-save/index.js';
import { dockerTagPostProcessor } from '../docker-tag/index.js';
import { builtImage, ppContext, raw } from '../docker-tag/test-support.js';
import { dockerPushPostProcessor } from './index.js';

let tmp: { path: string; cleanup: () => Promise<void> };
beforeEach(async () => {
  tmp = await tempDir();
});
afterEach(async () => tmp.cleanup());

describe('docker-tag → docker-save → docker-push', () => {
  test('tags in the layout, saves a loadable archive and pushes every tag to a real registry', async () => {
    const reg = await startRegistry({ auth: { kind: 'basic', username: 'ci', password: 'pw' } });
    try {
      const input = await builtImage(tmp.path);
      const { ctx } = ppContext();
      const tagCfg = dockerTagPostProcessor.prepare(raw({ repository: `${reg.host}/team/app`, tags: ['1.0', 'latest'] }), { templateDir: tmp.path, sourceFullName: 'container.test', buildName: '' });
      expect(tagCfg.errors).toEqual([]);
      const tagged = await dockerTagPostProcessor.process(ctx, input, tagCfg.config as NonNullable<typeof tagCfg.config>);
      expect(tagged.artifact.state[STATE_TAGS]).toEqual([`${reg.host}/team/app:1.0`, `${reg.host}/team/app:latest`]);
      const layout = await OciLayout.open(input.state['ociLayout'] as string);
      expect((await layout.refNames()).sort()).toEqual([`${reg.host}/team/app:1.0`, `${reg.host}/team/app:latest`, 'build']);

      const saveCfg = dockerSavePostProcessor.prepare(raw({ path: 'out/app.tar' }), { templateDir: tmp.path, sourceFullName: 'container.test', buildName: '' });
      const { mkdir } = await import('node:fs/promises');
      await mkdir(join(tmp.path, 'out'));
      const saved = await dockerSavePostProcessor.process(ctx, tagged.artifact, saveCfg.config as NonNullable<typeof saveCfg.config>);
      expect(saved.artifact.files).toEqual([join(tmp.path, 'out/app.tar')]);
      const manifest = JSON.parse(execFileSync('tar', ['-xOf', join(tmp.path, 'out/app.tar'), 'manifest.json']).toString()) as Array<{ RepoTags: string[] }>;
      expect(manifest[0]?.RepoTags).toEqual([`${reg.host}/team/app:1.0`, `${reg.host}/team/app:latest`]);

      const pushCfg = dockerPushPostProcessor.prepare(raw({ login: true, login_username: 'ci', login_password: 'pw', login_server: `http://${reg.host}` }), {
        templateDir: tmp.path,
        sourceFullName: 'container.test',
        buildName: '',
      });
      expect(pushCfg.errors).toEqual([]);
      const pushed = await dockerPushPostProcessor.process(ctx, tagged.artifact, pushCfg.config as NonNullable<typeof pushCfg.config>);
      expect(pushed.artifact.description).toContain(`${reg.host}/team/app:latest@${String(input.state['manifestDigest'])}`);
      const client = new RegistryClient({ credentials: { [reg.host]: { username: 'ci', password: 'pw' } } });
      const m = await client.getManifest(parseReference(`${reg.host}/team/app:1.0`), '1.0');
      expect(m.digest).toBe(input.state['manifestDigest']);
      expect((await readFile(join(tmp.path, 'out/app.tar'))).length).toBeGreaterThan(1024);
    } finally {
      await reg.stop();
    }
  });

  test('docker-tag refuses to move an existing tag without force', async () => {
    const input = await builtImage(tmp.path);
    const layout = await OciLayout.open(input.state['ociLayout'] as string);
    const other = { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: `sha256:${'1'.repeat(64)}`, size: 2 };
    await layout.addManifest(other, 'example.com/app:1.0');
    const { ctx } = ppContext();
    const prep = (force: boolean) =>
      dockerTagPostProcessor.prepare(raw({ repository: 'example.com/app', tag: '1.0', force }), { templateDir: tmp.path, sourceFullName: 'c.t', buildName: '' }).config;
    await expect(dockerTagPostProcessor.process(ctx, input, prep(false) as NonNullable<ReturnType<typeof prep>>)).rejects.toThrow(
      `docker-tag: example.com/app:1.0 already names image sha256:${'1'.repeat(64)}`,
    );
    await dockerTagPostProcessor.process(ctx, input, prep(true) as NonNullable<ReturnType<typeof prep>>);
    expect((await layout.resolve('example.com/app:1.0')).manifestDescriptor.digest).toBe(input.state['manifestDigest']);
  });

  test('docker-push warns that ecr_login is ignored and needs both login keys', () => {
    const ctx = { templateDir: tmp.path, sourceFullName: 'c.t', buildName: '' };
    const ecr = dockerPushPostProcessor.prepare(raw({ ecr_login: true }), ctx);
    expect(ecr.errors).toEqual([]);
    expect(ecr.warnings.map((w) => w.summary)).toEqual(['Argument is ignored']);
    const half = dockerPushPostProcessor.prepare(raw({ login: true, login_username: 'u' }), ctx);
    expect(half.errors.map((e) => e.summary)).toEqual(['login needs login_username and login_password']);
  });

  test('docker-push explains that an untagged image needs docker-tag first', async () => {
    const input = await builtImage(tmp.path);
    const { ctx } = ppContext();
    const cfg = dockerPushPostProcessor.prepare(raw({}), { templateDir: tmp.path, sourceFullName: 'c.t', buildName: '' }).config;
    await expect(dockerPushPostProcessor.process(ctx, input, cfg as NonNullable<typeof cfg>)).rejects.toThrow(
      'docker-push: the image has no repository to push to; add a docker-tag post-processor before it',
    );
  });
});
