// The example templates for teams stay valid, and null-hello really builds anywhere.
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT, runCli } from '../helpers/cli.js';

const TEMPLATES = path.join(REPO_ROOT, 'templates');

test.each(['null-hello', 'debian-container', 'debian-vm'])('templates/%s validates', async (name) => {
  const r = await runCli(['validate', path.join(TEMPLATES, name)]);
  expect(r.stderr).toBe('');
  expect(r).toMatchObject({ code: 0, stdout: 'The configuration is valid.\n' });
});

test('templates/null-hello builds: provisioners run in order and the manifest records the custom data', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'imgbuild-null-hello-'));
  try {
    cpSync(path.join(TEMPLATES, 'null-hello'), dir, { recursive: true });
    const r = await runCli(['build', '-var', 'greeting=bonjour', '-var', 'team=platform', dir], {
      env: { IMGBUILD_STATE_DIR: path.join(dir, '.state') },
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const first = r.stdout.indexOf('bonjour from platform (');
    const second = r.stdout.indexOf('the greeting has 7 characters');
    expect(first).toBeGreaterThan(-1);
    expect(second).toBeGreaterThan(first);
    const manifest = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as {
      builds: { name: string; builder_type: string; custom_data: Record<string, string> }[];
    };
    expect(manifest.builds).toHaveLength(1);
    expect(manifest.builds[0]).toMatchObject({ name: 'hello', builder_type: 'null', custom_data: { team: 'platform' } });
    expect(manifest.builds[0]?.custom_data['stamp']).toMatch(/^\d{8}-\d{6}$/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
