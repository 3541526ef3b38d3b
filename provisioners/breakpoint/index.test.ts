import { MemorySink, makeUi } from '../../src/core/events.js';
import type { ProvisionContext } from '../../src/core/plugin.js';
import { lineOf, rawConfig } from '../../src/core/testing.js';
import { NoneCommunicator } from '../../src/core/none-communicator.js';
import { breakpointProvisioner } from './index.js';

const prepCtx = { templateDir: '.', sourceFullName: 'null.b', buildName: '' };
const ctx = (sink: MemorySink): ProvisionContext => ({
  signal: new AbortController().signal,
  ui: makeUi('null.b', sink),
  comm: new NoneCommunicator(),
  generated: {},
  build: { buildName: '', sourceFullName: 'null.b', sourceType: 'null', sourceName: 'b', runId: 'r', templateDir: '.' },
});

describe('breakpoint provisioner', () => {
  const ci = process.env['CI'];
  beforeEach(() => delete process.env['CI']);
  afterAll(() => {
    if (ci !== undefined) process.env['CI'] = ci;
  });

  it('pauses with its note until answered', async () => {
    const sink = new MemorySink(['']);
    const p = breakpointProvisioner.prepare(rawConfig({ note: 'check /etc' }), prepCtx);
    await breakpointProvisioner.provision(ctx(sink), p.config!);
    expect(sink.questions).toEqual(['Pausing at breakpoint provisioner with note "check /etc". Press enter to continue.']);
  });

  it('warns and continues when nobody can answer', async () => {
    const sink = new MemorySink();
    await breakpointProvisioner.provision(ctx(sink), breakpointProvisioner.prepare(rawConfig({}), prepCtx).config!);
    expect(sink.of('message').map((m) => [m.level, m.text])).toEqual([['warn', 'Breakpoint skipped: not running interactively']]);
  });

  it('does nothing when disabled', async () => {
    const sink = new MemorySink(['']);
    await breakpointProvisioner.provision(ctx(sink), breakpointProvisioner.prepare(rawConfig({ disable: 'true' }), prepCtx).config!);
    expect(sink.questions).toEqual([]);
  });

  it('rejects unknown keys with a hint', () => {
    const raw = rawConfig({ notes: 'x' });
    const p = breakpointProvisioner.prepare(raw, prepCtx);
    expect(p.errors.map((d) => [d.detail, d.subject?.start.line])).toEqual([
      ['An argument named "notes" is not expected here. Did you mean "note"?', lineOf(raw, 'notes')],
    ]);
  });
});
