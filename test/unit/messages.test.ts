import { keepQuotes } from '../../src/argvQuotes';
import { checkDecodable } from '../../src/env/undecodable';
import { checkEndpoint } from '../../src/profiles/checks';
import { describeTarget } from '../../src/session/awsCall';
import { escapeControls, showName } from '../../src/text/showText';

describe('keepQuotes (yargs-parser strips quotes from --opt=VALUE)', () => {
  it('wraps a quoted --opt=VALUE once more, and leaves everything else alone', () => {
    expect(
      keepQuotes([
        "--profile='prod'",
        '--profile="x"',
        "--mfa-serial='",
        '--profile=plain',
        "-p='x'",
        "'prod'",
        "--x=a'",
      ]),
    ).toEqual([
      `--profile="'prod'"`,
      `--profile=""x""`,
      `--mfa-serial="'"`,
      '--profile=plain',
      "-p='x'",
      "'prod'",
      "--x=a'",
    ]);
  });

  it('leaves the command after -- as typed', () => {
    expect(keepQuotes(['exec', 'p', '--', "--profile='x'"])).toEqual(['exec', 'p', '--', "--profile='x'"]);
  });
});

describe('describeTarget (endpoints in messages)', () => {
  it('names AWS by region, and an endpoint by its origin', () => {
    expect(describeTarget({ region: 'eu-west-1' })).toBe('sts.eu-west-1');
    expect(describeTarget({ region: 'x', endpoint: 'http://127.0.0.1:4566' })).toBe('http://127.0.0.1:4566');
    expect(describeTarget({ region: 'x', endpoint: 'https://sts.example.com/base' })).toBe(
      'https://sts.example.com/base',
    );
  });

  it('never shows a user:password part', () => {
    const shown = describeTarget({ region: 'x', endpoint: 'https://alice:s3cret@proxy.example.com/sts' });
    expect(shown).toBe('https://proxy.example.com/sts');
    expect(shown).not.toContain('s3cret');
  });

  it('prints nothing unprintable: control characters come percent-encoded or quoted', () => {
    for (const endpoint of ['http://h/\u001b[31mred', 'http://h/a\u0085b', 'http://h/\u2028', 'not a url\u001b[2J']) {
      expect(describeTarget({ region: 'x', endpoint })).toMatch(/^[\x20-\x7e]+$/);
    }
  });
});

describe('showName and escapeControls (values in text for people)', () => {
  const every = Array.from({ length: 0xa0 }, (_, i) => i)
    .filter((i) => i < 0x20 || i >= 0x7f)
    .map((i) => String.fromCharCode(i))
    .concat('\u2028', '\u2029')
    // Bidirectional controls: a right-to-left override shows "prod\u202e1-tset" as "prodtest-1".
    .concat(
      '\u200e',
      '\u200f',
      '\u202a',
      '\u202b',
      '\u202c',
      '\u202d',
      '\u202e',
      '\u2066',
      '\u2067',
      '\u2068',
      '\u2069',
    );

  it('keeps ordinary names as written, however unusual', () => {
    for (const name of ['prod', 'café', 'a b', 'x"y', 'back\\slash', '日本', '']) expect(showName(name)).toBe(name);
  });

  it('quotes and escapes a name with any C0, DEL, C1, line separator or bidi control character', () => {
    for (const c of every) {
      const shown = showName(`a${c}b`);
      expect(shown).toMatch(/^"a\\(u00[0-9a-f]{2}|u20[0-9a-f]{2}|[btnfr])b"$/);
      expect(JSON.parse(shown)).toBe(`a${c}b`);
    }
  });

  it('escapes control characters inside a sentence, leaving the rest alone', () => {
    expect(escapeControls('profile "x" (aws configure --profile x\u001b[2J)')).toBe(
      'profile "x" (aws configure --profile x\\u001b[2J)',
    );
    for (const c of every) expect(escapeControls(c)).toMatch(/^\\u[0-9a-f]{4}$/);
  });
});

describe('checkEndpoint', () => {
  it('accepts http(s) URLs and refuses others, naming where the value came from', () => {
    expect(checkEndpoint('https://sts.example.com', 'AWS_ENDPOINT_URL_STS')).toBe('https://sts.example.com');
    expect(() => checkEndpoint('ftp://x', 'AWS_ENDPOINT_URL_STS')).toThrow(
      /AWS_ENDPOINT_URL_STS is "ftp:\/\/x", not an http\(s\) URL/,
    );
  });

  it('refuses spaces and control characters the URL parser would silently drop (exit 3 from files, 2 from a flag)', () => {
    for (const url of ['http://h/a\nb', 'http://h/a\tb', ' http://h', 'http://h/a b', 'http://h/\u0085']) {
      expect(() => checkEndpoint(url, 'AWS_ENDPOINT_URL_STS')).toThrow(expect.objectContaining({ exitCode: 3 }));
      expect(() => checkEndpoint(url, '--endpoint-url')).toThrow(expect.objectContaining({ exitCode: 2 }));
    }
  });
});

describe('checkDecodable (values Node decoded with U+FFFD)', () => {
  const raw = (bytes: Record<string, Buffer>) => (name: string) => bytes[name];

  it('refuses a value whose bytes were not UTF-8, naming the variable', () => {
    const env = { AWS_PROFILE: Buffer.from([0x61, 0xff]).toString('utf8') };
    expect(() => checkDecodable(env, ['AWS_PROFILE'], raw({ AWS_PROFILE: Buffer.from([0x61, 0xff]) }))).toThrow(
      /^AWS_PROFILE holds bytes that are not UTF-8/,
    );
  });

  it('keeps a real U+FFFD, and refuses one it cannot check', () => {
    const env = { AWS_PROFILE: 'a\uFFFD' };
    expect(() => checkDecodable(env, ['AWS_PROFILE'], raw({ AWS_PROFILE: Buffer.from('a\uFFFD') }))).not.toThrow();
    expect(() => checkDecodable(env, ['AWS_PROFILE'], raw({}))).toThrow(/AWS_PROFILE/);
  });

  it('reads nothing for ordinary values', () => {
    const rawValue = jest.fn();
    checkDecodable({ AWS_PROFILE: 'work', AWS_REGION: 'eu-west-1' }, ['AWS_PROFILE', 'AWS_REGION', 'UNSET'], rawValue);
    expect(rawValue).not.toHaveBeenCalled();
  });
});
