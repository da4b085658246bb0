import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ACCOUNT, DEMO_USER, type Fixture, startFixture } from '../support/fixture';
import { evalInShell } from '../support/shells';

// The places where a newcomer stopped and guessed: each message names what is wrong and what to do instead.
// Every message is asserted as the exact line the user sees, with stdout empty and the exit code, on failure.

const ROLE = `arn:aws:iam::${ACCOUNT}:role/admin`;
let f: Fixture;

beforeEach(async () => {
  f = await startFixture({ roles: [{ arn: ROLE, requireMfa: true }] });
  f.home.write({
    config: [
      `[profile demo-user]\nmfa_serial = ${DEMO_USER.serial}\nendpoint_url = ${f.server.url}`,
      `[profile prod-admin]\nrole_arn = ${ROLE}\nsource_profile = demo-user\nendpoint_url = ${f.server.url}`,
      `[profile prod-readonly]\nrole_arn = ${ROLE}\nsource_profile = demo-user\nendpoint_url = ${f.server.url}`,
      // The README's own example of a profile for other tools.
      `[profile prod-mfa]\ncredential_process = mfa-env --format json prod-admin`,
    ].join('\n\n'),
  });
});
afterEach(() => f.stop());

const files = () => `"${f.home.configPath}" or "${f.home.credentialsPath}"`;
const PROFILES = '"demo-user", "prod-admin", "prod-readonly", "prod-mfa"';

/** Runs mfa-env with no terminal and nothing on stdin; expects a failure with exactly these stderr lines. */
async function fails(args: string[], status: number, lines: string[], env: Record<string, string> = {}): Promise<void> {
  const result = await f.run(args, { env, stdin: 'closed' });
  expect({ stderr: result.stderr, stdout: result.stdout, status: result.status }).toEqual({
    stderr: lines.map((l) => `${l}\n`).join(''),
    stdout: '',
    status,
  });
}

const USAGE = 'Run "mfa-env --help" for usage.';

describe('a profile that is not there', () => {
  it('a bare mfa-env with nothing loaded: says why "default", how to name one, and which there are', async () => {
    await fails([], 3, [
      `mfa-env: profile "default" (used when no profile is named, none is loaded in this shell and AWS_PROFILE is not set; name one: mfa-env PROFILE) not found in ${files()}; profiles there: ${PROFILES}`,
    ]);
  });

  it('a near miss is suggested: prod-amdin, Demo-User, prod-admn', async () => {
    await fails(['prod-amdin'], 3, [
      `mfa-env: profile "prod-amdin" not found in ${files()}; did you mean "prod-admin"? Profiles there: ${PROFILES}`,
    ]);
    await fails(['Demo-User'], 3, [
      `mfa-env: profile "Demo-User" not found in ${files()}; did you mean "demo-user"? Profiles there: ${PROFILES}`,
    ]);
    await fails(['-p', 'prod-admn'], 3, [
      `mfa-env: profile "prod-admn" not found in ${files()}; did you mean "prod-admin"? Profiles there: ${PROFILES}`,
    ]);
    // Nothing close: no guess.
    await fails(['staging'], 3, [`mfa-env: profile "staging" not found in ${files()}; profiles there: ${PROFILES}`]);
  });

  it('says where a name it was not given came from: AWS_PROFILE, or the session loaded in this shell', async () => {
    await fails(
      [],
      3,
      [
        `mfa-env: profile "prod-adm1n" (from AWS_PROFILE) not found in ${files()}; did you mean "prod-admin"? Profiles there: ${PROFILES}`,
      ],
      {
        AWS_PROFILE: 'prod-adm1n',
      },
    );
    await fails(
      [],
      3,
      [
        `mfa-env: profile "gone" (the profile loaded in this shell) not found in ${files()}; profiles there: ${PROFILES}`,
      ],
      {
        MFA_ENV_PROFILE: 'gone',
        MFA_ENV_SAVED: '',
      },
    );
  });

  it('a source_profile that is not there gets the same help', async () => {
    f.home.write({
      config: `[profile r]\nrole_arn = ${ROLE}\nsource_profile = demo-usr\n\n[profile demo-user]\nmfa_serial = ${DEMO_USER.serial}\n`,
    });
    await fails(['r'], 3, [
      `mfa-env: source_profile "demo-usr" of profile "r" not found in ${files()}; did you mean "demo-user"? Profiles there: "r", "demo-user"`,
    ]);
  });

  it('with 5,000 profiles, the first five and a count, not 5,000 names', async () => {
    const config: string[] = [];
    for (let i = 0; i < 5000; i++) config.push(`[profile team-${i}]\nmfa_serial = ${DEMO_USER.serial}\n`);
    writeFileSync(f.home.configPath, config.join('\n'));
    await fails(['team-4999x'], 3, [
      `mfa-env: profile "team-4999x" not found in ${files()}; did you mean "team-4999"? Profiles there: "team-0", "team-1", "team-2", "team-3", "team-4" and 4,996 more (mfa-env list)`,
    ]);
  });

  it('empty files: says there are no profiles at all', async () => {
    f.home.write({ config: '', credentials: '' });
    await fails(['demo-user'], 3, [
      `mfa-env: profile "demo-user" not found in ${files()}; neither file has any profile (are AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE right?)`,
    ]);
  });
});

describe('a credential_process profile (credentials for other tools)', () => {
  it('mfa-env PROFILE says what it is, not to add access keys', async () => {
    await fails(['prod-mfa'], 3, [
      `mfa-env: profile "prod-mfa" gets its credentials from credential_process, which is for the AWS CLI and SDKs to run; mfa-env serves the profile with the IAM user's keys and mfa_serial, or a role on it (mfa-env list shows them)`,
    ]);
  });

  it('list shows it as such, with every SOURCE filled as --json has it', async () => {
    const list = await f.run(['list']);
    expect(list.stdout).toBe(
      [
        'PROFILE        KIND     SOURCE     MFA DEVICE                               CACHED SESSION',
        'demo-user      user     demo-user  arn:aws:iam::123456789012:mfa/demo-user',
        'prod-admin     role     demo-user  arn:aws:iam::123456789012:mfa/demo-user',
        'prod-readonly  role     demo-user  arn:aws:iam::123456789012:mfa/demo-user',
        'prod-mfa       process                                                      credential_process, run by the AWS CLI and SDKs',
        '',
      ].join('\n'),
    );
    const json = JSON.parse((await f.run(['list', '--json'])).stdout);
    expect(json.map((r: { profile: string; kind?: string; source?: string }) => [r.profile, r.kind, r.source])).toEqual(
      [
        ['demo-user', 'user', 'demo-user'],
        ['prod-admin', 'role', 'demo-user'],
        ['prod-readonly', 'role', 'demo-user'],
        ['prod-mfa', 'process', undefined],
      ],
    );
  });

  it('run as credential_process with no terminal: suggests what works there (mfa_prompt, mfa_process, --mfa-process)', async () => {
    await fails(['--format', 'json', 'prod-admin'], 4, [
      'mfa-env: profile "prod-admin" needs an MFA code and there is no terminal to ask on; for credential_process, give the profile an mfa_prompt (a desktop dialog) or an mfa_process (a command that prints the code), or add --mfa-process COMMAND to its credential_process line',
    ]);
    // Elsewhere, the usual advice.
    await fails(['prod-admin'], 4, [
      'mfa-env: profile "prod-admin" needs an MFA code and there is no terminal to ask on; pass --token-code CODE or pipe the code on stdin',
    ]);
  });
});

describe('--no-input and --no-cache', () => {
  it('status and list take them (scripts pass them everywhere); --no-cache leaves the cache unread', async () => {
    const loaded = evalInShell('bash', (await f.run(['demo-user', '-t', f.code()])).stdout, f.home.env);
    for (const args of [
      ['--no-input', 'status'],
      ['status', '--no-input'],
      ['list', '--no-input'],
      ['--no-input', 'list'],
    ]) {
      const result = await f.run(args, { env: loaded });
      expect([args, result.status, result.stderr]).toEqual([args, 0, '']);
    }
    expect((await f.run(['list'])).stdout).toMatch(/^demo-user +user +demo-user +\S+ +(11h59m|12h00m) left$/m);
    const unread = await f.run(['--no-cache', 'list']);
    expect(unread.status).toBe(0);
    expect(unread.stdout).toMatch(/^demo-user +user +demo-user +arn:aws:iam::123456789012:mfa\/demo-user$/m);
    expect((await f.run(['status', '--no-cache'], { env: loaded })).stdout).toContain(
      'renewal:  needs an MFA code (the session cache is off)\n',
    );
  });

  it('on a command that has no use for them, says which commands take them', async () => {
    await fails(['whoami', '--no-input'], 2, [
      'mfa-env: --no-input goes with "mfa-env [PROFILE]", "mfa-env exec", "mfa-env console" and "mfa-env rotate", not with "mfa-env whoami"',
      USAGE,
    ]);
    await fails(['--no-cache', 'policy'], 2, [
      'mfa-env: --no-cache goes with "mfa-env [PROFILE]", "mfa-env exec", "mfa-env list", "mfa-env console", "mfa-env rotate" and "mfa-env status", not with "mfa-env policy"',
      USAGE,
    ]);
    await fails(['list', '--token-code', '123456'], 2, [
      'mfa-env: --token-code goes with "mfa-env [PROFILE]", "mfa-env exec", "mfa-env console" and "mfa-env rotate", not with "mfa-env list"',
      USAGE,
    ]);
    // An option nobody takes is named as typed, dashes and all.
    await fails(['forget', '--frob'], 2, ['mfa-env: unknown option --frob', USAGE]);
  });
});

describe('exec', () => {
  it('without "--": a hint to put the command after it, and nothing is run or asked', async () => {
    const canary = join(f.home.home, 'ran');
    const hint =
      'mfa-env: exec takes its command after "--", so that the command\'s own options stay its own: mfa-env exec PROFILE -- COMMAND [ARGS...]';
    await fails(['exec', 'demo-user', 'aws', 's3', 'ls', '--query', 'x'], 2, [hint, USAGE]);
    await fails(['exec', 'demo-user', '-t', f.code(), 'touch', canary], 2, [hint, USAGE]);
    expect(existsSync(canary)).toBe(false);
    expect(f.server.calls).toEqual([]);
    // With it, the command runs.
    expect((await f.run(['exec', 'demo-user', '-t', f.code(), '--', 'touch', canary])).status).toBe(0);
    expect(existsSync(canary)).toBe(true);
  });

  it('with nothing, or no command: says what it needs', async () => {
    await fails(['exec'], 2, [
      'mfa-env: mfa-env exec needs a profile: mfa-env exec PROFILE -- COMMAND [ARGS...]',
      USAGE,
    ]);
    await fails(['exec', 'demo-user'], 2, [
      'mfa-env: exec needs a command: mfa-env exec PROFILE -- COMMAND [ARGS...]',
      USAGE,
    ]);
  });
});

describe('init', () => {
  it('with no shell, names the ones there are', async () => {
    await fails(['init'], 2, ['mfa-env: mfa-env init needs a shell: mfa-env init bash|zsh|fish', USAGE]);
  });
});
