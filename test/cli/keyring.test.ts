// Long-term keys in the OS keyring (`mfa-env keys`), against a real Secret Service: gnome-keyring-daemon on a D-Bus
// session bus of the test's own (test/support/secretService.ts), unlocked, in a throwaway home. Keys are added,
// imported (the files changed only by the removed lines), used to get sessions from the test STS server, exported
// and removed; without a Secret Service every command says what to do in one line.
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ACCOUNT, DEMO_USER, type Fixture, startFixture } from '../support/fixture';
import { Pty } from '../support/pty';
import type { CliOptions } from '../support/runCli';
import { type SecretService, startSecretService } from '../support/secretService';
import { evalInShell } from '../support/shells';

// Each test starts a Secret Service and runs mfa-env a dozen times, a terminal or a shell among them.
jest.setTimeout(90000);

const ROLE = `arn:aws:iam::${ACCOUNT}:role/admin`;
const KEY_LINES = `aws_access_key_id = ${DEMO_USER.accessKeyId}\naws_secret_access_key = ${DEMO_USER.secretAccessKey}\n`;
const STORED = { version: 1, accessKeyId: DEMO_USER.accessKeyId, secretAccessKey: DEMO_USER.secretAccessKey };

let f: Fixture;
let ss: SecretService;
let pty: Pty | undefined;

beforeEach(async () => {
  f = await startFixture({ roles: [{ arn: ROLE, requireMfa: true }] });
  f.home.write({
    config: `${readFileSync(f.home.configPath, 'utf8')}\n[profile admin]\nrole_arn = ${ROLE}\nsource_profile = demo-user\nendpoint_url = ${f.server.url}\n`,
  });
  ss = await startSecretService();
});
afterEach(async () => {
  pty?.kill();
  pty = undefined;
  await ss.stop();
  await f.stop();
});

/** mfa-env with the test's Secret Service reachable. */
const run = (args: string[], options: Partial<CliOptions> = {}) =>
  f.run(args, { ...options, env: { ...ss.env, ...options.env } });
const stored = (account = 'demo-user') => {
  const text = ss.get(account);
  return text === null ? null : JSON.parse(text);
};
const credentials = () => readFileSync(f.home.credentialsPath, 'utf8');
/** Every file under ~/.aws holding the secret key, temp files included. */
const filesWithSecret = () =>
  readdirSync(join(f.home.home, '.aws')).filter((name) =>
    readFileSync(join(f.home.home, '.aws', name), 'utf8').includes(DEMO_USER.secretAccessKey),
  );

/** A session for `profile` with a fresh code: it must be made with the demo user's keys, wherever they were kept. */
async function sessionWithKeys(profile = 'demo-user', extra: string[] = []): Promise<void> {
  f.server.resetCalls();
  const result = await run([profile, '-t', f.code(), ...extra]);
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  // The server checks the SigV4 signature: a call it answered was signed with the right secret.
  expect(f.server.calls[0]).toMatchObject({
    action: 'GetSessionToken',
    accessKeyId: DEMO_USER.accessKeyId,
    status: 200,
  });
  expect(evalInShell('sh', result.stdout, f.home.env).AWS_SESSION_TOKEN).toBe(f.server.lastIssued()!.sessionToken);
}

describe('keys import', () => {
  const before = [
    '# my keys, by hand',
    '[other]',
    'aws_access_key_id = AKIAOTHERKEY00000000',
    'aws_secret_access_key = otherSecretKey0000000000000000000000000',
    '',
    '[demo-user]',
    '; the demo user',
    `aws_access_key_id   =   ${DEMO_USER.accessKeyId}`,
    'output = json',
    `aws_secret_access_key=${DEMO_USER.secretAccessKey}`,
    '',
    '[last]',
    'x = 1',
    '',
  ];

  it('moves the keys into the keyring, removing only their two lines (mode kept), and sessions come with them', async () => {
    writeFileSync(f.home.credentialsPath, before.join('\n'));
    chmodSync(f.home.credentialsPath, 0o640);
    const result = await run(['keys', 'import', 'demo-user']);
    expect(result).toMatchObject({ status: 0, stdout: '' });
    expect(result.stderr).toBe(
      `mfa-env: moved the keys ...MPLE of profile "demo-user" from "${f.home.credentialsPath}" into the OS keyring\n`,
    );
    expect(credentials()).toBe(
      before
        .filter((line) => !line.includes(DEMO_USER.accessKeyId) && !line.includes(DEMO_USER.secretAccessKey))
        .join('\n'),
    );
    expect(statSync(f.home.credentialsPath).mode & 0o777).toBe(0o640);
    expect(stored()).toEqual(STORED);
    expect(filesWithSecret()).toEqual([]);
    await sessionWithKeys();
  });

  it('a CRLF file keeps its line ends; keys in the config file are taken from there', async () => {
    writeFileSync(f.home.credentialsPath, `[other]\r\nx = 1\r\n`);
    const config = readFileSync(f.home.configPath, 'utf8');
    writeFileSync(f.home.configPath, config.replace('[profile demo-user]\n', `[profile demo-user]\n${KEY_LINES}`));
    expect((await run(['keys', 'import', 'demo-user'])).status).toBe(0);
    expect(readFileSync(f.home.configPath, 'utf8')).toBe(config);
    expect(credentials()).toBe(`[other]\r\nx = 1\r\n`);
    expect(stored()).toEqual(STORED);

    writeFileSync(f.home.credentialsPath, `[demo-user]\r\n${KEY_LINES.replace(/\n/g, '\r\n')}[x]\r\ny = 2\r\n`);
    expect((await run(['keys', 'remove', 'demo-user', '--yes'])).status).toBe(0);
    expect((await run(['keys', 'import', 'demo-user'])).status).toBe(0);
    expect(credentials()).toBe('[demo-user]\r\n[x]\r\ny = 2\r\n');
    await sessionWithKeys();
  });

  it("aws-mfa's NAME-long-term: its keys go to the keyring, and NAME, holding temporary keys, is served from there", async () => {
    const file = [
      '[demo-user]',
      'aws_access_key_id = ASIATEMPORARY0000000',
      'aws_secret_access_key = temporarySecret000000000000000000000000',
      'aws_session_token = token',
      '',
      '[demo-user-long-term]',
      `${KEY_LINES}aws_mfa_device = ${DEMO_USER.serial}`,
      '',
    ].join('\n');
    writeFileSync(f.home.credentialsPath, file);
    // The device too is aws-mfa's, in the -long-term section: it must still be found once that holds no keys.
    writeFileSync(
      f.home.configPath,
      readFileSync(f.home.configPath, 'utf8').replace(`mfa_serial = ${DEMO_USER.serial}\n`, ''),
    );
    expect((await run(['keys', 'import', 'demo-user'])).status).toBe(0);
    expect(credentials()).toBe(file.replace(KEY_LINES, ''));
    expect(stored('demo-user')).toEqual(STORED);
    await sessionWithKeys();
    // aws-mfa's own way of using it, writing the session into [NAME], still works: that is not where the keys are.
    const written = await run(['demo-user', '--write-profile', 'demo-user']);
    expect(written.stderr).toMatch(/^mfa-env: wrote the session of profile "demo-user" to profile "demo-user"/);
    expect(written.status).toBe(0);
    writeFileSync(f.home.credentialsPath, file.replace(KEY_LINES, ''));
    // And back where aws-mfa keeps them, not beside the temporary keys.
    const exported = await run(['keys', 'export', 'demo-user-long-term']);
    expect(exported.stderr).toContain('into [demo-user-long-term]');
    expect(credentials()).toBe(
      file
        .replace(KEY_LINES, '')
        .replace(`aws_mfa_device = ${DEMO_USER.serial}\n`, `aws_mfa_device = ${DEMO_USER.serial}\n${KEY_LINES}`),
    );
    expect(stored('demo-user')).toBeNull();
  });

  it('finishes a move that was stopped after the keyring had the keys; refuses when it holds others', async () => {
    ss.set('demo-user', JSON.stringify(STORED));
    const original = credentials();
    expect((await run(['keys', 'import', 'demo-user'])).status).toBe(0);
    expect(credentials()).toBe(original.replace(KEY_LINES, ''));

    writeFileSync(f.home.credentialsPath, original);
    const other = { ...STORED, accessKeyId: 'AKIAOTHERKEY0000WXYZ' };
    ss.set('demo-user', JSON.stringify(other));
    const refused = await run(['keys', 'import', 'demo-user']);
    expect(refused.status).toBe(3);
    expect(refused.stderr).toMatch(
      /^mfa-env: the OS keyring holds other keys \(\.\.\.WXYZ\) for profile "demo-user" than .* \(\.\.\.MPLE\); keep one pair/,
    );
    expect(credentials()).toBe(original);
    expect(stored()).toEqual(other);
  });

  it('refuses what it cannot move cleanly, changing nothing: no keys, a role, two different pairs, a key written twice', async () => {
    const original = credentials();
    const config = readFileSync(f.home.configPath, 'utf8');
    const check = async (args: string[], status: number, message: RegExp) => {
      const result = await run(args);
      expect(result.stderr).toMatch(message);
      // One line, and for a usage error the pointer to --help.
      expect(result.stderr.split('\n')).toHaveLength(status === 2 ? 3 : 2);
      expect(result).toMatchObject({ status, stdout: '' });
      expect(stored()).toBeNull();
    };
    await check(
      ['keys', 'import', 'admin'],
      2,
      /profile "admin" is a role; it uses the keys of profile "demo-user": mfa-env keys import demo-user/,
    );
    await check(
      ['keys', 'import', 'nobody'],
      3,
      /profile "nobody" has no keys in .* to import; to type them in: mfa-env keys add nobody/,
    );
    writeFileSync(
      f.home.configPath,
      config.replace(
        '[profile demo-user]\n',
        `[profile demo-user]\naws_access_key_id = AKIAOTHERKEY00000000\naws_secret_access_key = x${DEMO_USER.secretAccessKey}\n`,
      ),
    );
    await check(['keys', 'import', 'demo-user'], 3, /profile "demo-user" has two different pairs of keys/);
    expect(credentials()).toBe(original);
    writeFileSync(f.home.configPath, config);
    writeFileSync(f.home.credentialsPath, `[demo-user]\n${KEY_LINES}aws_access_key_id = ${DEMO_USER.accessKeyId}\n`);
    await check(
      ['keys', 'import', 'demo-user'],
      3,
      /cannot write \[demo-user\] in ".*credentials" as asked: the AWS SDKs would read the result differently \(check for a duplicate section\); nothing was changed/,
    );
    expect(filesWithSecret()).toEqual(['credentials']);
  });
});

describe('keys add', () => {
  beforeEach(() => f.home.write({ credentials: '' }));

  it('asks for the key id and the secret on the terminal, showing neither', async () => {
    pty = new Pty('mfa-env keys add demo-user; echo "status=$?"', { env: { ...f.home.env, ...ss.env } });
    await pty.waitFor('Access key id for profile demo-user:');
    pty.type(`${DEMO_USER.accessKeyId}\r`);
    await pty.waitFor('Secret access key:');
    pty.type(`${DEMO_USER.secretAccessKey}\r`);
    await pty.waitFor('status=');
    expect(pty.output).toContain('mfa-env: added the keys ...MPLE of profile "demo-user" to the OS keyring');
    expect(pty.output).toContain('status=0');
    expect(pty.output).not.toContain(DEMO_USER.accessKeyId);
    expect(pty.output).not.toContain(DEMO_USER.secretAccessKey);
    expect(stored()).toEqual(STORED);
    expect(credentials()).toBe('');
    await sessionWithKeys();
    // A role on top: one code for the MFA session, the role assumed from it.
    f.server.resetCalls();
    expect((await run(['admin'], { stdin: 'closed' })).status).toBe(0);
    expect(f.server.calls.map((c) => c.action)).toEqual(['AssumeRole']);
  });

  it('reads two piped lines for scripts; refuses a bad key id without showing it, and keys it would not use', async () => {
    const bad = await run(['keys', 'add', 'demo-user'], { stdin: `not-a-key\n${DEMO_USER.secretAccessKey}\n` });
    expect(bad).toMatchObject({ status: 3, stdout: '' });
    expect(bad.stderr).toBe(
      "mfa-env: the access key id entered is not an access key id (IAM's are 20 capital letters and digits, starting with AKIA)\n",
    );
    expect(stored()).toBeNull();

    const noInput = await run(['keys', 'add', 'demo-user'], { stdin: 'null' });
    expect(noInput.status).toBe(4);
    expect(noInput.stderr).toMatch(
      /asks for the keys on the terminal and there is none; run it in a terminal, or pipe/,
    );

    const added = await run(['keys', 'add', 'demo-user'], {
      stdin: `${DEMO_USER.accessKeyId}\n${DEMO_USER.secretAccessKey}\n`,
    });
    expect(added).toMatchObject({ status: 0, stdout: '' });
    expect(added.stderr).not.toContain(DEMO_USER.secretAccessKey);
    expect(stored()).toEqual(STORED);
    const again = await run(['keys', 'add', 'demo-user'], {
      stdin: `AKIAOTHERKEY00000000\n${DEMO_USER.secretAccessKey}\n`,
    });
    expect(again.status).toBe(3);
    expect(again.stderr).toMatch(
      /holds keys \(\.\.\.MPLE\) for profile "demo-user" already; to replace them: mfa-env keys remove demo-user/,
    );
    expect(stored()).toEqual(STORED);

    // Keys in the files win over the keyring: adding more would add keys that are never used.
    f.home.write({ credentials: `[demo-user]\n${KEY_LINES}` });
    expect((await run(['keys', 'remove', 'demo-user', '--yes'])).status).toBe(0);
    const shadowed = await run(['keys', 'add', 'demo-user'], {
      stdin: `${DEMO_USER.accessKeyId}\n${DEMO_USER.secretAccessKey}\n`,
    });
    expect(shadowed.status).toBe(3);
    expect(shadowed.stderr).toMatch(
      /has keys \(\.\.\.MPLE\) in .* already; to move them into the OS keyring: mfa-env keys import demo-user/,
    );
  });

  it('a profile name is only the account: quotes, spaces and $(...) are kept as they are and never run', async () => {
    const name = `we'ird "n" $(touch pwned) \`x\``;
    f.home.write({ credentials: `[${name}]\nmfa_serial = ${DEMO_USER.serial}\nendpoint_url = ${f.server.url}\n` });
    const added = await run(['keys', 'add', name], {
      stdin: `${DEMO_USER.accessKeyId}\n${DEMO_USER.secretAccessKey}\n`,
    });
    expect(added.status).toBe(0);
    expect(stored(name)).toEqual(STORED);
    await sessionWithKeys(name);
    expect((await run(['keys', 'list'])).stdout).toContain(`${name}  ...MPLE`);
    expect(existsSync(join(f.home.home, 'pwned'))).toBe(false);
  });
});

describe('keys list, remove, export', () => {
  it('list shows profiles by the last 4 characters of their key ids, never a secret, and notes keys the files hold too', async () => {
    expect((await run(['keys', 'import', 'demo-user'])).status).toBe(0);
    expect(
      (
        await run(['keys', 'add', 'second'], {
          stdin: `AKIASECONDKEY000ABCD\nsecondSecret0000000000000000000000000000\n`,
        })
      ).status,
    ).toBe(0);
    ss.set('foreign', 'not json');
    f.home.write({
      credentials: `[second]\naws_access_key_id = AKIASECONDKEY000ABCD\naws_secret_access_key = secondSecret0000000000000000000000000000\n`,
    });
    const listed = await run(['keys', 'list']);
    expect(listed.status).toBe(0);
    expect(listed.stdout.split('\n')).toEqual([
      'PROFILE    ACCESS KEY  NOTE',
      expect.stringMatching(/^demo-user {2}\.\.\.MPLE$/),
      expect.stringMatching(
        /^foreign {4}- {11}the OS keyring entry of profile "foreign" \(service "mfa-env"\) does not hold keys mfa-env wrote; remove it/,
      ),
      'second     ...ABCD     the AWS files hold keys (...ABCD) for it too, and win; mfa-env keys import second finishes a move',
      '',
    ]);
    for (const secret of [DEMO_USER.secretAccessKey, DEMO_USER.accessKeyId, 'AKIASECONDKEY000ABCD', 'secondSecret'])
      expect(listed.stdout + listed.stderr).not.toContain(secret);
    // An entry that is not mfa-env's can still be removed.
    expect((await run(['keys', 'remove', 'foreign', '--yes'])).status).toBe(0);
    expect(ss.get('foreign')).toBeNull();
  });

  it('an entry is checked like any key from outside before it is used, and never shown', async () => {
    f.home.write({
      config: `${readFileSync(f.home.configPath, 'utf8')}\n[profile planted]\nmfa_serial = ${DEMO_USER.serial}\nendpoint_url = ${f.server.url}\n`,
    });
    ss.set(
      'planted',
      JSON.stringify({ version: 1, accessKeyId: 'AKIA$(touch pwned)', secretAccessKey: 'planted-secret-0000000000' }),
    );
    const used = await run(['planted', '-t', f.code()]);
    expect(used).toMatchObject({ status: 3, stdout: '' });
    expect(used.stderr).toBe(
      'mfa-env: the OS keyring entry of profile "planted" is not an access key id (IAM\'s are 20 capital letters and digits, starting with AKIA)\n',
    );
    ss.set(
      'planted',
      JSON.stringify({ version: 1, accessKeyId: DEMO_USER.accessKeyId, secretAccessKey: 'planted\nsecret-0000000000' }),
    );
    expect((await run(['planted', '-t', f.code()])).stderr).toBe(
      'mfa-env: the OS keyring entry of profile "planted" is not a secret access key (IAM\'s are 40 characters of letters, digits, + and /)\n',
    );
    ss.set('planted', 'x'.repeat(5000));
    expect((await run(['planted', '-t', f.code()])).stderr).toMatch(
      /^mfa-env: the OS keyring entry of profile "planted" \(service "mfa-env"\) does not hold keys mfa-env wrote; remove it/,
    );
    expect(f.server.calls).toEqual([]);
    expect(existsSync(join(f.home.home, 'pwned'))).toBe(false);
  });

  it('remove asks first (--yes does not), and the profile stops working at once, a cached session notwithstanding', async () => {
    expect((await run(['keys', 'import', 'demo-user'])).status).toBe(0);
    await sessionWithKeys();
    // Served from the cache (the fast path) with no code.
    expect((await run(['demo-user', '--no-input'], { stdin: 'closed' })).status).toBe(0);

    const unasked = await run(['keys', 'remove', 'demo-user']);
    expect(unasked.status).toBe(4);
    expect(unasked.stderr).toMatch(/asks for confirmation on the terminal and there is none; pass --yes/);
    pty = new Pty('mfa-env keys remove demo-user; echo "status=$?"', { env: { ...f.home.env, ...ss.env } });
    await pty.waitFor(
      'Delete the keys ...MPLE of profile demo-user from the OS keyring? They are in no AWS file, and IAM never shows a secret key again. [y/N]',
    );
    pty.type('n\r');
    await pty.waitFor('status=0');
    expect(pty.output).toContain('nothing removed');
    expect(stored()).toEqual(STORED);

    const removed = await run(['keys', 'remove', 'demo-user', '--yes']);
    expect(removed).toMatchObject({
      status: 0,
      stderr: 'mfa-env: removed the keys ...MPLE of profile "demo-user" from the OS keyring\n',
    });
    expect(stored()).toBeNull();
    const after = await run(['demo-user', '--no-input'], { stdin: 'closed' });
    expect(after).toMatchObject({ status: 3, stdout: '' });
    expect(after.stderr).toMatch(
      /^mfa-env: profile "demo-user" has no aws_access_key_id; .* or to the OS keyring \(mfa-env keys add demo-user\)\n$/,
    );
    expect((await run(['keys', 'remove', 'demo-user', '--yes'])).stderr).toBe(
      'mfa-env: the OS keyring holds no keys for profile "demo-user"\n',
    );
  });

  it('export writes them back to the credentials file (as it was before the import) and empties the keyring', async () => {
    const original = credentials();
    expect((await run(['keys', 'import', 'demo-user'])).status).toBe(0);
    const exported = await run(['keys', 'export', 'demo-user']);
    expect(exported.stderr).toBe(
      `mfa-env: moved the keys ...MPLE of profile "demo-user" from the OS keyring into [demo-user] of "${f.home.credentialsPath}"\n`,
    );
    expect(credentials()).toBe(original);
    expect(stored()).toBeNull();
    await sessionWithKeys('demo-user', ['--refresh']);
    // Exporting keys the file holds already (a stopped export) only empties the keyring.
    ss.set('demo-user', JSON.stringify(STORED));
    expect((await run(['keys', 'export', 'demo-user'])).status).toBe(0);
    expect(credentials()).toBe(original);
    expect(stored()).toBeNull();
    expect((await run(['keys', 'export', 'demo-user'])).stderr).toBe(
      'mfa-env: the OS keyring holds no keys for profile "demo-user"\n',
    );
  });

  it("forget ROLE finds the source's MFA session without opening the keyring", async () => {
    expect((await run(['keys', 'import', 'demo-user'])).status).toBe(0);
    expect((await run(['admin', '-t', f.code()])).status).toBe(0);
    const forgot = await f.run(['forget', 'admin'], { env: { DBUS_SESSION_BUS_ADDRESS: undefined } });
    expect(forgot).toMatchObject({ status: 0, stderr: 'mfa-env: forgot 2 cached sessions for profile "admin"\n' });
    expect((await run(['admin', '--no-input'], { stdin: 'closed' })).status).toBe(4);
  });

  it('usage: list takes no profile, the others need one', async () => {
    expect((await run(['keys', 'list', 'demo-user'])).status).toBe(2);
    expect((await run(['keys', 'add'])).stderr).toMatch(/^mfa-env: mfa-env keys add needs a profile/);
    expect((await run(['keys', 'frobnicate', 'x'])).status).toBe(2);
    // Completion offers the actions, from the same table.
    expect((await run(['__complete', 'bash', '--', ' ', 'mfa-env keys '])).stdout).toBe(
      'add\nimport\nlist\nremove\nexport\n',
    );
  });
});

describe('what loads the keyring', () => {
  async function modulesLoadedBy(args: string[]): Promise<string[]> {
    const file = join(f.home.home, `modules-${Math.random()}.txt`);
    const result = await run(args, {
      stdin: 'closed',
      env: {
        NODE_OPTIONS: `--require ${join(__dirname, '..', 'support', 'recordModules.js')}`,
        MFA_ENV_TEST_MODULES: file,
      },
    });
    expect(result.status).toBe(0);
    return readFileSync(file, 'utf8').split('\n');
  }
  const addon = (modules: string[]) => modules.filter((m) => m.includes('@napi-rs/keyring'));

  it('the full CLI loads it for a profile whose keys are there; a cached session, --clear and the shell functions never do', async () => {
    expect((await run(['keys', 'import', 'demo-user'])).status).toBe(0);
    expect(addon(await modulesLoadedBy(['demo-user', '-t', f.code()]))).not.toEqual([]);
    expect(addon(await modulesLoadedBy(['demo-user']))).toEqual([]);
    // A role's first run resolves it, keys and all (the MFA session's cache entry is named after the key id) ...
    expect(addon(await modulesLoadedBy(['admin']))).not.toEqual([]);
    // ... and from then on its session comes from the cache.
    expect(addon(await modulesLoadedBy(['admin']))).toEqual([]);
    expect(addon(await modulesLoadedBy(['--clear']))).toEqual([]);
    expect(addon(await modulesLoadedBy(['__profiles', 'bash', '--print']))).toEqual([]);
    // Nor does a profile whose keys are in the files.
    f.home.write({ credentials: `[demo-user]\n${KEY_LINES}` });
    expect(addon(await modulesLoadedBy(['demo-user', '-t', f.code(), '--refresh']))).toEqual([]);
  });
});

describe('the shell functions of keyring profiles', () => {
  const functions = async () => {
    const result = await run(['__profiles', 'bash', '--print']);
    expect(result.status).toBe(0);
    return [...result.stdout.matchAll(/ function (mfa-\S+) \{/g)].map((m) => m[1]);
  };

  it('a profile gets one when the keyring index names it, without the keyring being opened; it goes with the keys', async () => {
    expect(await functions()).toEqual(expect.arrayContaining(['mfa-demo-user', 'mfa-admin']));
    f.home.write({ credentials: '' });
    expect(await functions()).toEqual([]);
    expect(
      (await run(['keys', 'add', 'demo-user'], { stdin: `${DEMO_USER.accessKeyId}\n${DEMO_USER.secretAccessKey}\n` }))
        .status,
    ).toBe(0);
    expect(await functions()).toEqual(expect.arrayContaining(['mfa-demo-user', 'mfa-admin']));
    expect((await run(['keys', 'remove', 'demo-user', '--yes'])).status).toBe(0);
    expect(await functions()).toEqual([]);
    // Keys put there by other means (another tool, a lost cache directory) show up once `keys list` has seen them.
    ss.set('demo-user', JSON.stringify(STORED));
    expect(await functions()).toEqual([]);
    expect((await run(['keys', 'list'])).status).toBe(0);
    expect(await functions()).toEqual(expect.arrayContaining(['mfa-demo-user', 'mfa-admin']));
  });

  it('in bash: `keys add` and `keys remove`, which change no AWS file, make the memo anew; mfa-demo-user uses the keyring keys', async () => {
    const bash = (script: string) =>
      new Promise<{ status: number | null; out: string }>((resolve) => {
        const child = spawn(
          'bash',
          [
            '--noprofile',
            '--norc',
            '-c',
            `source '${join(__dirname, '..', '..', 'shell', 'mfa-env.bash')}'; ${script}`,
          ],
          {
            env: { ...f.home.env, ...ss.env },
            stdio: ['ignore', 'pipe', 'pipe'],
          },
        );
        let out = '';
        child.stdout.on('data', (d) => (out += d));
        child.stderr.on('data', (d) => (out += d));
        child.on('close', (status) => resolve({ status, out }));
      });
    f.home.write({ credentials: '' });
    expect(await bash('type -t mfa-demo-user || echo none')).toEqual({ status: 0, out: 'none\n' });
    expect(
      (await run(['keys', 'add', 'demo-user'], { stdin: `${DEMO_USER.accessKeyId}\n${DEMO_USER.secretAccessKey}\n` }))
        .status,
    ).toBe(0);
    expect(await bash('type -t mfa-demo-user')).toEqual({ status: 0, out: 'function\n' });
    const loaded = await bash(`mfa-demo-user -t ${f.code()} && echo "key=$AWS_ACCESS_KEY_ID"`);
    expect(loaded).toEqual({ status: 0, out: `key=${f.server.lastIssued()!.accessKeyId}\n` });
    expect((await run(['keys', 'remove', 'demo-user', '--yes'])).status).toBe(0);
    expect(await bash('type -t mfa-demo-user || echo none')).toEqual({ status: 0, out: 'none\n' });
  });
});

describe('list and the keyring', () => {
  it('a listing that took keys from the keyring is not remembered: the keyring can change without any file changing', async () => {
    expect((await run(['keys', 'import', 'demo-user'])).status).toBe(0);
    // Without the index naming it, only the keys the keyring gave tell that it had a part in the listing.
    rmSync(join(f.home.env.MFA_ENV_CACHE_DIR, 'keyring-profiles.json'));
    const listed = await run(['list', '--json']);
    expect(listed.status).toBe(0);
    expect(JSON.parse(listed.stdout)[0]).toMatchObject({ profile: 'demo-user', kind: 'user', source: 'demo-user' });
    expect(existsSync(join(f.home.env.MFA_ENV_CACHE_DIR, 'plans', 'listing.json'))).toBe(false);
  });
});

describe('without a Secret Service', () => {
  const noBus = { DBUS_SESSION_BUS_ADDRESS: undefined };
  const ADVICE =
    /install and start one \(Debian\/Ubuntu: apt install gnome-keyring dbus-user-session, then log in again; without a desktop: dbus-run-session with gnome-keyring-daemon --unlock, see the README\), or keep the keys in the AWS credentials file\n$/;

  it.each([
    [['keys', 'list']],
    [['keys', 'add', 'nobody']],
    [['keys', 'import', 'demo-user']],
    [['keys', 'export', 'demo-user']],
    [['keys', 'remove', 'demo-user', '--yes']],
  ])('%j: one line saying what to install or do, exit 3, nothing changed', async (args) => {
    const before = credentials();
    const result = await f.run(args, { env: noBus, stdin: `${DEMO_USER.accessKeyId}\n${DEMO_USER.secretAccessKey}\n` });
    expect(result).toMatchObject({ status: 3, stdout: '' });
    expect(result.stderr).toMatch(
      /^mfa-env: the OS keyring cannot be used: there is no D-Bus session bus \(DBUS_SESSION_BUS_ADDRESS is not set\), so no Secret Service; /,
    );
    expect(result.stderr).toMatch(ADVICE);
    expect(result.stderr.split('\n')).toHaveLength(2);
    expect(credentials()).toBe(before);
  });

  it('a profile whose keys were put in the keyring says the keyring is the problem; one without keys anywhere says so', async () => {
    expect((await run(['keys', 'import', 'demo-user'])).status).toBe(0);
    const noKeyring = await f.run(['demo-user', '-t', f.code()], { env: noBus });
    expect(noKeyring).toMatchObject({ status: 3, stdout: '' });
    expect(noKeyring.stderr).toMatch(
      /^mfa-env: the keys of profile "demo-user" are in the OS keyring, which cannot be used: there is no D-Bus session bus/,
    );
    expect(noKeyring.stderr).toMatch(ADVICE);
    f.home.write({
      config: `${readFileSync(f.home.configPath, 'utf8')}\n[profile keyless]\nmfa_serial = ${DEMO_USER.serial}\n`,
    });
    const keyless = await f.run(['keyless', '-t', f.code()], { env: noBus });
    expect(keyless.stderr).toBe(
      'mfa-env: profile "keyless" has no aws_access_key_id; add the IAM user\'s access keys to it (aws configure --profile keyless) or to the OS keyring (mfa-env keys add keyless)\n',
    );
    expect(keyless.status).toBe(3);
  });

  it('a bus address that leads nowhere, and a bus with no Secret Service on it', async () => {
    const stale = await f.run(['keys', 'list'], {
      env: { DBUS_SESSION_BUS_ADDRESS: `unix:path=${join(f.home.home, 'no-bus')}` },
    });
    expect(stale.status).toBe(3);
    expect(stale.stderr).toMatch(
      /^mfa-env: the OS keyring cannot be used: no Secret Service answers on the D-Bus session bus \(.*Failed to connect to socket .*\); install and start one/,
    );
    expect(stale.stderr.split('\n')).toHaveLength(2);

    // A session bus that starts no services, as on a machine without gnome-keyring.
    const config = join(f.home.home, 'bus.conf');
    writeFileSync(
      config,
      '<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN" "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">\n' +
        `<busconfig><type>session</type><listen>unix:dir=${f.home.home}</listen><policy context="default"><allow send_destination="*" eavesdrop="true"/><allow eavesdrop="true"/><allow own="*"/></policy></busconfig>\n`,
    );
    const bus = spawn('dbus-daemon', [`--config-file=${config}`, '--print-address=1', '--nofork'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    try {
      const address = await new Promise<string>((resolve) => {
        let out = '';
        bus.stdout.on('data', (d) => {
          out += d;
          if (out.includes('\n')) resolve(out.split('\n')[0]);
        });
      });
      const empty = await f.run(['keys', 'list'], { env: { DBUS_SESSION_BUS_ADDRESS: address } });
      expect(empty.status).toBe(3);
      expect(empty.stderr).toMatch(
        /^mfa-env: the OS keyring cannot be used: no Secret Service answers on the D-Bus session bus \(.*org\.freedesktop\.secrets.*\); install and start one/,
      );
      expect(empty.stderr.split('\n')).toHaveLength(2);
    } finally {
      bus.kill();
    }
  });
});
