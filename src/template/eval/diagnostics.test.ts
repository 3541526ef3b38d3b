// Every error the evaluator reports, pinned with its summary, detail, subject and context
// ranges. A change of wording or of underlined span shows up as a snapshot diff.
import type { Value } from '../../core/model/value.js';
import { formatRange } from './diag.js';
import { run } from './testing.js';

const vars: Record<string, Value> = {
  var: { region: 'eu', list: [1, 2], map: { a: 1 }, nil: null, objs: [{ id: 1 }] },
  local: { name: 'x' },
};

const CASES: string[] = [
  // roots and traversals
  'vr.region',
  'var.regoin',
  'var.region.x',
  'var.nil.x',
  'var.objs.id',
  'var.list[5]',
  'var.list[-1]',
  'var.list[1.5]',
  'var.list["a"]',
  'var.list[true]',
  'var.map["b"]',
  'var.map[1]',
  'var.map[[]]',
  'var.region[0]',
  'var.nil[0]',
  'var.list[null]',
  'var.objs[*].idd',
  // operators
  '"a" + 1',
  '1 - true',
  '[] * {}',
  '-"x"',
  '!1',
  '1 / 0',
  '5 % 0',
  '1 && true',
  'null || true',
  // conditionals
  '"x" ? 1 : 2',
  'null ? 1 : 2',
  'true ? 1 : false',
  'true ? { a = 1 } : { a = [] }',
  'true ? [1] : [1, true]',
  // collections
  '{ a = 1, a = 2 }',
  '{ (null) = 1 }',
  '{ ([]) = 1 }',
  '{ local.name = 1 }',
  // templates
  '"a${null}"',
  '"x${[1]}"',
  '"x${{}}"',
  '"%{if "maybe"}x%{endif}"',
  '"%{if null}x%{endif}"',
  '"%{for x in 1}x%{endfor}"',
  '"%{for x in null}x%{endfor}"',
  // for expressions
  '[for x in 1 : x]',
  '[for x in null : x]',
  '[for x in [1] : x if 1]',
  '[for x in [1] : x if null]',
  '{ for x in [1, 1] : x => x }',
  '{ for x in [1] : [] => x }',
  '{ for x in [1] : null => x }',
  // calls
  'uppr("a")',
  'upper()',
  'upper("a", "b")',
  'join()',
  'sum(1...)',
  'sum(null...)',
  'explode("a", 7)',
  'crash()',
  'try()',
  'try(var.nope, local.nope)',
  'can()',
  'convert("x", bool)',
  'convert(1, strng)',
];

test.each(CASES)('%s', (src) => {
  const { diagnostics } = run(src, vars);
  expect(diagnostics.length).toBeGreaterThan(0);
  expect(
    diagnostics.map((d) => ({
      severity: d.severity,
      summary: d.summary,
      detail: d.detail,
      subject: d.subject ? formatRange(d.subject) : null,
      context: d.context ? formatRange(d.context) : null,
    })),
  ).toMatchSnapshot();
});
