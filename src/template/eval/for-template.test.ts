import { UNKNOWN } from '../../core/model/value.js';
import { errors, value } from './testing.js';

describe('for expressions', () => {
  test.each([
    ['[for x in [1, 2, 3] : x * 2]', [2, 4, 6]],
    ['[for i, x in ["a", "b"] : "${i}=${x}"]', ['0=a', '1=b']],
    ['[for x in [1, 2, 3, 4] : x if x % 2 == 0]', [2, 4]],
    ['[for k, v in { b = 2, a = 1 } : "${k}${v}"]', ['a1', 'b2']],
    ['[for v in { b = 2, a = 1 } : v]', [1, 2]],
    ['{ for x in ["a", "b"] : x => upper(x) }', { a: 'A', b: 'B' }],
    ['{ for k, v in { a = 1, b = 2 } : v => k }', { '1': 'a', '2': 'b' }],
    ['{ for s in ["apple", "avocado", "banana"] : substr(s) => s... }', { a: ['apple', 'avocado'], b: ['banana'] }],
    ['[for x in [] : x]', []],
    ['{ for x in [] : x => x }', {}],
    ['[for x in [[1, 2], [3]] : [for y in x : y + 10]]', [[11, 12], [13]]],
    ['[for x in [1, 2] : [for x in [x, 10] : x]]', [[1, 10], [2, 10]]],
    ['[for x in [1, 2] : outer + x]', [101, 102]],
  ])('%s', (src, want) => {
    const substr = { name: 'substr', params: [{ name: 's' }], impl: (a: unknown[]) => String(a[0]).slice(0, 1) };
    const functions = new Map([['substr', substr], ['upper', { name: 'upper', params: [{ name: 's' }], impl: (a: unknown[]) => String(a[0]).toUpperCase() }]]);
    expect(value(src, { outer: 100 }, { functions })).toEqual(want);
  });

  test('duplicate keys without grouping are an error', () => {
    expect(errors('{ for x in ["a", "b", "a"] : x => 1 }')).toEqual([
      'Duplicate object key | Two different items produced the key "a" in this \'for\' expression. If duplicates are expected, use the ellipsis (...) after the value expression to enable grouping by key. | test.pkr.hcl:1:30-1:31',
    ]);
  });

  test('collections must be iterable and not null', () => {
    expect(errors('[for x in "abc" : x]')).toEqual([
      "Iteration over non-iterable value | A value of type string cannot be used as the collection in a 'for' expression. | test.pkr.hcl:1:11-1:16",
    ]);
    expect(errors('[for x in null : x]')).toEqual([
      "Iteration over null value | A null value cannot be used as the collection in a 'for' expression. | test.pkr.hcl:1:11-1:15",
    ]);
  });

  test('a bad if clause or key is reported once, not per element', () => {
    expect(errors('[for x in [1, 2, 3] : x if x]')).toEqual([
      "Invalid 'for' condition | The 'if' clause value is invalid: bool required. | test.pkr.hcl:1:28-1:29",
    ]);
    expect(errors('[for x in [1, 2] : x if null]')).toEqual([
      "Invalid 'for' condition | The value of the 'if' clause must not be null. | test.pkr.hcl:1:25-1:29",
    ]);
    expect(errors('{ for x in [1, 2] : [x] => x }')).toEqual([
      'Invalid object key | The key expression produced an invalid result: string required. | test.pkr.hcl:1:21-1:24',
    ]);
    expect(errors('{ for x in [1, 2] : null => x }')).toEqual([
      "Invalid object key | Key expression in 'for' expression must not produce a null value. | test.pkr.hcl:1:21-1:25",
    ]);
    expect(errors('[for x in [1, 2] : x.nope]')).toEqual([
      "Unsupported attribute | Can't access attributes on a primitive-typed value (number). | test.pkr.hcl:1:21-1:26",
    ]);
  });

  test('unknowns', () => {
    const u = { u: UNKNOWN };
    expect(value('[for x in u : x]', u)).toBe(UNKNOWN);
    expect(value('[for x in [1, u] : x]', u)).toEqual([1, UNKNOWN]);
    expect(value('[for x in [1, 2] : x if u]', u)).toBe(UNKNOWN);
    expect(value('{ for x in [1, 2] : u => x }', u)).toBe(UNKNOWN);
  });
});

describe('templates', () => {
  test.each([
    ['"plain"', 'plain'],
    ['"a${1 + 1}b"', 'a2b'],
    ['"${n} items"', '3 items'],
    ['"${true}/${1.5}/${0.0000001}/${1e21}"', 'true/1.5/0.0000001/1000000000000000000000'],
    ['"$${literal} and %%{literal}"', '${literal} and %{literal}'],
    ['"%{if n > 2}many%{else}few%{endif}"', 'many'],
    ['"%{if false}x%{endif}"', ''],
    ['"%{for x in ["a", "b"]}[${x}]%{endfor}"', '[a][b]'],
    ['"%{for k, v in { b = 2, a = 1 }}${k}=${v};%{endfor}"', 'a=1;b=2;'],
    ['"%{for x in [1, 2, 3]}%{if x != 2}${x}%{endif}%{endfor}"', '13'],
    ['"%{for x in []}never%{endfor}"', ''],
  ])('%s', (src, want) => {
    expect(value(src, { n: 3 })).toBe(want);
  });

  test('a lone interpolation keeps its type', () => {
    expect(value('"${n}"', { n: 3 })).toBe(3);
    expect(value('"${[1, 2]}"')).toEqual([1, 2]);
    expect(value('"${null}"')).toBe(null);
  });

  test('heredocs are templates too', () => {
    // In a heredoc HCL strips only within the marker's own line, hence the kept newline.
    expect(value('<<EOT\nhello ${n}\n  %{~ if true ~}\n  yes\n%{ endif }\nEOT\n', { n: 1 })).toBe('hello 1\n  yes\n\n');
  });

  test('null and collections cannot be interpolated', () => {
    expect(errors('"a${null}"')).toEqual([
      'Invalid template interpolation value | The expression result is null. Cannot include a null value in a string template. | test.pkr.hcl:1:5-1:9',
    ]);
    expect(errors('"a${[1]}"')).toEqual([
      'Invalid template interpolation value | Cannot include the given value in a string template: string required. | test.pkr.hcl:1:5-1:8',
    ]);
  });

  test('directive errors', () => {
    expect(errors('"%{if 1}x%{endif}"')).toEqual([
      'Incorrect condition type | The condition expression must be of type bool. | test.pkr.hcl:1:7-1:8',
    ]);
    expect(errors('"%{for x in 3}x%{endfor}"')).toEqual([
      "Iteration over non-iterable value | A value of type number cannot be used as the collection in a 'for' expression. | test.pkr.hcl:1:13-1:14",
    ]);
    expect(errors('"%{if false}${nope}%{endif}"')).toEqual([]);
  });

  test('any unknown part makes the string unknown', () => {
    expect(value('"a${u}b"', { u: UNKNOWN })).toBe(UNKNOWN);
    expect(value('"%{if u}x%{endif}"', { u: UNKNOWN })).toBe(UNKNOWN);
    expect(value('"%{for x in u}x%{endfor}"', { u: UNKNOWN })).toBe(UNKNOWN);
  });
});
