// STS misbehaving, as the test server can make it: mfa-env retries what is worth retrying, says when a retry
// re-sends an MFA code, gives up within --timeout, and leaves the environment (stdout) and the cache untouched.
import { existsSync, readdirSync } from 'node:fs';
import { type Fixture, startFixture } from '../support/fixture';
import type { StsFault } from '../support/sts-server';

let f: Fixture;
beforeEach(async () => {
  f = await startFixture();
});
afterEach(() => f.stop());

const cacheFiles = () => (existsSync(f.home.env.MFA_ENV_CACHE_DIR) ? readdirSync(f.home.env.MFA_ENV_CACHE_DIR) : []);

const FAULTS: Array<[string, StsFault]> = [
  ['HTTP 500', { kind: 'http', status: 500 }],
  ['HTTP 503', { kind: 'http', status: 503 }],
  ['Throttling', { kind: 'throttle' }],
  ['a connection reset mid-response', { kind: 'reset' }],
  ['malformed XML', { kind: 'malformed' }],
  ['truncated XML', { kind: 'truncated' }],
];

describe.each(FAULTS)('%s', (_, fault) => {
  it('once: retried, saying that the MFA code is sent again, and the session arrives', async () => {
    f.server.failNext(fault, 1);
    const result = await f.run(['demo-user', '-t', f.code()]);
    expect(result.status).toBe(0);
    expect(result.stderr).toMatch(/^mfa-env: .*; trying again with the same MFA code\n$/);
    expect(result.stdout).toContain(`export AWS_ACCESS_KEY_ID='${f.server.issued[0].accessKeyId}'`);
    expect(f.server.callsOf('GetSessionToken')).toHaveLength(2);
  });

  it('every time: a clear error after 3 tries, nothing on stdout, nothing cached', async () => {
    f.server.failNext(fault, 10);
    const result = await f.run(['demo-user', '-t', f.code()]);
    expect(result).toMatchObject({ status: 6, stdout: '' });
    expect(result.stderr.split('\n').at(-2)).toMatch(
      /^mfa-env: STS at http:\/\/127\.0\.0\.1:\d+ (is not answering properly|did not answer in time|gave an unusable answer).*try again|^mfa-env: cannot reach STS at .* \(ECONNRESET\)/,
    );
    expect(f.server.callsOf('GetSessionToken')).toHaveLength(3);
    expect(cacheFiles()).toEqual([]);
  });
});

describe('without an MFA code in the request', () => {
  it('retries quietly: renewing a role from the cached MFA session says nothing about codes', async () => {
    await f.stop();
    f = await startFixture({ roles: [{ arn: 'arn:aws:iam::123456789012:role/admin', requireMfa: true }] });
    f.home.write({
      config: `[profile demo-user]\nmfa_serial = arn:aws:iam::123456789012:mfa/demo-user\nendpoint_url = ${f.server.url}\n\n[profile admin]\nrole_arn = arn:aws:iam::123456789012:role/admin\nsource_profile = demo-user\nendpoint_url = ${f.server.url}\n`,
    });
    await f.run(['demo-user', '-t', f.code()]);
    f.server.failNext({ kind: 'reset' }, 1, 'AssumeRole');
    const result = await f.run(['admin'], { stdin: 'closed' });
    expect(result).toMatchObject({ status: 0, stderr: '' });
    expect(f.server.callsOf('AssumeRole')).toHaveLength(2);
  });
});

describe('other faults', () => {
  it('a clock 10 minutes off is corrected from the server’s Date and the call succeeds', async () => {
    f.server.clockSkewSeconds = 600;
    const result = await f.run(['demo-user', '-t', f.code(f.server.nowMs())]);
    // The code went out twice: the retry says so.
    expect(result).toMatchObject({
      status: 0,
      stderr: 'mfa-env: STS refused the request time; trying again with the same MFA code\n',
    });
    expect(f.server.callsOf('GetSessionToken').map((c) => c.status)).toEqual([403, 200]);
    expect(result.stdout).toContain(`export AWS_ACCESS_KEY_ID='${f.server.issued[0].accessKeyId}'`);
  });

  it('connection refused: retried without talk of codes, then a clear error', async () => {
    const url = f.server.url;
    await f.server.stop();
    const result = await f.run(['demo-user', '-t', f.code()]);
    expect(result).toMatchObject({ status: 6, stdout: '' });
    expect(result.stderr).toBe(
      `mfa-env: cannot reach STS at ${url} (ECONNREFUSED); check your network, region and endpoint settings\n`,
    );
  });

  it('--timeout bounds a silent STS: an attempt given no answer in 4 s is tried again, saying so, until the time is up', async () => {
    f.server.failNext({ kind: 'hang' }, 10);
    const started = Date.now();
    const result = await f.run(['demo-user', '-t', f.code(), '--timeout', '5']);
    const elapsed = Date.now() - started;
    expect(result).toMatchObject({ status: 6, stdout: '' });
    expect(result.stderr).toBe(
      `mfa-env: STS at ${f.server.url} did not answer in time; trying again with the same MFA code\n` +
        `mfa-env: STS at ${f.server.url} did not answer in time; check your network and try again\n`,
    );
    // The first attempt given up after 4 s, the second when the 5 s were up: without --timeout, a third would follow.
    expect(f.server.callsOf('GetSessionToken')).toHaveLength(2);
    expect(elapsed).toBeGreaterThanOrEqual(5000);
    expect(elapsed).toBeLessThan(8000);
  });

  it('refuses a --timeout that is not a positive number of seconds', async () => {
    const result = await f.run(['demo-user', '-t', '123456', '--timeout', '0']);
    expect(result).toMatchObject({ status: 2, stdout: '' });
  });
});
