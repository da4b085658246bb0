import { durationOption, formatDuration, parseDuration } from '../../../src/profiles/duration';

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

  it.each(['', 'h', '1.5h', '-1h', '1d', 'abc', '1h 30m', '10x'])('refuses %j', (text) =>
    expect(parseDuration(text)).toBeUndefined(),
  );
});

describe('durationOption', () => {
  it('parses what the user typed', () => {
    expect(durationOption('15m')).toBe(900);
    expect(durationOption('36h')).toBe(129600);
  });

  it('says what a duration looks like', () => {
    expect(() => durationOption('soon')).toThrow(
      /^--duration "soon" is not a duration; use seconds or a form like 15m, 1h/,
    );
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
