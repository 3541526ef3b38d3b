import type { Diagnostic } from '../../hcl/diagnostic.js';
import { UNKNOWN, type Value } from '../../core/model/value.js';
import { diag } from './diag.js';
import { childScope, createScope } from './scope.js';
import { errors, parseExpr, run, scopeOf, TEST_CONTEXT, TEST_FUNCTIONS, value } from './testing.js';
import { evaluate, type Reference } from './evaluate.js';

const vars: Record<string, Value> = {
  var: { region: 'eu-west-1', sizes: [10, 20, 30], tags: { Name: 'web', 'a.b': 'dotted' }, nothing: null },
  local: { servers: [{ name: 'a', port: 1 }, { name: 'b', port: 2 }], one: { name: 'solo' }, empty: [] },
};

describe('attribute access and indexing', () => {
  test.each([
    ['var.region', 'eu-west-1'],
    ['var.sizes[1]', 20],
    ['var.sizes["2"]', 30],
    ['var.sizes.0', 10],
    ['var.tags["a.b"]', 'dotted'],
    ['var.tags.Name', 'web'],
    ['local.servers[1].name', 'b'],
    ['local.servers.0.port', 1],
    ['var["region"]', 'eu-west-1'],
    ['{ 1 = "one" }[1]', 'one'],
    ['[[1, 2], [3]][0][1]', 2],
  ])('%s', (src, want) => {
    expect(value(src, vars)).toEqual(want);
  });

  test('missing attributes suggest the closest name', () => {
    expect(errors('var.regin', vars)).toEqual([
      'Unsupported attribute | This object does not have an attribute named "regin". Did you mean "region"? | test.pkr.hcl:1:4-1:10',
    ]);
    expect(errors('var.zzzzzz', vars)).toEqual([
      'Unsupported attribute | This object does not have an attribute named "zzzzzz". | test.pkr.hcl:1:4-1:11',
    ]);
  });

  test('attribute access on other values', () => {
    expect(errors('var.region.x', vars)).toEqual([
      "Unsupported attribute | Can't access attributes on a primitive-typed value (string). | test.pkr.hcl:1:11-1:13",
    ]);
    expect(errors('local.servers.name', vars)).toEqual([
      'Unsupported attribute | Can\'t access attributes on a list of objects. Did you mean to access attribute "name" for a specific element of the list, or across all elements of the list? | test.pkr.hcl:1:14-1:19',
    ]);
    expect(errors('var.sizes.x', vars)).toEqual(['Unsupported attribute | This value does not have any attributes. | test.pkr.hcl:1:10-1:12']);
    expect(errors('var.nothing.x', vars)).toEqual([
      'Attempt to get attribute from null value | This value is null, so it does not have any attributes. | test.pkr.hcl:1:12-1:14',
    ]);
  });

  test('index errors say why', () => {
    expect(errors('var.sizes[3]', vars)).toEqual([
      'Invalid index | The given key does not identify an element in this collection value: the given index is greater than or equal to the length of the collection. | test.pkr.hcl:1:10-1:13',
    ]);
    expect(errors('local.empty[0]', vars)).toEqual([
      'Invalid index | The given key does not identify an element in this collection value: the collection has no elements. | test.pkr.hcl:1:12-1:15',
    ]);
    expect(errors('var.sizes[-1]', vars)).toEqual([
      'Invalid index | The given key does not identify an element in this collection value: a negative number is not a valid index for a sequence. | test.pkr.hcl:1:10-1:14',
    ]);
    expect(errors('var.sizes[0.5]', vars)).toEqual([
      'Invalid index | The given key does not identify an element in this collection value: indexing a sequence requires a whole number, but the given index has a fractional part. | test.pkr.hcl:1:10-1:15',
    ]);
    expect(errors('var.sizes["x"]', vars)).toEqual([
      'Invalid index | The given key does not identify an element in this collection value: a number is required. | test.pkr.hcl:1:10-1:15',
    ]);
    expect(errors('var.tags["nope"]', vars)).toEqual([
      'Invalid index | The given key does not identify an element in this collection value. | test.pkr.hcl:1:9-1:17',
    ]);
    expect(errors('var.tags[0]', vars)).toEqual([
      'Invalid index | The given key does not identify an element in this collection value. An object only supports looking up attributes by name, not by numeric index. | test.pkr.hcl:1:9-1:12',
    ]);
    expect(errors('var.region[0]', vars)).toEqual(['Invalid index | This value does not have any indices. | test.pkr.hcl:1:11-1:14']);
    expect(errors('var.nothing[0]', vars)).toEqual([
      'Attempt to index null value | This value is null, so it does not have any indices. | test.pkr.hcl:1:12-1:15',
    ]);
    expect(errors('var.sizes[null]', vars)).toEqual(["Invalid index | Can't use a null value as an indexing key. | test.pkr.hcl:1:10-1:16"]);
  });

  test('unknown collections and keys give unknown', () => {
    expect(value('u.a.b[0]', { u: UNKNOWN })).toBe(UNKNOWN);
    expect(value('[1, 2][u]', { u: UNKNOWN })).toBe(UNKNOWN);
    expect(value('{ a = u }.a', { u: UNKNOWN })).toBe(UNKNOWN);
  });

  test('one failed step is reported once, not for every later step', () => {
    expect(errors('var.nope.a.b[0].c', vars)).toHaveLength(1);
  });
});

describe('root variables', () => {
  test('unknown roots suggest known ones', () => {
    expect(errors('vra.x', vars)).toEqual(['Unknown variable | There is no variable named "vra". Did you mean "var"? | test.pkr.hcl:1:1-1:4']);
    expect(errors('source', vars)).toEqual(['Unknown variable | There is no variable named "source". | test.pkr.hcl:1:1-1:7']);
  });

  test('onReference sees each root with its static path and range', () => {
    const seen: string[] = [];
    const onReference = (r: Reference): Diagnostic | null => {
      seen.push(`${r.root} ${JSON.stringify(r.path)} ${r.range.start.column}-${r.range.end.column}`);
      return null;
    };
    run('var.tags["Name"] + local.servers[var.sizes[0]].port + length([for s in local.servers : s.name])', vars, { onReference });
    expect(seen).toEqual([
      'var ["tags","Name"] 1-17',
      'local ["servers"] 20-33',
      'var ["sizes","0"] 34-46',
      'local ["servers"] 72-85',
    ]);
  });

  test('onReference can refuse a reference, and try() does not swallow the refusal', () => {
    const onReference = (r: Reference): Diagnostic | null =>
      r.root === 'var' ? diag('Variables not allowed', 'A variable default cannot refer to other variables.', r.range) : null;
    expect(errors('try(var.region, "x")', vars, { onReference })).toEqual([
      'Variables not allowed | A variable default cannot refer to other variables. | test.pkr.hcl:1:5-1:15',
    ]);
  });

  test('a refused reference is reported even in the branch not taken', () => {
    const onReference = (r: Reference): Diagnostic | null =>
      r.root === 'local' ? diag('Locals not allowed', 'Not here.', r.range) : null;
    expect(errors('true ? 1 : local.one', vars, { onReference })).toEqual(['Locals not allowed | Not here. | test.pkr.hcl:1:12-1:21']);
    expect(errors('"%{if false}${local.one.name}%{endif}"', vars, { onReference })).toEqual([
      'Locals not allowed | Not here. | test.pkr.hcl:1:15-1:29',
    ]);
    expect(errors('true || local.one', vars, { onReference })).toEqual(['Locals not allowed | Not here. | test.pkr.hcl:1:9-1:18']);
    expect(errors('can(local.one)', vars, { onReference })).toEqual(['Locals not allowed | Not here. | test.pkr.hcl:1:5-1:14']);
    expect(errors('u ? local.one : 2', { ...vars, u: UNKNOWN }, { onReference })).toEqual(['Locals not allowed | Not here. | test.pkr.hcl:1:5-1:14']);
    expect(errors('"%{if u}${local.one}%{endif}"', { ...vars, u: UNKNOWN }, { onReference })).toEqual([
      'Locals not allowed | Not here. | test.pkr.hcl:1:11-1:20',
    ]);
  });

  test('createScope accepts plain objects', () => {
    const scope = createScope({ variables: { a: { b: 1 } }, functions: TEST_FUNCTIONS, functionContext: TEST_CONTEXT });
    expect(evaluate(parseExpr('a.b + 1'), scope).value).toBe(2);
  });

  test('childScope layers names over the parent without copying it', () => {
    const parent = scopeOf({ a: 1, b: 2 });
    const child = childScope(parent, { b: 20, c: 30 });
    expect(evaluate(parseExpr('[a, b, c]'), child).value).toEqual([1, 20, 30]);
    expect([...child.variables.keys()].sort()).toEqual(['a', 'b', 'c']);
    expect(child.variables.size).toBe(3);
    expect(evaluate(parseExpr('c'), parent).diagnostics).toHaveLength(1);
  });
});

describe('splats', () => {
  test.each([
    ['local.servers[*].name', ['a', 'b']],
    ['local.servers.*.port', [1, 2]],
    ['local.one[*].name', ['solo']],
    ['var.nothing[*]', []],
    ['var.nothing[*].name', []],
    ['local.empty[*].x', []],
    ['var.sizes[*]', [10, 20, 30]],
    ['[[1, 2], [3, 4]][*][0]', [1, 3]],
    ['[{ a = [{ b = 1 }, { b = 2 }] }, { a = [] }][*].a[*].b', [[1, 2], []]],
  ])('%s', (src, want) => {
    expect(value(src, vars)).toEqual(want);
  });

  test('attribute-only splat applies later indexes to the result', () => {
    expect(value('local.servers.*.name[1]', vars)).toBe('b');
  });

  test('errors inside a splat are reported with the element traversal', () => {
    expect(errors('local.servers[*].nme', vars)).toEqual([
      'Unsupported attribute | This object does not have an attribute named "nme". Did you mean "name"? | test.pkr.hcl:1:17-1:21',
    ]);
  });

  test('unknown source gives unknown', () => {
    expect(value('u[*].name', { u: UNKNOWN })).toBe(UNKNOWN);
    expect(value('[u, { name = 1 }][*].name', { u: UNKNOWN })).toEqual([UNKNOWN, 1]);
  });
});
