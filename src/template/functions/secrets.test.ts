import { callError } from './test-helpers.js';

describe('secret-store functions', () => {
  it.each(['vault', 'consul_key', 'aws_secretsmanager'])('%s fails with what to do instead, not "unknown function"', (name) => {
    const args = name === 'consul_key' ? ['k'] : ['a', 'b'];
    const err = callError(name, ...args);
    expect(err.summary).toBe('Error in function call');
    expect(err.message).toContain(`Call to function "${name}" failed: imgbuild does not read secrets from`);
    expect(err.message).toContain('sensitive variable');
  });
});
