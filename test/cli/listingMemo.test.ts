import { chmodSync, existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ACCOUNT, DEMO_USER, type Fixture, startFixture } from '../support/fixture';

// `list` remembers its rows (plans/listing.json) and reads them back while the AWS files and the variables they were
// worked out from are unchanged; the times left are always read from the session files.
let f: Fixture;
const listing = () => join(f.home.env.MFA_ENV_CACHE_DIR, 'plans', 'listing.json');
const memo = () => JSON.parse(readFileSync(listing(), 'utf8')) as { rows: Array<Record<string, unknown>> };

beforeEach(async () => {
  f = await startFixture();
  f.home.write({
    config: [
      `[profile demo-user]\nmfa_serial = ${DEMO_USER.serial}\nendpoint_url = ${f.server.url}`,
      `[profile admin]\nrole_arn = arn:aws:iam::${ACCOUNT}:role/admin\nsource_profile = demo-user`,
      `[profile plain]\nregion = eu-west-1`,
    ].join('\n\n'),
  });
});
afterEach(() => f.stop());

async function list(env: Record<string, string> = {}, args: string[] = []) {
  const result = await f.run(['list', '--json', ...args], { env });
  expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: '' });
  return JSON.parse(result.stdout) as Array<Record<string, unknown>>;
}

describe('the listing memo', () => {
  it('is written by a listing, holds no secret and is what the next listing shows', async () => {
    const first = await list();
    expect(statSync(listing()).mode & 0o777).toBe(0o600);
    const text = readFileSync(listing(), 'utf8');
    expect(text).not.toContain(DEMO_USER.secretAccessKey);
    expect(text).not.toContain(DEMO_USER.accessKeyId);
    expect(await list()).toEqual(first);

    // Read back, not worked out again: a change made to the memo itself shows (the files did not change).
    const changed = memo();
    changed.rows[0].mfaSerial = `arn:aws:iam::${ACCOUNT}:mfa/from-the-memo`;
    writeFileSync(listing(), JSON.stringify(changed), { mode: 0o600 });
    expect((await list())[0].mfaSerial).toBe(`arn:aws:iam::${ACCOUNT}:mfa/from-the-memo`);
  });

  it('is shown by the fast path (no main.js), as the full CLI shows it, table and JSON', async () => {
    const full = { MFA_ENV_NO_FAST_PATH: '1' };
    const first = await f.run(['list'], { env: full });
    expect(existsSync(listing())).toBe(true);
    const modules = join(f.home.home, 'modules');
    const recorded = {
      MFA_ENV_TEST_MODULES: modules,
      NODE_OPTIONS: `--require ${join(__dirname, '..', 'support', 'recordModules.js')}`,
    };
    for (const args of [['list'], ['list', '--json'], ['list', '--no-input']]) {
      const fast = await f.run(args, { env: recorded });
      expect(fast).toMatchObject({ status: 0, stderr: '' });
      expect(
        readFileSync(modules, 'utf8')
          .split('\n')
          .filter((m) => m.endsWith('/dist/main.js')),
      ).toEqual([]);
      expect(fast.stdout).toBe((await f.run(args, { env: full })).stdout);
    }
    expect((await f.run(['list'], { env: recorded })).stdout).toBe(first.stdout);
    // What the fast path does not serve goes to the full CLI, which says what is wrong.
    const wrong = await f.run(['list', 'demo-user'], { env: recorded });
    expect(wrong.status).toBe(2);
    expect(readFileSync(modules, 'utf8')).toContain('/dist/main.js');
  });

  it('shows the time left on sessions made after it was written', async () => {
    await list();
    expect(existsSync(listing())).toBe(true);
    await f.run(['demo-user', '-t', f.code()]);
    const rows = await list();
    expect(rows[0]).toMatchObject({ profile: 'demo-user', sessionSecondsLeft: expect.any(Number) });
    expect(rows[0].sessionSecondsLeft as number).toBeGreaterThan(43000);
    expect(rows[1]).toMatchObject({ profile: 'admin', mfaSessionSecondsLeft: expect.any(Number) });
    expect(rows[1].sessionSecondsLeft).toBeUndefined();
  });

  it('is not used once a file or a variable it was worked out from changes', async () => {
    await list();
    // The same size, the same modification time: only the change time and content differ.
    const config = readFileSync(f.home.configPath, 'utf8');
    const { mtime } = statSync(f.home.configPath);
    writeFileSync(f.home.configPath, config.replace('[profile plain]', '[profile plaiN]'));
    require('node:fs').utimesSync(f.home.configPath, mtime, mtime);
    expect((await list()).map((r) => r.profile)).toEqual(['demo-user', 'admin', 'plaiN']);

    writeFileSync(f.home.credentialsPath, `[plaiN]\naws_access_key_id = AKIAPLAIN\naws_secret_access_key = x\n`, {
      flag: 'a',
    });
    expect((await list())[2].problem).toMatch(/^aws_access_key_id of profile "plaiN" .* is not an access key id/);

    const other = join(f.home.home, 'other-config');
    writeFileSync(other, `[profile elsewhere]\nmfa_serial = ${DEMO_USER.serial}\n`);
    expect((await list({ AWS_CONFIG_FILE: other })).map((r) => r.profile)).toEqual(['elsewhere', 'demo-user', 'plaiN']);
    expect((await list()).map((r) => r.profile)).toEqual(['demo-user', 'admin', 'plaiN']);
  });

  it('is neither written nor read with --no-cache, and goes with forget', async () => {
    await list({}, ['--no-cache']);
    expect(existsSync(listing())).toBe(false);
    await list();
    const changed = memo();
    changed.rows[0].mfaSerial = 'from-the-memo';
    writeFileSync(listing(), JSON.stringify(changed), { mode: 0o600 });
    expect((await list({}, ['--no-cache']))[0].mfaSerial).toBe(DEMO_USER.serial);
    expect((await f.run(['forget'])).status).toBe(0);
    expect(existsSync(listing())).toBe(false);
  });

  it('is kept for profiles the keyring has no keys for, unless the keyring index names one', async () => {
    // `plain` has no keys in the files: the keyring was asked, and mfa-env keeps none there for it.
    const rows = await list();
    expect(rows[2].problem).toContain('has no aws_access_key_id');
    expect(existsSync(listing())).toBe(true);

    // Keys mfa-env keeps in the keyring can come and go without any file changing (a locked keyring, say).
    writeFileSync(
      join(f.home.env.MFA_ENV_CACHE_DIR, 'keyring-profiles.json'),
      `${JSON.stringify({ version: 1, profiles: ['plain'] })}\n`,
      { mode: 0o600 },
    );
    rmSync(listing());
    await f.run(['list']);
    expect(existsSync(listing())).toBe(false);
  });

  // Each of these stands in for the memo of the fixture's files; the listing must be worked out again, whole.
  type Memo = Record<string, unknown> & { rows: Array<Record<string, unknown>> };
  /** Sets `key` of the first row (or of the row `index`) to `value`. */
  const setRow =
    (key: string, value: unknown, index = 0) =>
    (m: Memo) => {
      m.rows[index][key] = value;
      return m;
    };
  const hostile: Array<[string, (m: Memo) => unknown]> = [
    ['a field that is not a row field (it would reach --json)', setRow('extra', 'x')],
    ['a session file that is a path', setRow('sessionFile', '../../etc/passwd')],
    ['a session file of another name', setRow('sessionFile', 'mfa-0.json')],
    ['an unknown kind', setRow('kind', 'admin')],
    ['a name that is not text', setRow('profile', { toString: 1 })],
    ['rows that are not a list', (m) => ({ ...m, rows: { 0: m.rows[0] } })],
    ['a row that is not an object', (m) => ({ ...m, rows: [m.rows[0], 'admin'] })],
    ['another version', (m) => ({ ...m, version: 2 })],
    ['inputs that are not a record', (m) => ({ ...m, files: 'x', env: null })],
    ['no JSON', () => '{"version":1,'],
  ];
  it.each(hostile)('is ignored when it holds %s', async (_what, spoil) => {
    const fresh = await list();
    const spoiled = spoil(memo() as never);
    // Marked, so a memo that was used would show it.
    const text = typeof spoiled === 'string' ? spoiled : JSON.stringify(spoiled).replace(DEMO_USER.serial, 'MARK');
    writeFileSync(listing(), text, { mode: 0o600 });
    expect(await list()).toEqual(fresh);
  });

  it('is ignored when other users may read it, or it is bigger than any listing', async () => {
    const fresh = await list();
    const marked = readFileSync(listing(), 'utf8').replace(DEMO_USER.serial, 'MARK');
    writeFileSync(listing(), marked, { mode: 0o600 });
    chmodSync(listing(), 0o644);
    expect(await list()).toEqual(fresh);
    writeFileSync(listing(), marked.replace(/\}\s*$/, `,"pad":"${'x'.repeat(65 * 1024 * 1024)}"}`), { mode: 0o600 });
    chmodSync(listing(), 0o600);
    expect(await list()).toEqual(fresh);
  });
});
