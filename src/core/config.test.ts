import { z } from 'zod';
import { UNKNOWN } from './model/value.js';
import { durationSchema, parseDuration, prepareConfig } from './config.js';
import { lineOf, rawConfig } from './testing.js';

const schema = z.object({
  image: z.string(),
  commit: z.boolean().default(false),
  retries: z.number().int().optional(),
  changes: z.array(z.string()).optional(),
  labels: z.record(z.string()).optional(),
  timeout: durationSchema().optional(),
  tag: z.array(z.object({ key: z.string(), value: z.string() })).optional(),
  network: z.object({ mode: z.enum(['host', 'none']) }).optional(),
});

describe('prepareConfig', () => {
  it('reports an unknown key at its range with a did-you-mean hint', () => {
    const raw = rawConfig({ image: 'debian', comit: true });
    const p = prepareConfig(schema, raw);
    expect(p.config).toBeNull();
    expect(p.errors).toHaveLength(1);
    expect(p.errors[0]?.summary).toBe('Unsupported argument');
    expect(p.errors[0]?.detail).toBe('An argument named "comit" is not expected here. Did you mean "commit"?');
    expect(p.errors[0]?.subject?.start.line).toBe(lineOf(raw, 'comit'));
  });

  it('gives no hint when nothing is close', () => {
    const p = prepareConfig(schema, rawConfig({ image: 'x', zzzzzz: 1 }));
    expect(p.errors[0]?.detail).toBe('An argument named "zzzzzz" is not expected here.');
  });

  it('reports every problem at once: missing, wrong type, unknown, nested', () => {
    const raw = rawConfig({ retries: 'many', changes: 'RUN x', bogus: 1, tag: [{ key: 'a' }] });
    const p = prepareConfig(schema, raw);
    const got = p.errors.map((d) => [d.summary, d.detail, d.subject?.start.line]);
    expect(got).toEqual(
      expect.arrayContaining([
        ['Unsupported argument', 'An argument named "bogus" is not expected here.', lineOf(raw, 'bogus')],
        ['Missing required argument', 'The argument "image" is required, but no definition was found.', 1],
        ['Incorrect attribute value type', 'Inappropriate value for attribute "retries": a number is required.', lineOf(raw, 'retries')],
        ['Incorrect attribute value type', 'Inappropriate value for attribute "changes": a list of string is required.', lineOf(raw, 'changes')],
        ['Missing required argument', 'The argument "tag[0].value" is required, but no definition was found.', lineOf(raw, 'tag.0')],
      ]),
    );
    expect(p.errors).toHaveLength(5);
  });

  it('converts values as cty does', () => {
    const p = prepareConfig(schema, rawConfig({ image: 42, commit: 'true', retries: '3', labels: { a: 1, b: true } }));
    expect(p.errors).toEqual([]);
    expect(p.config).toEqual({ image: '42', commit: true, retries: 3, labels: { a: '1', b: 'true' } });
  });

  it('accepts a single nested block and rejects a duplicate one', () => {
    expect(prepareConfig(schema, rawConfig({ image: 'x', network: [{ mode: 'host' }] })).config?.network).toEqual({ mode: 'host' });
    const raw = rawConfig({ image: 'x', network: [{ mode: 'host' }, { mode: 'none' }] });
    const p = prepareConfig(schema, raw);
    expect(p.errors.map((d) => d.summary)).toEqual(['Duplicate block']);
    const bad = prepareConfig(schema, rawConfig({ image: 'x', network: [{ mode: 'bridge' }] }));
    expect(bad.errors[0]?.detail).toBe('The argument "network.mode" must be one of "host", "none"; got "bridge".');
  });

  it('parses Go durations into milliseconds and rejects bad ones at the key', () => {
    expect(prepareConfig(schema, rawConfig({ image: 'x', timeout: '1m30s' })).config?.timeout).toBe(90_000);
    const raw = rawConfig({ image: 'x', timeout: 'soon' });
    const p = prepareConfig(schema, raw);
    expect(p.errors[0]?.detail).toBe('Invalid value for "timeout": must be a duration such as "1m30s", got "soon".');
    expect(p.errors[0]?.subject?.start.line).toBe(lineOf(raw, 'timeout'));
  });

  it('lets unknown values through: they are checked when the build runs', () => {
    const p = prepareConfig(schema, rawConfig({ image: UNKNOWN, retries: UNKNOWN, tag: [{ key: 'a', value: UNKNOWN }] }));
    expect(p.errors).toEqual([]);
    expect(p.config).not.toBeNull();
  });

  it('still reports known problems next to unknown values', () => {
    const p = prepareConfig(schema, rawConfig({ image: UNKNOWN, retries: 'x' }));
    expect(p.errors.map((d) => d.summary)).toEqual(['Incorrect attribute value type']);
  });

  it('applies aliases and warns about ignored keys', () => {
    const raw = rawConfig({ img: 'debian', use_linux_pathing: true });
    const p = prepareConfig(schema, raw, { aliases: { img: 'image' }, ignored: { use_linux_pathing: 'only for Windows' } });
    expect(p.errors).toEqual([]);
    expect(p.config?.image).toBe('debian');
    expect(p.warnings.map((d) => [d.severity, d.detail, d.subject?.start.line])).toEqual([
      ['warning', 'only for Windows', lineOf(raw, 'use_linux_pathing')],
    ]);
  });
});

it('keeps unknown keys of a passthrough schema', () => {
  const open = z.object({ a: z.string() }).passthrough();
  expect(prepareConfig(open, rawConfig({ a: 'x', extra: 1 })).config).toEqual({ a: 'x', extra: 1 });
});

describe('parseDuration', () => {
  it('reads Go duration strings', () => {
    expect(parseDuration('1m30s')).toBe(90_000);
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('1.5h')).toBe(5_400_000);
    expect(parseDuration('0')).toBe(0);
    expect(() => parseDuration('10')).toThrow('invalid duration "10"');
    expect(() => parseDuration('1x')).toThrow();
  });
});

describe('prepareConfig ranges in single blocks', () => {
  it('points at the key inside a block written once', () => {
    const raw = rawConfig({ image: 'x', network: [{ mode: 'bridge' }] });
    const p = prepareConfig(schema, raw);
    expect(p.errors[0]?.subject?.start.line).toBe(lineOf(raw, 'network.0.mode'));
  });
});
