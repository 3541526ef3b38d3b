import { rangeAtLine } from '../core/testing.js';
import { knownPlugins, loadPlugin, moduleLoader, registerPlugin, unknownPluginDiagnostic } from '../core/registry.js';
import { registerBuiltins } from './plugins.js';

describe('plugin registry', () => {
  beforeAll(() => registerBuiltins());

  it('lists what ships, loads lazily, and returns the same plugin each time', async () => {
    expect(knownPlugins('post-processor')).toEqual(
      expect.arrayContaining(['checksum', 'compress', 'docker-push', 'docker-tag', 'manifest', 'shell-local']),
    );
    const a = await loadPlugin('builder', 'null');
    expect(a.name).toBe('null');
    expect(await loadPlugin('builder', 'null')).toBe(a);
  });

  it('names the missing module when a registered plugin is not installed', async () => {
    const missing = '../../builders/does-not-exist/index.js';
    registerPlugin('builder', 'ghost', moduleLoader('builder', 'ghost', () => import(missing) as Promise<Record<string, unknown>>, 'builders/does-not-exist/index.js'));
    await expect(loadPlugin('builder', 'ghost')).rejects.toThrow(
      'builder "ghost" is not available in this installation of imgbuild (module builders/does-not-exist/index.js is missing)',
    );
  });

  it('rejects an unregistered type with the list of what exists', async () => {
    await expect(loadPlugin('provisioner', 'shel')).rejects.toThrow(/^Unknown provisioner type "shel"\. Did you mean "shell"\?/);
    const d = unknownPluginDiagnostic('builder', 'amazon-ebs', rangeAtLine(4));
    expect(d.summary).toBe('Unknown builder type "amazon-ebs"');
    expect(d.subject?.start.line).toBe(4);
    expect(d.detail).toContain('imgbuild has these builders: ');
  });
});
