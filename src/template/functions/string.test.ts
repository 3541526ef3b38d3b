import { call, callError, type Case, type ErrorCase } from './test-helpers.js';

describe('string functions', () => {
  it.each<Case>([
    ['chomp', ['hello\n'], 'hello'],
    ['chomp', ['hello\r\n'], 'hello'],
    ['chomp', ['hello\n\n'], 'hello'],
    ['chomp', ['hello\r\r\n'], 'hello'],
    ['chomp', ['hel\nlo'], 'hel\nlo'],
    ['indent', [2, '[\n  foo,\n  bar,\n]\n'], '[\n    foo,\n    bar,\n  ]\n  '],
    ['indent', [4, 'single'], 'single'],
    ['join', ['-', ['foo', 'bar', 'baz']], 'foo-bar-baz'],
    ['join', [', ', ['foo']], 'foo'],
    ['join', [',', ['a'], [], ['b', 'c']], 'a,b,c'],
    ['join', [',', [1, true]], '1,true'],
    ['lower', ['HELLO'], 'hello'],
    ['lower', ['АЛЛО!'], 'алло!'],
    ['upper', ['hello'], 'HELLO'],
    ['upper', ['алло!'], 'АЛЛО!'],
    ['upper', ['straße'], 'STRAßE'],
    ['replace', ['1 + 2 + 3', '+', '-'], '1 - 2 - 3'],
    ['replace', ['hello world', '/w.*d/', 'everybody'], 'hello everybody'],
    ['replace', ['hello world', '/(w)(o)/', '$2$1'], 'hello owrld'],
    ['replace', ['hello world', '/(?P<first>w)o/', '${first}-$first'], 'hello w-wrld'],
    ['replace', ['hello world', '/(o)/', '$1x|${1}x|$$'], 'hell|ox|$ w|ox|$rld'], // Go reads $1x as the group named "1x"
    ['replace', ['abc', '/x*/', '-'], '-a-b-c-'],
    ['replace', ['baaab', '/a*/', '-'], '-b-b-'], // Go skips the empty match right after "aaa"
    ['replace', ['☃☃', '/x*/', '-'], '-☃-☃-'],
    ['replace', ['abc', '', '-'], '-a-b-c-'],
    ['replace', ['a/b', '/', '|'], 'a|b'],
    ['replace', ['a.b', '/\\./', '!'], 'a!b'],
    ['regex_replace', ['hello world', 'w(or)ld', '$1'], 'hello or'],
    ['regex_replace', ['a.b', '.', '-'], '---'],
    ['regex_replace', ['baaab', 'a*', '-'], '-b-b-'],
    ['split', [',', 'foo,bar,baz'], ['foo', 'bar', 'baz']],
    ['split', [',', 'foo'], ['foo']],
    ['split', [',', ''], ['']],
    ['split', ['', 'ab'], ['a', 'b']],
    ['strrev', ['hello'], 'olleh'],
    ['strrev', ['a☃'], '☃a'],
    ['strrev', ['🇩🇪👍🏽'], '👍🏽🇩🇪'],
    ['substr', ['hello world', 1, 4], 'ello'],
    ['substr', ['🤔🤷', 0, 1], '🤔'],
    ['substr', ['hello world', -5, -1], 'world'],
    ['substr', ['hello world', 6, 10], 'world'],
    ['substr', ['hello', -10, 2], 'he'],
    ['substr', ['hello', 10, 2], ''],
    ['substr', ['hello', 1, 0], ''],
    ['title', ['hello world'], 'Hello World'],
    ['title', ['hello_world foo-bar'], 'Hello_world Foo-Bar'],
    ['trim', ['?!hello?!', '!?'], 'hello'],
    ['trim', ['foobar', 'far'], 'oob'],
    ['trim', ['   hello! world.!  ', '! '], 'hello! world.'],
    ['trimprefix', ['helloworld', 'hello'], 'world'],
    ['trimprefix', ['helloworld', 'cat'], 'helloworld'],
    ['trimsuffix', ['helloworld', 'world'], 'hello'],
    ['trimspace', ['  hello\n\n'], 'hello'],
    ['trimspace', ['\u00a0 x \u3000'], 'x'],
    ['trimspace', ['\ufeffx'], '\ufeffx'],
    ['startswith', ['hello world', 'hello'], true],
    ['startswith', ['hello world', 'world'], false],
    ['endswith', ['hello world', 'world'], true],
    ['endswith', ['hello world', 'hello'], false],
    ['strcontains', ['hello world', 'wor'], true],
    ['strcontains', ['hello world', 'wod'], false],
  ])('%s(%j) = %j', (name, args, expected) => {
    expect(call(name, ...args)).toEqual(expected);
  });

  describe('regex and regexall', () => {
    it.each<Case>([
      ['regex', ['[a-z]+', '53453453.345345aaabbbccc23454'], 'aaabbbccc'],
      ['regex', ['(\\d\\d\\d\\d)-(\\d\\d)-(\\d\\d)', '2019-02-01'], ['2019', '02', '01']],
      [
        'regex',
        ['^(?:(?P<scheme>[^:/?#]+):)?(?://(?P<authority>[^/?#]*))?', 'https://terraform.io/docs/'],
        { scheme: 'https', authority: 'terraform.io' },
      ],
      ['regex', ['(a)|(b)', 'b'], [null, 'b']],
      ['regex', ['(?i)HELLO', 'say hello'], 'hello'],
      ['regex', ['\\Aab', 'abc'], 'ab'],
      ['regex', ['[[:digit:]]+', 'ab123'], '123'],
      ['regex', ['\\pL+', 'ü1'], 'ü'],
      ['regex', ['a\\#b', 'a#b'], 'a#b'],
      ['regex', ['{(\\w+)}', 'x{abc}y'], ['abc']],
      ['regex', ['a{2}b{1,}c{1,2}', 'aabbc'], 'aabbc'],
      ['regex', ['x]', 'x]'], 'x]'],
      ['regex', ['[]a]+', ']a]'], ']a]'],
      ['regex', ['(?s)a.b', 'a\nb'], 'a\nb'],
      ['regex', ['\\Qa.b\\E', 'axb a.b'], 'a.b'],
      ['regexall', ['[a-z]+', '1234abcd5678efgh9'], ['abcd', 'efgh']],
      ['regexall', ['[a-z]+', '123456789'], []],
      ['regexall', ['a*', 'baaab'], ['', 'aaa', '']],
      ['regexall', ['', '🤔x'], ['', '', '']],
      ['regexall', ['(\\d)(\\w)', '1a 2b'], [['1', 'a'], ['2', 'b']]],
      ['regexall', ['(?P<k>\\w)=(?P<v>\\d)', 'a=1,b=2'], [{ k: 'a', v: '1' }, { k: 'b', v: '2' }]],
    ])('%s(%j) = %j', (name, args, expected) => {
      expect(call(name, ...args)).toEqual(expected);
    });

    it.each<ErrorCase>([
      ['regex', ['[a-z]+', '12345678900987654321123456789'], 'Call to function "regex" failed: pattern did not match any part of the given string.'],
      ['regex', ['(?P<a>x)(y)', 'xy'], 'Invalid value for "pattern" parameter: invalid regexp pattern: cannot mix both named and unnamed capture groups.'],
      ['regexall', ['(?P<a>x)(y)', 'xy'], 'Invalid value for "pattern" parameter: invalid regexp pattern: cannot mix both named and unnamed capture groups.'],
    ])('%s(%j) fails: %s', (name, args, message) => {
      expect(callError(name, ...args).message).toBe(message);
    });

    it('matches in linear time: RE2, not a backtracking engine (issue 14)', () => {
      const evil = `${'a'.repeat(100_000)}b`;
      expect(() => call('regex', '(a+)+$', evil)).toThrow(/pattern did not match/);
      expect(call('regexall', '(x+x+)+y', 'x'.repeat(50_000))).toEqual([]);
      expect(call('replace', evil, '/(a|aa)+$/', '-')).toBe(evil);
    });

    it.each<Case>([
      ['regex', ['a(?i)b', 'aB'], 'aB'], // flags may change mid-pattern in RE2
      ['regex', ['(?U)a+', 'aaa'], 'a'], // ungreedy flag
      ['regex', ['(?<n>x)', 'x'], { n: 'x' }], // Go 1.22 named-group syntax
      ['regexall', ['\\b\\w', 'ab cd'], ['a', 'c']],
    ])('%s(%j) follows Go: %j', (name, args, expected) => {
      expect(call(name, ...args)).toEqual(expected);
    });

    it.each([['a(?=b)'], ['(a)\\1'], ['a{1001}'], ['(?<!a)b']])('rejects %s as Go does', (pattern) => {
      expect(callError('regex', pattern, 'ab').message).toMatch(/^Invalid value for "pattern" parameter: invalid regexp pattern: error parsing regexp: /);
    });

    it('reports an invalid pattern against the pattern argument', () => {
      const e = callError('regex', '(unclosed', 'x');
      expect(e.argIndex).toBe(0);
      expect(e.message).toMatch(/^Invalid value for "pattern" parameter: invalid regexp pattern: /);
      expect(callError('replace', 'x', '/(/', 'y').message).toMatch(/^Call to function "replace" failed: error parsing regexp: /);
    });
  });

  it.each<ErrorCase>([
    ['join', [','], 'Call to function "join" failed: at least one list is required.'],
    ['join', [',', ['a', null]], 'Invalid value for "lists" parameter: element 1 is null; cannot concatenate null values.'],
    ['join', [',', ['a'], [null]], 'Invalid value for "lists" parameter: element 0 of list 2 is null; cannot concatenate null values.'],
    ['join', [',', 'notalist'], 'Invalid value for "lists" parameter: list of string required.'],
    ['indent', [-1, 'x'], 'Invalid value for "spaces" parameter: spaces must not be negative.'],
    ['substr', ['x', 1.5, 1], 'Invalid value for "offset" parameter: value must be a whole number.'],
    ['upper', [null], 'Invalid value for "str" parameter: argument must not be null.'],
    ['upper', [{ a: 1 }], 'Invalid value for "str" parameter: cannot convert object to string.'],
  ])('%s(%j) fails: %s', (name, args, message) => {
    expect(callError(name, ...args).message).toBe(message);
  });

  it('turns a result too large for JavaScript into a call error, not a crash', () => {
    expect(callError('indent', 2 ** 31, 'a\nb').message).toMatch(/^Call to function "indent" failed: the result is too large \(/);
  });

  it('works on NFC-normalised strings, as cty stores every string', () => {
    const decomposed = 'e\u0301'; // "é" as e + combining acute accent
    expect(call('base64encode', decomposed)).toBe('w6k=');
    expect(call('md5', decomposed)).toBe(call('md5', '\u00e9'));
    expect(call('base64decode', Buffer.from(decomposed).toString('base64'))).toBe('\u00e9');
    expect(call('jsondecode', `{"${decomposed}": ["${decomposed}"]}`)).toEqual({ '\u00e9': ['\u00e9'] });
  });

  it('converts number and bool arguments to strings as cty does', () => {
    expect(call('upper', 12)).toBe('12');
    expect(call('upper', 1.5)).toBe('1.5');
    expect(call('lower', true)).toBe('true');
  });
});
