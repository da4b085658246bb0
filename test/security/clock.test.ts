// A cached session is served only while it has at least MFA_ENV_MIN_TTL left (default 5 minutes; README, "The
// session cache"): never once it has expired, never within the minimum, and exactly at the minimum it still is.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ACCOUNT, type Fixture, startFixture } from '../support/fixture';
import { evalInShell } from '../support/shells';

const ROLE = `arn:aws:iam::${ACCOUNT}:role/admin`;
const FIXED_CLOCK = join(__dirname, 'support', 'fixedClock.js');

let f: Fixture;
beforeEach(async () => {
  f = await startFixture({ roles: [{ arn: ROLE, requireMfa: true }] });
  f.home.write({
    config: `${readFileSync(f.home.configPath, 'utf8')}\n[profile admin]\nrole_arn = ${ROLE}\nsource_profile = demo-user\nendpoint_url = ${f.server.url}\n`,
  });
});
afterEach(() => f.stop());

const cacheDir = () => f.home.env.MFA_ENV_CACHE_DIR;
const cacheFile = (kind: 'mfa' | 'role') =>
  join(cacheDir(), readdirSync(cacheDir()).find((n) => n.startsWith(`${kind}-`) && n.endsWith('.json'))!);

/** Rewrites the expiry of the cached session of `kind`, as a clock change (or a long pause) would make it. */
function setExpiry(kind: 'mfa' | 'role', expiresAtMs: number): void {
  const file = cacheFile(kind);
  const entry = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  writeFileSync(file, JSON.stringify({ ...entry, expiration: new Date(expiresAtMs).toISOString() }), { mode: 0o600 });
}

const cachedToken = (kind: 'mfa' | 'role') =>
  (JSON.parse(readFileSync(cacheFile(kind), 'utf8')) as { sessionToken: string }).sessionToken;

/** A run that cannot get a code: it succeeds only when the cache serves it. */
async function withoutCode(profile: string, env: Record<string, string> = {}, args: string[] = []) {
  f.server.resetCalls();
  return f.run([profile, ...args], { stdin: 'closed', env });
}

function expectNotServed(result: { status: number | null; stdout: string; stderr: string }): void {
  expect(result.stdout).toBe('');
  expect(result.status).toBe(4);
  expect(result.stderr).toMatch(/^mfa-env: profile "[^"]+" needs an MFA code and there is no terminal to ask on/);
  expect(f.server.calls).toEqual([]);
}

function expectServed(result: { status: number | null; stdout: string; stderr: string }, token: string): void {
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  expect(evalInShell('sh', result.stdout, f.home.env).AWS_SESSION_TOKEN).toBe(token);
  expect(f.server.calls).toEqual([]);
}

describe('a cached MFA session, by the real clock', () => {
  beforeEach(async () => {
    expect((await f.run(['demo-user', '-t', f.code()])).status).toBe(0);
  });

  it.each([
    ['expired a day ago', -86400_000],
    ['expired a second ago', -1000],
    ['expiring in a minute (within the default 5 minutes)', 60_000],
    ['expiring in 4 minutes 50 seconds', 290_000],
  ])('%s is not served', async (_, offset) => {
    setExpiry('mfa', Date.now() + offset);
    expectNotServed(await withoutCode('demo-user'));
  });

  it('expiring in 6 minutes is served', async () => {
    const token = cachedToken('mfa');
    setExpiry('mfa', Date.now() + 360_000);
    expectServed(await withoutCode('demo-user'), token);
  });

  it('an expired one is replaced by a new session when a code is given', async () => {
    const old = cachedToken('mfa');
    setExpiry('mfa', Date.now() - 1000);
    const result = await f.run(['demo-user', '-t', f.code()]);
    expect(result.status).toBe(0);
    expect(evalInShell('sh', result.stdout, f.home.env).AWS_SESSION_TOKEN).not.toBe(old);
    expect(cachedToken('mfa')).toBe(f.server.lastIssued()!.sessionToken);
  });

  it.each([
    ['20m left, MFA_ENV_MIN_TTL=30m: not served', 20 * 60_000, '30m', false],
    [
      '20m left, MFA_ENV_MIN_TTL=1200 (exactly 20m, minus the time the run takes): not served',
      20 * 60_000,
      '1200',
      false,
    ],
    ['20m left, MFA_ENV_MIN_TTL=19m: served', 20 * 60_000, '19m', true],
    ['11h left, MFA_ENV_MIN_TTL=12h: not served', 11 * 3600_000, '12h', false],
  ])('%s', async (_, left, minTtl, served) => {
    const token = cachedToken('mfa');
    setExpiry('mfa', Date.now() + left);
    const result = await withoutCode('demo-user', { MFA_ENV_MIN_TTL: minTtl });
    if (served) expectServed(result, token);
    else expectNotServed(result);
  });
});

describe('short sessions and a large MFA_ENV_MIN_TTL', () => {
  it('a 15-minute session is not served under a 16-minute minimum, and is under a 14-minute one', async () => {
    expect((await f.run(['demo-user', '-t', f.code(), '-d', '15m'])).status).toBe(0);
    const token = f.server.lastIssued()!.sessionToken;
    // The same -d: the session's length is part of what it is cached under.
    expectNotServed(await withoutCode('demo-user', { MFA_ENV_MIN_TTL: '16m' }, ['-d', '15m']));
    // Not 15m itself: the run starts a moment after the session did.
    expectNotServed(await withoutCode('demo-user', { MFA_ENV_MIN_TTL: '15m' }, ['-d', '15m']));
    expectServed(await withoutCode('demo-user', { MFA_ENV_MIN_TTL: '14m' }, ['-d', '15m']), token);
  });

  it('a role session within the minimum is renewed from the MFA session with no code; with both within it, a code is needed', async () => {
    expect((await f.run(['admin', '-t', f.code()])).status).toBe(0);
    f.server.resetCalls();
    // The 1-hour role session is within a 2-hour minimum, the 12-hour MFA session is not.
    const renewed = await f.run(['admin'], { stdin: 'closed', env: { MFA_ENV_MIN_TTL: '2h' } });
    expect(renewed.stderr).toBe('');
    expect(renewed.status).toBe(0);
    expect(f.server.calls.map((c) => c.action)).toEqual(['AssumeRole']);
    expect(evalInShell('sh', renewed.stdout, f.home.env).AWS_SESSION_TOKEN).toBe(f.server.lastIssued()!.sessionToken);
    // Under a 13-hour minimum neither session is served.
    expectNotServed(await withoutCode('admin', { MFA_ENV_MIN_TTL: '13h' }));
  });

  it('an expired role session is never served, even with a fresh MFA session in the cache', async () => {
    expect((await f.run(['admin', '-t', f.code()])).status).toBe(0);
    const oldRoleToken = cachedToken('role');
    setExpiry('role', Date.now() - 1000);
    f.server.resetCalls();
    const result = await f.run(['admin'], { stdin: 'closed' });
    expect(result.status).toBe(0);
    expect(f.server.calls.map((c) => c.action)).toEqual(['AssumeRole']);
    expect(evalInShell('sh', result.stdout, f.home.env).AWS_SESSION_TOKEN).not.toBe(oldRoleToken);
  });
});

describe('exactly at the boundary (the CLI’s clock fixed by a preload)', () => {
  let now: number;
  let token: string;
  beforeEach(async () => {
    expect((await f.run(['demo-user', '-t', f.code()])).status).toBe(0);
    token = cachedToken('mfa');
    now = Date.now();
  });
  const atFixedNow = (minTtl?: string) =>
    withoutCode('demo-user', {
      NODE_OPTIONS: `--require ${FIXED_CLOCK}`,
      MFA_ENV_TEST_NOW_MS: String(now),
      ...(minTtl === undefined ? {} : { MFA_ENV_MIN_TTL: minTtl }),
    });

  it('the preload really fixes the CLI’s clock (so the cases below can fail)', async () => {
    setExpiry('mfa', now + 300_000);
    now -= 3600_000;
    expectServed(await atFixedNow(), token);
    now += 2 * 3600_000;
    expectNotServed(await atFixedNow());
  });

  it('exactly 5 minutes left with the default minimum: served ("at least MFA_ENV_MIN_TTL left")', async () => {
    setExpiry('mfa', now + 300_000);
    expectServed(await atFixedNow(), token);
  });

  it('1 ms short of 5 minutes: not served', async () => {
    setExpiry('mfa', now + 299_999);
    expectNotServed(await atFixedNow());
  });

  it('exactly MFA_ENV_MIN_TTL=90 left: served; 1 ms less: not', async () => {
    setExpiry('mfa', now + 90_000);
    expectServed(await atFixedNow('90'), token);
    setExpiry('mfa', now + 89_999);
    expectNotServed(await atFixedNow('90'));
  });

  it('MFA_ENV_MIN_TTL=0: 1 s left is served; 1 ms past expiry is not', async () => {
    setExpiry('mfa', now + 1000);
    expectServed(await atFixedNow('0'), token);
    setExpiry('mfa', now - 1);
    expectNotServed(await atFixedNow('0'));
  });
});
