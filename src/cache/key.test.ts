import { baseChain, keyTag, producedChain, stepKey, type StepKeyInput } from './key.js';

const input = (over: Partial<StepKeyInput> = {}): StepKeyInput => ({
  parent: baseChain({ diff_ids: ['sha256:' + 'a'.repeat(64)] }),
  builder: { user: null, env: ['A=1'], network: 'host' },
  type: 'shell',
  config: { inline: ['echo hi'], scripts: ['/src/repo/scripts/a.sh'] },
  inputs: { scripts: ['0f'] },
  salt: null,
  ...over,
});
const ctx = { templateDir: '/src/repo', sensitiveValues: [] };

describe('stepKey', () => {
  it('is stable and 64 hex digits', () => {
    const a = stepKey(input(), ctx);
    expect(a.key).toMatch(/^[0-9a-f]{64}$/);
    expect(stepKey(input(), ctx).key).toBe(a.key);
  });

  it('does not depend on object key order', () => {
    const a = stepKey(input({ builder: { network: 'host', env: ['A=1'], user: null } }), ctx);
    expect(a.key).toBe(stepKey(input(), ctx).key);
  });

  it('is the same for two checkouts in different directories', () => {
    const other = stepKey(input({ config: { inline: ['echo hi'], scripts: ['/home/ci/work/scripts/a.sh'] } }), { ...ctx, templateDir: '/home/ci/work/' });
    expect(other.key).toBe(stepKey(input(), ctx).key);
    expect(other.material).toContain('./scripts/a.sh');
  });

  it('changes with the parent, the config, the inputs, the builder settings and cache_key', () => {
    const base = stepKey(input(), ctx).key;
    const variants: Partial<StepKeyInput>[] = [
      { parent: 'other' },
      { config: { inline: ['echo ho'], scripts: ['/src/repo/scripts/a.sh'] } },
      { inputs: { scripts: ['10'] } },
      { builder: { user: 'app', env: ['A=1'], network: 'host' } },
      { type: 'shell-local' },
      { salt: 'v2' },
    ];
    for (const v of variants) expect(stepKey(input(v), ctx).key).not.toBe(base);
  });

  it('replaces sensitive values by their hash, so the encoding never holds them', () => {
    const secret = 'hunter2-very-secret';
    const k = stepKey(input({ config: { inline: [`TOKEN=${secret} ./deploy`] } }), { ...ctx, sensitiveValues: [secret] });
    expect(k.material).not.toContain(secret);
    expect(k.material).toMatch(/TOKEN=<sensitive:[0-9a-f]{16}> \.\/deploy/);
    // A different secret still gives a different key.
    const k2 = stepKey(input({ config: { inline: ['TOKEN=other-secret-value ./deploy'] } }), { ...ctx, sensitiveValues: ['other-secret-value'] });
    expect(k2.key).not.toBe(k.key);
  });

  it('chains after an uncached step on what it produced', () => {
    expect(producedChain('p', 'sha256:1')).not.toBe(producedChain('p', 'sha256:2'));
    expect(producedChain('p', null)).toBe(producedChain('p', null));
  });

  it('tags are valid registry tags', () => {
    expect(keyTag('a'.repeat(64))).toMatch(/^[\w][\w.-]{0,127}$/);
  });
});
