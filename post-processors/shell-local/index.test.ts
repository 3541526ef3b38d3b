import { MemorySink, makeUi } from '../../src/core/events.js';
import type { Artifact, PostProcessContext } from '../../src/core/plugin.js';
import { rawConfig } from '../../src/core/testing.js';
import { shellLocalPostProcessor } from './index.js';

describe('shell-local post-processor', () => {
  it('runs locally and passes its input through, forcing keep', async () => {
    const sink = new MemorySink();
    const ctx: PostProcessContext = {
      signal: new AbortController().signal,
      ui: makeUi('null.p', sink),
      journal: { record: () => Promise.resolve({} as never), complete: (e) => Promise.resolve(e), strike: () => Promise.resolve() },
      build: { buildName: '', sourceFullName: 'null.p', sourceType: 'null', sourceName: 'p', runId: 'r', templateDir: '.' },
      generated: {},
    };
    const input: Artifact = { builderId: 'x', id: 'in', files: [], description: '', state: {}, destroy: () => Promise.resolve() };
    const p = shellLocalPostProcessor.prepare(rawConfig({ inline: ['echo "$PACKER_BUILD_NAME"'], keep_input_artifact: true }), {
      templateDir: '.',
      sourceFullName: 'null.p',
      buildName: '',
    });
    expect(p.errors).toEqual([]);
    const res = await shellLocalPostProcessor.process(ctx, input, p.config!);
    expect(res).toEqual({ artifact: input, keepInput: true, forceOverride: true });
    expect(sink.of('output').map((e) => e.line)).toEqual(['p']);
  });
});
