import { DEMO_USER, startFixture, type Fixture } from '../support/fixture';

let f: Fixture;
beforeEach(async () => {
  f = await startFixture();
});
afterEach(() => f.stop());

describe('--debug', () => {
  it('says what is done, on stderr, with key ids by their last 4 characters and no secret', async () => {
    const result = await f.run(['demo-user', '-t', f.code(), '--debug']);
    expect(result.status).toBe(0);
    const lines = result.stderr.trim().split('\n');
    expect(lines.every((line) => line.startsWith('mfa-env: debug: '))).toBe(true);
    expect(result.stderr).toContain(`profile "demo-user": keys ...${DEMO_USER.accessKeyId.slice(-4)} of "demo-user", MFA device ${DEMO_USER.serial}`);
    expect(result.stderr).toMatch(/mfa session not in .*\.json/);
    expect(result.stderr).toContain(`GetSessionToken at ${f.server.url} with key ...MPLE and an MFA code (attempt 1)`);
    const [issued] = f.server.issued;
    for (const secret of [DEMO_USER.accessKeyId, DEMO_USER.secretAccessKey, issued.accessKeyId, issued.secretAccessKey, issued.sessionToken]) {
      expect(result.stderr).not.toContain(secret);
    }
    const again = await f.run(['demo-user'], { env: { MFA_ENV_DEBUG: '1' } });
    expect(again.stderr).toMatch(/mfa session served from /);
    for (const secret of [issued.accessKeyId, issued.secretAccessKey, issued.sessionToken]) expect(again.stderr).not.toContain(secret);
  });
});
