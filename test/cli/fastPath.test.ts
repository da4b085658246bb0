import {
  chmodSync,
  existsSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { COMMAND_NAMES } from '../../src/commandNames';
import { COMMANDS } from '../../src/commandTable';
import { ACCOUNT, DEMO_USER, type Fixture, startFixture } from '../support/fixture';

// The fast path (src/fastPath.ts) answers --clear and a cached session without yargs, the INI parser or the SDK,
// using a memo of the profile's resolution (src/session/planMemo.ts). These tests hold it to two promises: it
// says exactly what the full CLI says, and it never serves anything the full CLI would not.

const ROLE = `arn:aws:iam::${ACCOUNT}:role/admin`;
let f: Fixture;

beforeEach(async () => {
  f = await startFixture({ roles: [{ arn: ROLE, requireMfa: true }] });
  f.home.write({
    config: `${readFileSync(f.home.configPath, 'utf8')}\n[profile admin]\nrole_arn = ${ROLE}\nsource_profile = demo-user\nregion = us-west-2\nendpoint_url = ${f.server.url}\n`,
  });
});
afterEach(() => f.stop());

const FULL = { MFA_ENV_NO_FAST_PATH: '1' };
const plansDir = () => join(f.home.env.MFA_ENV_CACHE_DIR, 'plans');
const memos = () => (existsSync(plansDir()) ? readdirSync(plansDir()) : []);

async function modulesLoadedBy(args: string[], env: Record<string, string> = {}): Promise<string[]> {
  const file = join(f.home.home, `modules-${Math.random()}.txt`);
  const result = await f.run(args, {
    stdin: 'closed',
    env: {
      ...env,
      NODE_OPTIONS: `--require ${join(__dirname, '..', 'support', 'recordModules.js')}`,
      MFA_ENV_TEST_MODULES: file,
    },
  });
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  return readFileSync(file, 'utf8').split('\n');
}

/** Loads sessions for both profiles, so later runs can be served from the cache. */
async function warm(): Promise<void> {
  expect((await f.run(['demo-user', '-t', f.code()])).status).toBe(0);
  expect((await f.run(['admin'], { stdin: 'closed' })).status).toBe(0);
}

describe('what the fast path loads', () => {
  it.each([[['--clear']], [['demo-user']], [['admin', '--shell', 'fish']], [['--format', 'json', 'demo-user']]])(
    '%j: neither yargs, the full CLI, the INI parser, the SDK nor the keyring addon',
    async (args) => {
      await warm();
      const modules = await modulesLoadedBy(args);
      expect(modules.some((m) => m.endsWith('/dist/cli.js'))).toBe(true);
      expect(
        modules.filter((m) => /dist\/main\.js|dist\/stsSdk\.js|yargs|@smithy|@aws-sdk|@napi-rs\/keyring/.test(m)),
      ).toEqual([]);
    },
  );

  it('while the full CLI does load them (so the check above can fail)', async () => {
    await warm();
    const modules = await modulesLoadedBy(['demo-user'], FULL);
    expect(modules.some((m) => m.endsWith('/dist/main.js'))).toBe(true);
  });
});

describe('the same answer as the full CLI', () => {
  it.each([
    ['demo-user', []],
    ['admin', []],
    ['demo-user', ['--shell', 'fish']],
    ['admin', ['-s', 'zsh']],
    ['demo-user', ['--format', 'json']],
    ['admin', ['--format=dotenv']],
    ['demo-user', ['--no-input', '--shell=bash']],
  ] as Array<[string, string[]]>)('%s %j', async (profile, flags) => {
    await warm();
    const env = { AWS_PROFILE: 'someone', AWS_REGION: 'eu-central-1', MFA_ENV_SHELL: 'zsh' };
    for (const args of [
      [profile, ...flags],
      [...flags, '-p', profile],
      [...flags, `--profile=${profile}`],
    ]) {
      const fast = await f.run(args, { stdin: 'closed', env });
      const full = await f.run(args, { stdin: 'closed', env: { ...env, ...FULL } });
      expect(fast.status).toBe(0);
      expect(fast.stdout).toBe(full.stdout);
      expect(fast.stderr).toBe(full.stderr);
    }
  });

  it('a bare mfa-env renews the loaded session, as the full CLI does', async () => {
    await warm();
    const loaded = { MFA_ENV_PROFILE: 'admin', MFA_ENV_SAVED: '', AWS_PROFILE: 'demo-user' };
    const fast = await f.run([], { stdin: 'closed', env: loaded });
    expect(fast.status).toBe(0);
    expect(fast.stdout).toBe((await f.run([], { stdin: 'closed', env: { ...loaded, ...FULL } })).stdout);
    expect(fast.stdout).toContain(`export MFA_ENV_ROLE_ARN='${ROLE}'`);
  });

  it('the renewal time is MFA_ENV_MIN_TTL before the end on both paths', async () => {
    await warm();
    const env = { MFA_ENV_MIN_TTL: '10m' };
    const fast = await f.run(['demo-user'], { stdin: 'closed', env });
    expect(fast.stdout).toBe((await f.run(['demo-user'], { stdin: 'closed', env: { ...env, ...FULL } })).stdout);
    const expires = Number(/MFA_ENV_EXPIRES_AT='(\d+)'/.exec(fast.stdout)?.[1]);
    expect(expires).toBe(f.server.issued[0].expiresAtMs / 1000);
    expect(fast.stdout).toContain(`export MFA_ENV_RENEW_AT='${expires - 600}'`);
  });

  it('--clear, with and without a loaded session', async () => {
    const loaded = {
      MFA_ENV_SAVED: 'AWS_PROFILE',
      MFA_ENV_SAVED_AWS_PROFILE: 'work',
      MFA_ENV_PROFILE: 'demo-user',
      AWS_ACCESS_KEY_ID: 'ASIAX',
    };
    const record = {
      NODE_OPTIONS: `--require ${join(__dirname, '..', 'support', 'recordModules.js')}`,
      MFA_ENV_TEST_MODULES: join(f.home.home, 'clear-modules.txt'),
    };
    for (const env of [{}, loaded]) {
      for (const fish of [false, true]) {
        const args = ['--clear', ...(fish ? ['--shell', 'fish'] : [])];
        rmSync(record.MFA_ENV_TEST_MODULES, { force: true });
        const fast = await f.run(args, { env: { ...env, ...record } });
        expect(fast).toEqual(await f.run(args, { env: { ...env, ...FULL } }));
        expect(fast).toMatchObject({ status: 0, stderr: '' });
        // Served by the fast path itself, not handed on to the full CLI.
        const modules = readFileSync(record.MFA_ENV_TEST_MODULES, 'utf8').split('\n');
        expect([
          modules.some((m) => m.endsWith('/dist/cli.js')),
          modules.some((m) => m.endsWith('/dist/main.js')),
        ]).toEqual([true, false]);
        // Our variables unset; with a session loaded, its keys too and the saved AWS_PROFILE given back.
        const lines = fast.stdout.split('\n');
        const unset = (name: string) => (fish ? `set -e -g ${name}; or true` : `unset ${name}`);
        expect(lines).toEqual(
          expect.arrayContaining(['MFA_ENV_PROFILE', 'MFA_ENV_EXPIRES_AT', 'MFA_ENV_RENEW_AT'].map(unset)),
        );
        if (env === loaded)
          expect(lines).toEqual(
            expect.arrayContaining([
              unset('AWS_ACCESS_KEY_ID'),
              fish ? "set -gx AWS_PROFILE 'work'" : "export AWS_PROFILE='work'",
            ]),
          );
        else expect(fast.stdout).not.toContain('AWS_');
      }
    }
  });

  it('errors still come from the full CLI: a profile with --clear, a command word, a bad shell', async () => {
    await warm();
    expect((await f.run(['--clear', 'demo-user'])).status).toBe(2);
    expect((await f.run(['--shell', 'tcsh', 'demo-user'])).status).toBe(2);
    expect((await f.run(['demo-user', 'admin'])).status).toBe(2);
    // "list" is the command, not a profile of that name.
    expect((await f.run(['list'])).stdout).toContain('demo-user');
  });

  it('COMMAND_NAMES lists exactly the commands the full CLI has: those --help shows, and the hidden ones', async () => {
    const help = (await f.run(['--help'])).stderr + (await f.run(['--help'])).stdout;
    const commands = [...help.matchAll(/^ {2}mfa-env ([a-z_]+)\b/gm)].map((m) => m[1]);
    // Hidden from --help: the shell integration's own (its profile functions, completion).
    const hidden = Object.entries(COMMANDS)
      .filter(([name, spec]) => name !== '$0' && spec.describe === false)
      .map(([name]) => name);
    expect(hidden.sort()).toEqual(['__complete', '__profiles']);
    expect(commands.sort()).toEqual(COMMAND_NAMES.filter((name) => !hidden.includes(name)).sort());
    // Hidden, but a command all the same, not a profile name.
    expect(await f.run(['__complete', 'bash', '--', ' ', 'mfa-env st'])).toMatchObject({
      status: 0,
      stdout: 'status\n',
    });
  });
});

describe('the memo never serves what the full CLI would not', () => {
  /** Runs without any way to get a code: exit 0 only when served from the cache. */
  const cachedRun = (args: string[], env: Record<string, string> = {}) =>
    f.run(['--no-input', ...args], { stdin: 'closed', env });

  it('is written after a success, holds no secret, and is 0600', async () => {
    expect((await f.run(['demo-user', '-t', '000000'])).status).not.toBe(0);
    expect(memos()).toEqual([]);
    await warm();
    expect(memos()).toHaveLength(2);
    for (const name of memos()) {
      const file = join(plansDir(), name);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      const text = readFileSync(file, 'utf8');
      expect(text).not.toContain(DEMO_USER.secretAccessKey);
      for (const issued of f.server.issued) {
        expect(text).not.toContain(issued.secretAccessKey);
        expect(text).not.toContain(issued.sessionToken);
        expect(text).not.toContain(issued.accessKeyId);
      }
    }
    expect(statSync(plansDir()).mode & 0o777).toBe(0o700);
  });

  it('a changed config file is read again (the new region shows), with no new code', async () => {
    await warm();
    f.home.write({
      config: readFileSync(f.home.configPath, 'utf8').replace('region = us-west-2', 'region = ap-south-1'),
    });
    const result = await cachedRun(['admin']);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("export AWS_REGION='ap-south-1'");
  });

  it('new keys of the same length, with the old file times put back: not served the old session', async () => {
    await warm();
    const before = statSync(f.home.credentialsPath);
    const other = DEMO_USER.accessKeyId.replace('EXAMPLE', 'EXAMPLF');
    writeFileSync(
      f.home.credentialsPath,
      readFileSync(f.home.credentialsPath, 'utf8').replace(DEMO_USER.accessKeyId, other),
    );
    utimesSync(f.home.credentialsPath, before.atime, before.mtime);
    expect(statSync(f.home.credentialsPath).size).toBe(before.size);
    // Other keys make another MFA session: without a code, no session at all.
    expect((await cachedRun(['demo-user'])).status).toBe(4);
  });

  it('a config file swapped in by rename is read again', async () => {
    await warm();
    const copy = `${f.home.configPath}.new`;
    writeFileSync(copy, readFileSync(f.home.configPath, 'utf8').replace('region = eu-west-1', 'region = eu-north-1'));
    renameSync(copy, f.home.configPath);
    expect((await cachedRun(['demo-user'])).stdout).toContain("export AWS_REGION='eu-north-1'");
  });

  it.each([
    ['AWS_ENDPOINT_URL_STS', 'http://127.0.0.1:1'],
    ['AWS_CONFIG_FILE', '/nonexistent/config'],
    ['AWS_SHARED_CREDENTIALS_FILE', '/nonexistent/credentials'],
  ])('%s changed: resolved again (and refused or asked for a code, never the old session)', async (name, value) => {
    await warm();
    const result = await cachedRun(['demo-user'], { [name]: value });
    expect(result.status).not.toBe(0);
    expect(result.stdout).toBe('');
  });

  it('an environment value read during resolution changes the answer: AWS_REGION', async () => {
    await warm();
    // A region the SDKs would refuse is refused by the full CLI; the memo must not hide that.
    const result = await cachedRun(['demo-user'], { AWS_REGION: 'not a region' });
    expect(result.status).toBe(3);
    expect(result.stdout).toBe('');
  });

  it('a memo that names a file outside the cache, or that others may read, is ignored', async () => {
    await warm();
    const [name] = memos().filter((n) => readFileSync(join(plansDir(), n), 'utf8').includes('"profile":"demo-user"'));
    const file = join(plansDir(), name);
    const memo = JSON.parse(readFileSync(file, 'utf8'));
    const planted = join(f.home.home, 'planted.json');
    writeFileSync(planted, readFileSync(memo.result.sessionFile, 'utf8').replace(/"region"/, '"region"'), {
      mode: 0o600,
    });
    writeFileSync(
      file,
      JSON.stringify({ ...memo, result: { ...memo.result, sessionFile: planted, region: 'evil-1' } }),
      { mode: 0o600 },
    );
    const served = await cachedRun(['demo-user']);
    expect(served.status).toBe(0);
    expect(served.stdout).toContain("export AWS_REGION='eu-west-1'");

    writeFileSync(file, JSON.stringify({ ...memo, result: { ...memo.result, region: 'evil-1' } }));
    chmodSync(file, 0o644);
    expect((await cachedRun(['demo-user'])).stdout).toContain("export AWS_REGION='eu-west-1'");
  });

  it('a corrupt memo is ignored and replaced', async () => {
    await warm();
    for (const name of memos()) writeFileSync(join(plansDir(), name), '{"version":1,', { mode: 0o600 });
    const result = await cachedRun(['demo-user']);
    expect(result.status).toBe(0);
    expect(result.stderr).toBe('');
    expect(memos().some((name) => readFileSync(join(plansDir(), name), 'utf8').includes('"result"'))).toBe(true);
  });

  it('MFA_ENV_NO_CACHE=1 writes no memo; forget deletes them', async () => {
    expect((await f.run(['demo-user', '-t', f.code()], { env: { MFA_ENV_NO_CACHE: '1' } })).status).toBe(0);
    expect(memos()).toEqual([]);
    await warm();
    expect(memos()).toHaveLength(2);
    expect((await f.run(['forget'])).status).toBe(0);
    expect(memos()).toEqual([]);
  });

  it('an expired session is not served, however fresh the memo', async () => {
    await warm();
    expect((await cachedRun(['demo-user'], { MFA_ENV_MIN_TTL: '13h' })).status).toBe(4);
  });
});
