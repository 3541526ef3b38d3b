import { lineOf, rawConfig } from '../../src/core/testing.js';
import { nullBuilder } from './index.js';

const prepCtx = { templateDir: '.', sourceFullName: 'null.n', buildName: '' };

describe('null builder', () => {
  it('defaults to communicator none and produces the Packer null artifact', () => {
    const p = nullBuilder.prepare(rawConfig({}), prepCtx);
    expect(p).toEqual({ config: { communicator: 'none' }, warnings: [], errors: [] });
    const a = nullBuilder.artifact(p.config!, undefined as never);
    expect([a?.id, a?.files, a?.description]).toEqual(['Null', [], 'Did not export anything. This is the null builder']);
  });

  it('accepts SSH settings from Packer templates with a warning', () => {
    const raw = rawConfig({ communicator: 'ssh', ssh_host: '127.0.0.1', ssh_username: 'root' });
    const p = nullBuilder.prepare(raw, prepCtx);
    expect(p.errors).toEqual([]);
    expect(p.warnings.map((d) => [d.summary, d.subject?.start.line])).toEqual([
      ['Communicator not supported by the null builder', lineOf(raw, 'communicator')],
    ]);
  });

  it('rejects unknown keys and bad communicators', () => {
    const raw = rawConfig({ communicator: 'telnet', ssh_hots: 'x' });
    const p = nullBuilder.prepare(raw, prepCtx);
    expect(p.errors.map((d) => d.detail)).toEqual([
      'An argument named "ssh_hots" is not expected here. Did you mean "ssh_host"?',
      'The argument "communicator" must be one of "none", "ssh", "winrm"; got "telnet".',
    ]);
  });
});
