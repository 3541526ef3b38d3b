// The evaluator with the real function library: lookups, arity, argument errors and
// templatefile() rendering through templateRenderer.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FUNCTIONS, type FunctionContext } from '../functions/index.js';
import { UNKNOWN } from '../../core/model/value.js';
import { templateRenderer } from './template-string.js';
import { errors, value } from './testing.js';

let dir = '';
let ctx: FunctionContext;

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'imgbuild-eval-'));
  writeFileSync(path.join(dir, 'motd.tpl'), 'Welcome to ${name}\n%{ for p in ports ~}\nport ${p}\n%{ endfor ~}\n');
  writeFileSync(path.join(dir, 'broken.tpl'), 'Hi ${nobody}\n');
  ctx = { baseDir: dir, now: () => new Date(Date.UTC(2024, 0, 2, 3, 4, 5)), renderTemplate: templateRenderer(FUNCTIONS, () => ctx) };
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const opts = (): { functions: typeof FUNCTIONS; context: FunctionContext } => ({ functions: FUNCTIONS, context: ctx });

function val(src: string, vars = {}): unknown {
  return value(src, vars, opts());
}

test('calls real functions', () => {
  expect(val('upper(join("-", ["a", "b"]))')).toBe('A-B');
  expect(val('format("%s:%d", "port", 22)')).toBe('port:22');
  expect(val('length([for x in range(5) : x if x % 2 == 0])')).toBe(3);
  expect(val('max([3, 9, 2]...)')).toBe(9);
  expect(val('lookup({ a = 1 }, "b", "dflt")')).toBe('dflt');
});

test('templatefile renders through the evaluator', () => {
  expect(val('templatefile("motd.tpl", { name = "web", ports = [22, 80] })')).toBe('Welcome to web\nport 22\nport 80\n');
});

test('templatefile reports problems inside the template', () => {
  const [first] = errors('templatefile("broken.tpl", {})', {}, opts());
  expect(first).toMatch(/^Error in function call \| Call to function "templatefile" failed: .*broken\.tpl:1:6-1:12: Unknown variable; There is no variable named "nobody"\./);
});

test('argument errors land on the argument', () => {
  expect(errors('upper([])', {}, opts())).toEqual([expect.stringMatching(/^Invalid function argument \| Invalid value for "str" parameter: .* \| test\.pkr\.hcl:1:7-1:9$/)]);
});

test('unknown arguments short-circuit real functions too', () => {
  expect(value('upper(u)', { u: UNKNOWN }, opts())).toBe(UNKNOWN);
  expect(value('timestamp()', {}, opts())).toBe('2024-01-02T03:04:05Z');
});
