import { call, callError, callWith, testContext, type Case, type ErrorCase } from './test-helpers.js';

const T = '2018-01-02T23:12:01Z';

describe('date and time functions', () => {
  it('timestamp() is the injected clock in RFC 3339 UTC, without fractional seconds', () => {
    expect(call('timestamp')).toBe('2026-03-04T05:06:07Z');
    const ctx = testContext({ now: () => new Date('1999-12-31T23:59:59.999Z') });
    expect(callWith(ctx, 'timestamp')).toBe('1999-12-31T23:59:59Z');
  });

  it.each<Case>([
    ['formatdate', ['DD MMM YYYY hh:mm ZZZ', T], '02 Jan 2018 23:12 UTC'],
    ['formatdate', ['EEEE, DD-MMM-YY hh:mm:ss ZZZ', T], 'Tuesday, 02-Jan-18 23:12:01 UTC'],
    ['formatdate', ['EEE, DD MMM YYYY hh:mm:ss ZZZ', '2018-01-02T23:12:01-08:00'], 'Tue, 02 Jan 2018 23:12:01 -0800'],
    ['formatdate', ['MMM DD, YYYY', T], 'Jan 02, 2018'],
    ['formatdate', ['HH:mmaa', T], '11:12pm'],
    ['formatdate', ['H:mm AA', '2018-01-02T00:05:09Z'], '12:05 AM'],
    ['formatdate', ["h'h'mm", '2018-01-02T23:12:01-08:00'], '23h12'],
    ['formatdate', ['YYYY-MM-DD', T], '2018-01-02'],
    ['formatdate', ['M/D/YY h:m:s', '2018-03-04T05:06:07Z'], '3/4/18 5:6:7'],
    ['formatdate', ['MMMM', T], 'January'],
    ['formatdate', ['Z ZZZZ ZZZZZ', '2018-01-02T23:12:01+05:30'], '+05:30 +0530 +05:30'],
    ['formatdate', ['Z ZZZZ ZZZZZ', T], 'Z +0000 +00:00'],
    ["formatdate", ["'It''s' YYYY''", T], "It's 2018'"],
    ['formatdate', ['YYYY-MM-DD', '2018-01-02T23:12:01.123456789Z'], '2018-01-02'],
    ['formatdate', ['hh:mm', '2018-01-02T23:12:01-01:00'], '23:12'],
    ['timeadd', ['2017-11-22T00:00:00Z', '10m'], '2017-11-22T00:10:00Z'],
    ['timeadd', ['2017-11-22T00:00:00Z', '-1h'], '2017-11-21T23:00:00Z'],
    ['timeadd', ['2017-11-22T00:00:00Z', '1.5h'], '2017-11-22T01:30:00Z'],
    ['timeadd', ['2017-11-22T00:00:00Z', '1h30m10s'], '2017-11-22T01:30:10Z'],
    ['timeadd', ['2017-11-22T00:00:00Z', '-10s'], '2017-11-21T23:59:50Z'],
    ['timeadd', ['2017-11-22T00:00:00Z', '0'], '2017-11-22T00:00:00Z'],
    ['timeadd', ['2017-11-22T00:00:00Z', '8760h'], '2018-11-22T00:00:00Z'],
    ['timeadd', ['2017-11-22T00:00:00.5Z', '500ms'], '2017-11-22T00:00:01Z'],
    ['timeadd', ['2017-11-22T00:00:00Z', '1500us'], '2017-11-22T00:00:00Z'],
    ['timeadd', ['2017-11-22T00:00:00+05:30', '-1.5h'], '2017-11-21T22:30:00+05:30'],
    ['timeadd', ['2016-02-28T23:00:00Z', '2h'], '2016-02-29T01:00:00Z'],
  ])('%s(%j) = %j', (name, args, expected) => {
    expect(call(name, ...args)).toEqual(expected);
  });

  it.each<ErrorCase>([
    ['formatdate', ['Y', T], 'Invalid value for "format" parameter: invalid date format verb "Y": year must either be "YY" or "YYYY".'],
    ['formatdate', ['YYYYY', T], 'Invalid value for "format" parameter: invalid date format verb "YYYYY": year must either be "YY" or "YYYY".'],
    ['formatdate', ['MMMMM', T], 'Invalid value for "format" parameter: invalid date format verb "MMMMM": month must be "M", "MM", "MMM", or "MMMM".'],
    ['formatdate', ['DDD', T], 'Invalid value for "format" parameter: invalid date format verb "DDD": day of month must either be "D" or "DD".'],
    ['formatdate', ['EE', T], 'Invalid value for "format" parameter: invalid date format verb "EE": day of week must either be "EEE" or "EEEE".'],
    ['formatdate', ['hhh', T], 'Invalid value for "format" parameter: invalid date format verb "hhh": 24-hour must either be "h" or "hh".'],
    ['formatdate', ['HHH', T], 'Invalid value for "format" parameter: invalid date format verb "HHH": 12-hour must either be "H" or "HH".'],
    ['formatdate', ['A', T], 'Invalid value for "format" parameter: invalid date format verb "A": must be "AA".'],
    ['formatdate', ['aaa', T], 'Invalid value for "format" parameter: invalid date format verb "aaa": must be "aa".'],
    ['formatdate', ['mmm', T], 'Invalid value for "format" parameter: invalid date format verb "mmm": minute must either be "m" or "mm".'],
    ['formatdate', ['sss', T], 'Invalid value for "format" parameter: invalid date format verb "sss": second must either be "s" or "ss".'],
    ['formatdate', ['ZZ', T], 'Invalid value for "format" parameter: invalid date format verb "ZZ": timezone must be Z, ZZZZ, or ZZZZZ.'],
    ['formatdate', ['Version 2006.01', T], 'Invalid value for "format" parameter: invalid date format verb "V".'],
    ['formatdate', ["'unterminated", T], "Invalid value for \"format\" parameter: unterminated literal '."],
    ['formatdate', ['YYYY', '2017-11-22'], 'Invalid value for "time" parameter: not a valid RFC3339 timestamp: missing required time introducer \'T\'.'],
    ['formatdate', ['YYYY', 'foo'], 'Invalid value for "time" parameter: not a valid RFC3339 timestamp: cannot use "foo" as year.'],
    ['formatdate', ['YYYY', ''], 'Invalid value for "time" parameter: not a valid RFC3339 timestamp: end of string before year.'],
    ['formatdate', ['YYYY', '2017-11-22T00:00:00'], 'Invalid value for "time" parameter: not a valid RFC3339 timestamp: end of string before UTC offset.'],
    ['formatdate', ['YYYY', '2017-11-22T1:00:00Z'], 'Invalid value for "time" parameter: not a valid RFC3339 timestamp: hour must have exactly two digits.'],
    ['formatdate', ['YYYY', '2017-11-22T25:00:00Z'], 'Invalid value for "time" parameter: not a valid RFC3339 timestamp: hour must be between 0 and 23 inclusive.'],
    ['formatdate', ['YYYY', '2017-11-22T00:00:00+0100'], 'Invalid value for "time" parameter: not a valid RFC3339 timestamp: cannot use "+0100" as UTC offset.'],
    ['formatdate', ['YYYY', '2017-02-30T00:00:00Z'], 'Invalid value for "time" parameter: not a valid RFC3339 timestamp: day out of range.'],
    ['timeadd', ['2017-11-22', '1h'], 'Call to function "timeadd" failed: not a valid RFC3339 timestamp: missing required time introducer \'T\'.'],
    ['timeadd', ['2017-11-22T00:00:00Z', '1d'], 'Call to function "timeadd" failed: time: unknown unit "d" in duration "1d".'],
    ['timeadd', ['2017-11-22T00:00:00Z', '1'], 'Call to function "timeadd" failed: time: missing unit in duration "1".'],
    ['timeadd', ['2017-11-22T00:00:00Z', 'x'], 'Call to function "timeadd" failed: time: invalid duration "x".'],
    ['timeadd', ['2017-11-22T00:00:00Z', ''], 'Call to function "timeadd" failed: time: invalid duration "".'],
    ['timeadd', ['2017-11-22T00:00:00Z', '.h'], 'Call to function "timeadd" failed: time: invalid duration ".h".'],
  ])('%s(%j) fails: %s', (name, args, message) => {
    expect(callError(name, ...args).message).toBe(message);
  });

  it.each<Case>([
    ['legacy_isotime', [], '2026-03-04T05:06:07Z'],
    ['legacy_isotime', ['2006-01-02'], '2026-03-04'],
    ['legacy_isotime', ['Mon Jan _2 15:04:05 MST 2006'], 'Wed Mar  4 05:06:07 UTC 2026'],
    ['legacy_isotime', ['Monday January 2 3:4:5 PM 06'], 'Wednesday March 4 5:6:7 AM 26'],
    ['legacy_isotime', ['15:04:05.000 .999 ,000'], '05:06:07.089 .089 ,089'],
    ['legacy_isotime', ['2006-01-02T15:04:05Z07:00 -0700 -07:00'], '2026-03-04T05:06:07Z +0000 +00:00'],
    ['legacy_isotime', ['002 literal text'], '063 literal text'],
    ['legacy_strftime', [], '2026-03-04T05:06:07Z'],
    ['legacy_strftime', ['%Y-%m-%d %H:%M:%S'], '2026-03-04 05:06:07'],
    ['legacy_strftime', ['%a %A %b %B %e %y %p %Z %z %%'], 'Wed Wednesday Mar March  4 26 AM UTC +0000 %'],
    ['legacy_strftime', ['%F %T %D %R %L'], '2026-03-04 05:06:07 03/04/26 05:06 .089'],
    ['legacy_strftime', ['%Q and trailing %'], '%Q and trailing %'],
  ])('%s(%j) = %j (clock fixed at 2026-03-04T05:06:07.089Z)', (name, args, expected) => {
    expect(call(name, ...args)).toEqual(expected);
  });

  it('legacy_isotime and legacy_strftime take at most one format', () => {
    expect(callError('legacy_isotime', 'a', 'b').message).toBe('Call to function "legacy_isotime" failed: too many values, 1 needed.');
    expect(callError('legacy_strftime', 'a', 'b').message).toBe('Call to function "legacy_strftime" failed: too many values, 1 needed.');
  });

  it('flags the clock-reading functions as impure', async () => {
    const { FUNCTIONS } = await import('./index.js');
    for (const name of ['timestamp', 'legacy_isotime', 'legacy_strftime']) expect(FUNCTIONS.get(name)?.impure).toBe(true);
    for (const name of ['timeadd', 'formatdate']) expect(FUNCTIONS.get(name)?.impure).toBeUndefined();
  });
});
