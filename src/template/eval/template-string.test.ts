import { FunctionError } from './function-api.js';
import { evaluateTemplateString, templateRenderer } from './template-string.js';
import { formatDiags, TEST_CONTEXT, TEST_FUNCTIONS } from './testing.js';

describe('evaluateTemplateString', () => {
  test('renders the whole text as a template with the given variables', () => {
    const text = 'Hello ${upper(name)}!\n%{ for p in ports ~}\nport ${p}\n%{ endfor ~}\n';
    const r = evaluateTemplateString(text, 'motd.tpl', { name: 'web', ports: [22, 80] }, TEST_FUNCTIONS, TEST_CONTEXT);
    expect(r.diagnostics).toEqual([]);
    expect(r.value).toBe('Hello WEB!\nport 22\nport 80\n');
  });

  test('a lone interpolation keeps its type', () => {
    expect(evaluateTemplateString('${items}', 't.tpl', { items: [1, 2] }, TEST_FUNCTIONS, TEST_CONTEXT).value).toEqual([1, 2]);
  });

  test('only the given variables are in scope, and errors point into the template file', () => {
    const r = evaluateTemplateString('line one\nvalue: ${var.region}', 'cfg.tpl', { region: 'x' }, TEST_FUNCTIONS, TEST_CONTEXT);
    expect(formatDiags(r.diagnostics)).toEqual([
      'Unknown variable | There is no variable named "var". | cfg.tpl:2:10-2:13',
    ]);
  });

  test('syntax errors are reported without evaluating', () => {
    const r = evaluateTemplateString('oops ${', 'bad.tpl', {}, TEST_FUNCTIONS, TEST_CONTEXT);
    expect(r.value).toBe(null);
    expect(r.diagnostics.length).toBeGreaterThan(0);
    expect(r.diagnostics[0]?.subject?.filename).toBe('bad.tpl');
  });
});

describe('templateRenderer', () => {
  const render = templateRenderer(TEST_FUNCTIONS, () => TEST_CONTEXT);

  test('renders', () => {
    expect(render('${a}-${b}', { a: 1, b: 'x' }, 't.tpl')).toBe('1-x');
  });

  test('throws a FunctionError naming the first problem and its place', () => {
    let thrown: unknown;
    try {
      render('x ${nope}', {}, 't.tpl');
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(FunctionError);
    expect((thrown as FunctionError).message).toBe(
      'Call to function "templatefile" failed: t.tpl:1:5-1:9: Unknown variable; There is no variable named "nope".',
    );
  });
});
