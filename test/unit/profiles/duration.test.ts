import { durationOption, formatDuration, parseDuration, SESSION_TOKEN_LIMITS } from '../../../src/profiles/duration';
import { UsageError } from '../../../src/errors';

describe('parseDuration', () => {
  it.each([
    ['900', 900],
    ['900s', 900],
    ['15m', 900],
    ['1h', 3600],
    ['1h30m', 5400],
    ['12h', 43200],
    ['36h', 129600],
    [' 2h ', 7200],
  ])('%s is %d seconds', (text, seconds) => expect(parseDuration(text)).toBe(seconds));

  it.each(['', 'h', '1.5h', '-1h', '1d', 'abc', '1h 30m', '10x'])('refuses %j', (text) => expect(parseDuration(text)).toBeUndefined());
});

describe('durationOption', () => {
  it('accepts the ends of the range', () => {
    expect(durationOption('15m', SESSION_TOKEN_LIMITS)).toBe(900);
    expect(durationOption('36h', SESSION_TOKEN_LIMITS)).toBe(129600);
  });

  it('names the allowed range when out of it', () => {
    expect(() => durationOption('899', SESSION_TOKEN_LIMITS)).toThrow(new UsageError('--duration "899" is out of range; STS allows 15m to 36h (900-129600 seconds)'));
    expect(() => durationOption('37h', SESSION_TOKEN_LIMITS)).toThrow(/out of range; STS allows 15m to 36h/);
  });

  it('says what a duration looks like', () => {
    expect(() => durationOption('soon', SESSION_TOKEN_LIMITS)).toThrow(/not a duration; use seconds or a form like 15m, 1h/);
  });
});

describe('formatDuration', () => {
  it.each([
    [900, '15m'],
    [3600, '1h'],
    [5430, '1h30m30s'],
    [0, '0s'],
  ])('%d is %s', (seconds, text) => expect(formatDuration(seconds)).toBe(text));
});
