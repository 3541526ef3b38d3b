import { gunzipSync } from 'node:zlib';
import { call, callError, type Case, type ErrorCase } from './test-helpers.js';

describe('encoding functions', () => {
  it.each<Case>([
    ['base64encode', ['Hello World'], 'SGVsbG8gV29ybGQ='],
    ['base64encode', ['☃'], '4piD'],
    ['base64encode', [''], ''],
    ['base64decode', ['SGVsbG8gV29ybGQ='], 'Hello World'],
    ['base64decode', ['4piD'], '☃'],
    ['base64decode', ['SGVs\nbG8='], 'Hello'],
    ['csvdecode', ['a,b,c\n1,2,3\n4,5,6'], [{ a: '1', b: '2', c: '3' }, { a: '4', b: '5', c: '6' }]],
    ['csvdecode', ['a,b\n"x,1","y""z"\r\n\n3,4\n'], [{ a: 'x,1', b: 'y"z' }, { a: '3', b: '4' }]],
    ['csvdecode', ['a,b\n"multi\nline",2'], [{ a: 'multi\nline', b: '2' }]],
    ['csvdecode', ['only,header'], []],
    ['jsondecode', ['{"hello": "world"}'], { hello: 'world' }],
    ['jsondecode', ['true'], true],
    ['jsondecode', ['[1, 2.5, null, "x"]'], [1, 2.5, null, 'x']],
    ['jsondecode', ['"\\u003c"'], '<'],
    ['jsonencode', [{ hello: 'world' }], '{"hello":"world"}'],
    ['jsonencode', [{ b: 1, a: [true, null, 1.5] }], '{"a":[true,null,1.5],"b":1}'],
    ['jsonencode', ['<a href="x">&'], '"\\u003ca href=\\"x\\"\\u003e\\u0026"'],
    ['jsonencode', ['line\nbreak\ttab\u0001\u2028'], '"line\\nbreak\\ttab\\u0001\\u2028"'],
    ['jsonencode', ['ünï☃'], '"ünï☃"'],
    ['jsonencode', [1e21], '1000000000000000000000'],
    ['jsonencode', [null], 'null'],
    ['jsonencode', [[]], '[]'],
    ['jsonencode', [{}], '{}'],
    ['urlencode', ['Hello World!'], 'Hello+World%21'],
    ['urlencode', ['☃'], '%E2%98%83'],
    ['urlencode', ['foo:bar@localhost?foo=bar&bar=baz'], 'foo%3Abar%40localhost%3Ffoo%3Dbar%26bar%3Dbaz'],
    ['urlencode', ['a-b_c.d~e/f'], 'a-b_c.d~e%2Ff'],
    ['yamldecode', ['hello: world'], { hello: 'world' }],
    ['yamldecode', ['true'], true],
    ['yamldecode', ['{a: &foo [1, 2, 3], b: *foo}'], { a: [1, 2, 3], b: [1, 2, 3] }],
    ['yamldecode', ['list:\n  - 1\n  - two\n  - null\n  - 1.5e3\n'], { list: [1, 'two', null, 1500] }],
    ['yamldecode', ['1: one\ntrue: yes'], { '1': 'one', true: true }],
    // go-cty-yaml resolves plain scalars YAML 1.1 style:
    ['yamldecode', ['[yes, No, on, OFF, y, n, ~, Null, ""]'], [true, false, true, false, true, false, null, null, '']],
    ['yamldecode', ['[0x10, !!int 0x10, 0b101, 0755, 1_000, -3, +4.5, .5, 0o17]'], ['0x10', 16, 5, 755, 1000, -3, 4.5, 0.5, '0o17']],
    ['yamldecode', ['[.inf, -.Inf, "yes", \'1\', !!str 12, !!bool "true", !!float "2"]'], [Infinity, -Infinity, 'yes', '1', '12', true, 2]],
    ['yamldecode', ['[2001-12-14, 2001-12-14t21:59:43.10-05:00, 2001-12-14 21:59:43.10, "2001-12-14", 2001-13-01]'], [
      '2001-12-14T00:00:00Z', '2001-12-14T21:59:43-05:00', '2001-12-14T21:59:43Z', '2001-12-14', '2001-13-01',
    ]],
    ['yamldecode', ['base: &b {a: 1, b: 2}\nderived:\n  <<: *b\n  b: 3\n'], { base: { a: 1, b: 2 }, derived: { a: 1, b: 3 } }],
    ['yamldecode', ['c: |\n  literal\n  block\nf: >\n  folded\n  text\n'], { c: 'literal\nblock\n', f: 'folded text\n' }],
    ['yamldecode', ['!!binary aGk='], 'aGk='],
    ['yamldecode', [''], null],
    ['yamlencode', [{ a: 'b', c: 'd' }], '"a": "b"\n"c": "d"\n'],
    ['yamlencode', [{ foo: [1, 2, 3], bar: 'baz' }], '"bar": "baz"\n"foo":\n- 1\n- 2\n- 3\n'],
    ['yamlencode', [{ foo: [1, { a: 'b', c: 'd' }, 3], bar: 'baz' }], '"bar": "baz"\n"foo":\n- 1\n- "a": "b"\n  "c": "d"\n- 3\n'],
    ['yamlencode', [{ a: { b: { c: 1 } }, e: [], f: {} }], '"a":\n  "b":\n    "c": 1\n"e": []\n"f": {}\n'],
    ['yamlencode', [[[1, 2], [3]]], '- - 1\n  - 2\n- - 3\n'],
    ['yamlencode', ['multi\nline "q"'], '"multi\\nline \\"q\\""\n'],
    ['yamlencode', [null], 'null\n...\n'],
    ['yamlencode', [true], 'true\n...\n'],
    ['yamlencode', [1.5], '1.5\n...\n'],
    ['yamlencode', ['hello'], '"hello"\n'],
    ['yamlencode', [''], '""\n'],
    ['yamlencode', [{}], '{}\n'],
    ['yamlencode', [[]], '[]\n'],
    ['yamlencode', ['x🤔\u00a0\t\u007f\ufeff\u2028'], '"x\\U0001F914\u00a0\\t\\x7F\\uFEFF\\L"\n'],
    ['textencodebase64', ['Hello World', 'UTF-16LE'], 'SABlAGwAbABvACAAVwBvAHIAbABkAA=='],
    ['textencodebase64', ['Hi', 'UTF-16BE'], 'AEgAaQ=='],
    ['textencodebase64', ['Hello World', 'UTF-8'], 'SGVsbG8gV29ybGQ='],
    ['textencodebase64', ['ü', 'ISO-8859-1'], '/A=='],
    ['textdecodebase64', ['SABlAGwAbABvACAAVwBvAHIAbABkAA==', 'UTF-16LE'], 'Hello World'],
    ['textdecodebase64', ['AEgAaQ==', 'utf-16be'], 'Hi'],
    ['textdecodebase64', ['/A==', 'latin1'], 'ü'],
  ])('%s(%j) = %j', (name, args, expected) => {
    expect(call(name, ...args)).toEqual(expected);
  });

  it.each<ErrorCase>([
    ['base64decode', ['SGVsbG8gV29ybGQ'], 'Call to function "base64decode" failed: failed to decode base64 data "SGVsbG8gV29ybGQ".'],
    ['base64decode', ['SGVs!G8='], 'Call to function "base64decode" failed: failed to decode base64 data "SGVs!G8=".'],
    ['base64decode', ['/w=='], 'Call to function "base64decode" failed: the result of decoding the provided string is not valid UTF-8.'],
    ['csvdecode', [''], 'Call to function "csvdecode" failed: missing header line.'],
    ['csvdecode', ['a,a\n1,2'], 'Call to function "csvdecode" failed: duplicate column name "a".'],
    ['csvdecode', ['a,b\n1'], 'Call to function "csvdecode" failed: CSV parse error on line 2: wrong number of fields.'],
    ['csvdecode', ['a,b\n1,"2'], 'Call to function "csvdecode" failed: CSV parse error on line 2: extraneous or missing " in quoted-field.'],
    ['csvdecode', ['a,b\n1,2"'], 'Call to function "csvdecode" failed: CSV parse error on line 2: bare " in non-quoted-field.'],
    ['jsondecode', ['{'], 'Call to function "jsondecode" failed: unexpected end of JSON input.'],
    ['yamldecode', ['a: 1\n---\nb: 2'], 'Call to function "yamldecode" failed: on line 1, column 1: only one YAML document is allowed.'],
    ['yamldecode', ['{a: &foo [1, *foo, 3]}'], 'Call to function "yamldecode" failed: an alias cannot refer to the node that contains it.'],
    ['yamldecode', ['.nan'], 'Call to function "yamldecode" failed: floating point NaN is not supported.'],
    ['yamldecode', ['!foo bar'], 'Call to function "yamldecode" failed: unsupported tag "!foo".'],
    ['yamldecode', ['!!int abc'], 'Call to function "yamldecode" failed: cannot parse "abc" as tag:yaml.org,2002:int.'],
    ['yamldecode', ['!!binary "!!"'], 'Call to function "yamldecode" failed: cannot parse "!!" as tag:yaml.org,2002:binary: not valid base64.'],
    ['yamldecode', ['? [1]\n: 2'], 'Call to function "yamldecode" failed: only string, number and bool mapping keys are supported.'],
    ['textencodebase64', ['ü', 'US-ASCII'], 'Invalid value for "string" parameter: the given string contains characters that cannot be represented in US-ASCII.'],
    ['textencodebase64', ['x', 'klingon'], 'Invalid value for "encoding" parameter: "klingon" is not a supported IANA encoding name or alias.'],
    ['textdecodebase64', ['!!', 'UTF-8'], 'Invalid value for "source" parameter: the given value is has an invalid base64 symbol at offset 0.'],
    ['textdecodebase64', ['/w==', 'UTF-8'], 'Invalid value for "source" parameter: the given string contains symbols that are not defined for UTF-8.'],
  ])('%s(%j) fails: %s', (name, args, message) => {
    expect(callError(name, ...args).message).toBe(message);
  });

  it('reports YAML syntax errors with their position', () => {
    expect(callError('yamldecode', 'a: [1').message).toMatch(/^Call to function "yamldecode" failed: on line 1, column \d+: \S.*\.$/);
  });

  it('yamlencode folds long strings at a space past column 80, as go-yaml does', () => {
    const cmd =
      'mkdir -p /app/storage/database /app/storage/framework/cache/data /app/storage/framework/sessions /app/storage/framework/views /app/storage/logs';
    expect(call('yamlencode', { command: cmd })).toBe(
      '"command": "mkdir -p /app/storage/database /app/storage/framework/cache/data /app/storage/framework/sessions\n' +
        '  /app/storage/framework/views /app/storage/logs"\n',
    );
    // A break before a second space keeps that space with an escaped "\ ".
    expect(call('yamlencode', [`${'a'.repeat(79)}  b c`])).toBe(`- "${'a'.repeat(79)}\n  \\ b c"\n`);
    // Keys never fold; nested values fold to their own indentation.
    const deep = { outer: { inner: `${'w '.repeat(45)}end` } };
    const out = call('yamlencode', deep) as string;
    expect(out.split('\n')[2]).toMatch(/^ {4}w /);
    expect(call('yamldecode', out)).toEqual(deep);
    expect(call('yamldecode', call('yamlencode', { command: cmd, list: [cmd] }))).toEqual({ command: cmd, list: [cmd] });
  });

  it('base64gzip compresses with a stable Go-style header', () => {
    const out = call('base64gzip', 'test') as string;
    const bytes = Buffer.from(out, 'base64');
    expect(gunzipSync(bytes).toString()).toBe('test');
    expect(bytes[9]).toBe(0xff);
    expect(bytes.readUInt32LE(4)).toBe(0); // no mtime: same input, same output
    expect(call('base64gzip', 'test')).toBe(out);
  });

  it('refuses YAML whose aliases expand without bound', () => {
    let src = 'a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n';
    for (let i = 1; i < 8; i++) src += `a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(', ')}]\n`;
    expect(callError('yamldecode', src).message).toBe('Call to function "yamldecode" failed: the document expands to too many values.');
  });

  it('round-trips jsonencode through jsondecode', () => {
    const v = { list: [1, 'two', null, { three: true }], s: 'a<b>&c' };
    expect(call('jsondecode', call('jsonencode', v))).toEqual(v);
  });
});
