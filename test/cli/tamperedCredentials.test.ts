import { existsSync, readdirSync } from 'node:fs';
import { startFixture, type Fixture } from '../support/fixture';

let f: Fixture;
afterEach(() => f.stop());

describe('credentials STS should never send', () => {
  it.each([
    ['a NUL in the session token', { sessionToken: 'abc\u0000def' }],
    ['a newline in the secret key', { secretAccessKey: 'abc\ndef' }],
    ['an escape sequence in the key id', { accessKeyId: 'ASIA\u001b[31mRED' }],
    ['a C1 control (CSI, U+009B) in the session token', { sessionToken: 'abc\u009b31mdef' }],
    ['a bidirectional override in the secret key', { secretAccessKey: 'abc\u202edef' }],
    ['a line separator (U+2028) in the key id', { accessKeyId: 'ASIA\u2028EXAMPLE' }],
  ])('%s: refused as an unusable answer (exit 6), nothing printed, nothing cached', async (_, tampered) => {
    f = await startFixture({ tamper: () => tampered } as never);
    const result = await f.run(['demo-user', '-t', f.code()]);
    expect(result).toMatchObject({ status: 6, stdout: '' });
    expect(result.stderr).toMatch(/answered GetSessionToken without complete, usable credentials; try again\n$/);
    const dir = f.home.env.MFA_ENV_CACHE_DIR;
    expect(existsSync(dir) ? readdirSync(dir) : []).toEqual([]);
  });
});

// Bounds that real answers fit with room (src/session/sts.ts FIELD_LIMITS, MAX_SESSION_MS): beyond them an answer is
// refused before anything is cached or printed; at them it is used.
describe('credentials out of bounds', () => {
  const refused = async (tampered: object, message: RegExp) => {
    f = await startFixture({ tamper: () => tampered } as never);
    const result = await f.run(['demo-user', '-t', f.code()]);
    expect(result).toMatchObject({ status: 6, stdout: '' });
    expect(result.stderr).toMatch(message);
    expect(result.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    const dir = f.home.env.MFA_ENV_CACHE_DIR;
    expect(existsSync(dir) ? readdirSync(dir).filter((n) => n.endsWith('.json')) : []).toEqual([]);
  };

  it('a 200 KB session token is refused (exit 6), naming the field and its length', async () => {
    await refused({ sessionToken: 'A'.repeat(200_000) }, /SessionToken 200000 characters long, more than the 8192 real ones stay under; not used\n$/);
  });

  it('a session token of 8,193 characters is refused, one of 8,192 is used', async () => {
    await refused({ sessionToken: 'A'.repeat(8193) }, /SessionToken 8193 characters long/);
    await f.stop();
    f = await startFixture({ tamper: () => ({ sessionToken: 'B'.repeat(8192) }) } as never);
    const result = await f.run(['demo-user', '-t', f.code()]);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(`export AWS_SESSION_TOKEN='${'B'.repeat(8192)}'`);
  });

  it('a key id or secret key over 128 characters is refused', async () => {
    await refused({ accessKeyId: `ASIA${'X'.repeat(125)}` }, /AccessKeyId 129 characters long/);
    await f.stop();
    await refused({ secretAccessKey: 'S'.repeat(129) }, /SecretAccessKey 129 characters long/);
  });

  it('an Expiration in the year 9999, or 37 hours away, is refused: the cache would serve it for ever', async () => {
    await refused({ expirationXml: '9999-12-31T23:59:59Z' }, /valid until 9999-12-31T23:59:59.000Z, longer than the 36 hours STS grants/);
    await f.stop();
    const later = new Date(Date.now() + 37 * 3600_000).toISOString().replace(/\.\d+Z$/, 'Z');
    await refused({ expirationXml: later }, /longer than the 36 hours STS grants/);
  });

  it('an Expiration 35 hours away is used', async () => {
    const later = new Date(Date.now() + 35 * 3600_000).toISOString().replace(/\.\d+Z$/, 'Z');
    f = await startFixture({ tamper: () => ({ expirationXml: later }) } as never);
    const result = await f.run(['demo-user', '-t', f.code()]);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(`export AWS_CREDENTIAL_EXPIRATION='${later}'`);
  });
});

// What a hostile or broken server says in an error is shown as one readable line: a code that is not a plain word
// is quoted with its control characters escaped, and a message is cut.
describe('error answers from STS', () => {
  it('a code with terminal escapes is escaped, the message kept to one line', async () => {
    f = await startFixture();
    f.server.failNext({ kind: 'error', status: 400, code: 'Bad\u001b[31mCode\u001b]0;T\u0007', message: 'nope' }, 3);
    const result = await f.run(['demo-user', '-t', f.code()]);
    expect(result).toMatchObject({ status: 5, stdout: '' });
    expect(result.stderr).not.toMatch(/[\u0000-\u0009\u000b-\u001f]/);
    expect(result.stderr).toContain('failed: "Bad\\u001b[31mCode\\u001b]0;T\\u0007": "nope"');
    expect(result.stderr.split('\n').filter(Boolean)).toHaveLength(1);
  });

  it('a 500 KB AccessDenied message is cut short', async () => {
    f = await startFixture();
    // Under the 1 MiB bound on answers (answerSize.test.ts: a 5 MB one is not even read).
    f.server.failNext({ kind: 'error', status: 403, code: 'AccessDenied', message: `User is not authorized ${'x'.repeat(500_000)}` }, 3);
    const result = await f.run(['demo-user', '-t', f.code()]);
    expect(result).toMatchObject({ status: 5, stdout: '' });
    expect(result.stderr).toContain('was denied: "User is not authorized xxx');
    expect(result.stderr.length).toBeLessThan(1000);
  });
});
