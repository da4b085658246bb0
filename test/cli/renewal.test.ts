import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ACCOUNT, type Fixture, startFixture } from '../support/fixture';
import { evalInShell } from '../support/shells';

// Renewing the loaded session keeps the length it was asked for: `mfa-env PROFILE -d 2h` exports MFA_ENV_DURATION,
// and a request for the loaded profile without -d (a bare `mfa-env`, the profile's function, auto-renewal) asks
// for that length again, on the fast path as on the full one.

const ROLE = `arn:aws:iam::${ACCOUNT}:role/admin`;
let f: Fixture;

beforeEach(async () => {
  f = await startFixture({ roles: [{ arn: ROLE, requireMfa: true, maxSessionDuration: 43200 }] });
  f.home.write({
    config: `${readFileSync(f.home.configPath, 'utf8')}\n[profile admin]\nrole_arn = ${ROLE}\nsource_profile = demo-user\nregion = us-west-2\nendpoint_url = ${f.server.url}\n`,
  });
});
afterEach(() => f.stop());

const FULL = { MFA_ENV_NO_FAST_PATH: '1' };

/** Runs mfa-env and evaluates its code in bash over `env`, as `eval "$(mfa-env ...)"` does. */
async function load(args: string[], env: Record<string, string | undefined>): Promise<Record<string, string>> {
  const result = await f.run(args, { env, stdin: 'closed' });
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  return evalInShell('bash', result.stdout, env);
}

const durations = (action: string) => f.server.callsOf(action).map((c) => c.params.DurationSeconds);

describe('MFA_ENV_DURATION', () => {
  it('-d 1h on a user profile: exported; a bare mfa-env asks STS for 1 hour again, not the 12-hour default', async () => {
    const loaded = await load(['demo-user', '-t', f.code(), '-d', '1h'], f.home.env);
    expect(loaded.MFA_ENV_DURATION).toBe('3600');
    // From the cache: the same 1-hour session, no call.
    const renewed = await load([], loaded);
    expect(renewed.MFA_ENV_EXPIRES_AT).toBe(String(f.server.issued[0].expiresAtMs / 1000));
    expect(renewed.MFA_ENV_DURATION).toBe('3600');
    // And with a new code: STS is asked for 1 hour.
    await load(['--refresh', '-t', f.code()], renewed);
    expect(durations('GetSessionToken')).toEqual(['3600', '3600']);
  });

  it('-d 2h on a role (assumed with its own code): a bare mfa-env is served that 2-hour session from the cache, no code', async () => {
    const loaded = await load(['admin', '-t', f.code(), '-d', '2h'], f.home.env);
    expect(loaded.MFA_ENV_DURATION).toBe('7200');
    expect(durations('AssumeRole')).toEqual(['7200']);
    // --no-input: a run that needed a code would fail.
    for (const extra of [{}, FULL]) {
      const renewed = await load(['--no-input'], { ...loaded, ...extra });
      expect(renewed.AWS_ACCESS_KEY_ID).toBe(f.server.issued[0].accessKeyId);
      expect(renewed.MFA_ENV_DURATION).toBe('7200');
    }
    expect(f.server.calls).toHaveLength(1);
  });

  it('the loaded profile named again keeps the length; another profile gets its own; -d chooses anew', async () => {
    const loaded = await load(['admin', '-t', f.code(), '-d', '15m'], f.home.env);
    expect(loaded.MFA_ENV_DURATION).toBe('900');
    // What the profile function runs: mfa-env --profile=admin.
    const again = await load(['--profile=admin'], loaded);
    expect(again.MFA_ENV_DURATION).toBe('900');
    expect(durations('AssumeRole')).toEqual(['900']);
    // Another profile: its default (12 hours for the MFA session), and nothing remembered for it.
    const other = await load(['demo-user'], again);
    expect(other.MFA_ENV_DURATION).toBeUndefined();
    expect(other.MFA_ENV_PROFILE).toBe('demo-user');
    // -d wins over the remembered length.
    const longer = await load(['admin', '-d', '30m'], { ...again });
    expect(longer.MFA_ENV_DURATION).toBe('1800');
    expect(durations('AssumeRole')).toEqual(['900', '1800']);
    expect(durations('GetSessionToken')).toEqual(['43200']);
  });

  it('fast and full paths give the same output for a renewal with a remembered length, and the fast path serves it', async () => {
    const loaded = await load(['admin', '-t', f.code(), '-d', '15m'], f.home.env);
    for (const flags of [[], ['--shell', 'fish'], ['--format', 'dotenv'], ['--format', 'json']]) {
      const fast = await f.run(flags, { env: loaded, stdin: 'closed' });
      const full = await f.run(flags, { env: { ...loaded, ...FULL }, stdin: 'closed' });
      expect(fast.status).toBe(0);
      expect(fast.stdout).toBe(full.stdout);
      expect(fast.stderr).toBe(full.stderr);
    }
    // The fast path answered (it never loads the full CLI), with the 15-minute role session.
    const modules = join(f.home.home, 'modules.txt');
    const fast = await f.run([], {
      env: {
        ...loaded,
        NODE_OPTIONS: `--require ${join(__dirname, '..', 'support', 'recordModules.js')}`,
        MFA_ENV_TEST_MODULES: modules,
      },
      stdin: 'closed',
    });
    expect(fast.stdout).toContain(`export AWS_ACCESS_KEY_ID='${f.server.issued[1].accessKeyId}'`);
    expect(fast.stdout).toContain("export MFA_ENV_DURATION='900'");
    expect(readFileSync(modules, 'utf8')).not.toContain('dist/main.js');
    // Without the remembered length the same request is another session (1 hour): not served from the 15-minute one.
    const plain = await f.run(['--no-input'], { env: { ...loaded, MFA_ENV_DURATION: '' }, stdin: 'closed' });
    expect(plain.stdout).not.toContain(f.server.issued[1].accessKeyId);
  });

  it('--clear removes it; dotenv leaves it out; a malformed one is an error that names it', async () => {
    const loaded = await load(['demo-user', '-t', f.code(), '-d', '1h'], f.home.env);
    const cleared = await load(['--clear'], loaded);
    expect(cleared.MFA_ENV_DURATION).toBeUndefined();
    const dotenv = await f.run(['--format', 'dotenv'], { env: loaded, stdin: 'closed' });
    expect(dotenv.status).toBe(0);
    expect(dotenv.stdout).not.toContain('MFA_ENV_DURATION');
    const bad = await f.run([], { env: { ...loaded, MFA_ENV_DURATION: 'forever' }, stdin: 'closed' });
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toBe(
      'mfa-env: MFA_ENV_DURATION is "forever", not a number of seconds; give -d DURATION, or load the session again\n',
    );
    expect(bad.status).toBe(3);
    const outOfRange = await f.run([], { env: { ...loaded, MFA_ENV_DURATION: '60' }, stdin: 'closed' });
    expect(outOfRange.stderr).toBe(
      'mfa-env: MFA_ENV_DURATION (the length of the loaded session; give -d to choose another) is 1m (60 s), out of range; STS allows 15m to 36h (900-129600 seconds)\n',
    );
    expect(outOfRange.status).toBe(3);
  });
});
