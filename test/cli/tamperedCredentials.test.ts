import { existsSync, readdirSync } from 'node:fs';
import { startFixture, type Fixture } from '../support/fixture';

let f: Fixture;
afterEach(() => f.stop());

describe('credentials STS should never send', () => {
  it.each([
    ['a NUL in the session token', { sessionToken: 'abc\u0000def' }],
    ['a newline in the secret key', { secretAccessKey: 'abc\ndef' }],
    ['an escape sequence in the key id', { accessKeyId: 'ASIA\u001b[31mRED' }],
  ])('%s: refused as an unusable answer (exit 6), nothing printed, nothing cached', async (_, tampered) => {
    f = await startFixture({ tamper: () => tampered } as never);
    const result = await f.run(['demo-user', '-t', f.code()]);
    expect(result).toMatchObject({ status: 6, stdout: '' });
    expect(result.stderr).toMatch(/answered GetSessionToken without complete, usable credentials; try again\n$/);
    const dir = f.home.env.MFA_ENV_CACHE_DIR;
    expect(existsSync(dir) ? readdirSync(dir) : []).toEqual([]);
  });
});
