// What --debug (and MFA_ENV_DEBUG=1) says. That it never shows a secret or a whole key id, in any success or error,
// is test/security/leaks.test.ts's.
import { DEMO_USER, type Fixture, startFixture } from '../support/fixture';

let f: Fixture;
beforeEach(async () => {
  f = await startFixture();
});
afterEach(() => f.stop());

describe('--debug', () => {
  it('says what is done, on stderr, each line marked, with key ids by their last 4 characters; MFA_ENV_DEBUG=1 as well', async () => {
    const result = await f.run(['demo-user', '-t', f.code(), '--debug']);
    expect(result.status).toBe(0);
    const lines = result.stderr.trim().split('\n');
    expect(lines.filter((line) => !line.startsWith('mfa-env: debug: '))).toEqual([]);
    expect(result.stderr).toContain(
      `profile "demo-user": keys ...${DEMO_USER.accessKeyId.slice(-4)} of "demo-user", MFA device ${DEMO_USER.serial}`,
    );
    expect(result.stderr).toMatch(/mfa session not in .*\.json/);
    expect(result.stderr).toContain(`GetSessionToken at ${f.server.url} with key ...MPLE and an MFA code (attempt 1)`);

    const again = await f.run(['demo-user'], { env: { MFA_ENV_DEBUG: '1' } });
    expect(again.status).toBe(0);
    expect(again.stderr).toMatch(/^mfa-env: debug: .*mfa session served from /m);
  });
});
