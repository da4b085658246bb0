// The session used by other programs: exec, the AWS CLI and the JS SDK through credential_process, dotenv for
// docker, whoami, policy.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fromProcess } from '@aws-sdk/credential-provider-process';
import { DEMO_USER, type Fixture, startFixture } from '../support/fixture';
import { Pty } from '../support/pty';
import { itNeeding, missingPrograms } from '../support/requirements';
import { CLI } from '../support/runCli';
import { evalInShell } from '../support/shells';

// Debian's awscli is the real AWS CLI v2; an older `aws` may come first on PATH.
const AWS_CLI = '/usr/bin/aws';

let f: Fixture;
beforeEach(async () => {
  f = await startFixture();
  f.home.write({
    config:
      readFileSync(f.home.configPath, 'utf8') +
      `\n[profile via-process]\ncredential_process = ${process.execPath} ${CLI} --format json demo-user\nregion = eu-west-1\n` +
      // The JS SDK runs the process with the environment of this (jest) process, so this one names the test's home.
      `\n[profile via-process-js]\ncredential_process = env HOME=${f.home.home} MFA_ENV_CACHE_DIR=${f.home.env.MFA_ENV_CACHE_DIR} ${process.execPath} ${CLI} --format json demo-user\n`,
  });
});
afterEach(() => f.stop());

describe('mfa-env exec', () => {
  it('runs the command with the session in its environment and AWS_PROFILE removed', async () => {
    const result = await f.run(
      [
        'exec',
        'demo-user',
        '-t',
        f.code(),
        '--',
        'sh',
        '-c',
        'echo "$AWS_ACCESS_KEY_ID|$MFA_ENV_PROFILE|${AWS_PROFILE-unset}"',
      ],
      {
        env: { AWS_PROFILE: 'demo-user' },
      },
    );
    expect(result.stderr).toBe('');
    expect(result).toMatchObject({ status: 0, stdout: `${f.server.issued[0].accessKeyId}|demo-user|unset\n` });
  });

  it("exits with the command's exit code, and 127 for a command that does not exist", async () => {
    await f.run(['demo-user', '-t', f.code()]);
    expect((await f.run(['exec', 'demo-user', '--', 'sh', '-c', 'exit 42'])).status).toBe(42);
    const missing = await f.run(['exec', 'demo-user', '--', 'no-such-command-here']);
    expect(missing.status).toBe(127);
    expect(missing.stderr).toBe('mfa-env: cannot run "no-such-command-here": not found\n');
  });

  it('passes stdin through and signals on to the command', async () => {
    await f.run(['demo-user', '-t', f.code()]);
    expect((await f.run(['exec', 'demo-user', '--', 'cat'], { stdin: 'piped text\n' })).stdout).toBe('piped text\n');
    const child = spawn(
      process.execPath,
      [
        CLI,
        'exec',
        'demo-user',
        '--',
        'sh',
        '-c',
        'trap "echo got TERM; exit 7" TERM; echo ready; while :; do sleep 0.05; done',
      ],
      {
        env: f.home.env,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    await new Promise<void>((resolve) => child.stdout.on('data', () => out.includes('ready') && resolve()));
    child.kill('SIGTERM');
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect(out).toContain('got TERM');
    expect(code).toBe(7);
  });

  it('needs a command', async () => {
    const result = await f.run(['exec', 'demo-user', '-t', f.code()]);
    expect(result).toMatchObject({ status: 2, stdout: '' });
    expect(result.stderr).toMatch(/exec needs a command/);
  });
});

describe('--format', () => {
  it('json is the credential_process format', async () => {
    const result = await f.run(['demo-user', '--format', 'json', '-t', f.code()]);
    const [issued] = f.server.issued;
    expect(JSON.parse(result.stdout)).toEqual({
      Version: 1,
      AccessKeyId: issued.accessKeyId,
      SecretAccessKey: issued.secretAccessKey,
      SessionToken: issued.sessionToken,
      Expiration: issued.expiration,
    });
  });

  it('dotenv gives NAME=value lines docker can read, without mfa-env bookkeeping', async () => {
    const result = await f.run(['demo-user', '--format', 'dotenv', '-t', f.code()], { env: { AWS_PROFILE: 'x' } });
    const [issued] = f.server.issued;
    expect(result.stdout).toBe(
      [
        `AWS_ACCESS_KEY_ID=${issued.accessKeyId}`,
        `AWS_SECRET_ACCESS_KEY=${issued.secretAccessKey}`,
        `AWS_SESSION_TOKEN=${issued.sessionToken}`,
        `AWS_CREDENTIAL_EXPIRATION=${issued.expiration}`,
        `AWS_SESSION_EXPIRATION=${issued.expiration}`,
        'AWS_REGION=eu-west-1',
        'AWS_DEFAULT_REGION=eu-west-1',
        'MFA_ENV_PROFILE=demo-user',
        `MFA_ENV_EXPIRES_AT=${issued.expiresAtMs / 1000}`,
        '',
      ].join('\n'),
    );
  });

  it('fish and sh formats match --shell', async () => {
    await f.run(['demo-user', '-t', f.code()]);
    expect((await f.run(['demo-user', '--format', 'fish'])).stdout).toBe(
      (await f.run(['demo-user', '--shell', 'fish'])).stdout,
    );
    expect(
      evalInShell('fish', (await f.run(['demo-user', '--format', 'fish'])).stdout, f.home.env).AWS_ACCESS_KEY_ID,
    ).toBe(f.server.issued[0].accessKeyId);
  });
});

describe('credential_process', () => {
  const withAwsCli = itNeeding(missingPrograms({ [AWS_CLI]: 'apt-get install awscli, the AWS CLI v2' }));

  it('is accepted by the JS SDK (fromProcess)', async () => {
    await f.run(['demo-user', '-t', f.code()]);
    const provider = fromProcess({
      profile: 'via-process-js',
      filepath: f.home.credentialsPath,
      configFilepath: f.home.configPath,
    });
    const creds = await provider();
    expect(creds).toMatchObject({
      accessKeyId: f.server.issued[0].accessKeyId,
      sessionToken: f.server.issued[0].sessionToken,
    });
    expect(creds.expiration?.toISOString().replace('.000', '')).toBe(f.server.issued[0].expiration);
  });

  withAwsCli('is accepted by the real AWS CLI v2', async () => {
    await f.run(['demo-user', '-t', f.code()]);
    // Not spawnSync: the test STS server answers from this very process.
    const result = await new Promise<{ stdout: string; stderr: string }>((resolve) => {
      const child = spawn(
        AWS_CLI,
        ['sts', 'get-caller-identity', '--profile', 'via-process', '--endpoint-url', f.server.url, '--output', 'json'],
        {
          // No pager: AWS CLI v2 pipes output through `less` unless told not to.
          env: { ...f.home.env, AWS_PAGER: '' },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      child.on('close', () => resolve({ stdout, stderr }));
    });
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout).Arn).toBe(`arn:aws:iam::${DEMO_USER.accountId}:user/demo-user`);
    expect(f.server.callsOf('GetCallerIdentity')[0].accessKeyId).toBe(f.server.issued[0].accessKeyId);
  });

  withAwsCli(
    'asks for the MFA code on the terminal although the AWS CLI captures stdout and stderr',
    async () => {
      const pty = new Pty(
        `${AWS_CLI} sts get-caller-identity --profile via-process --endpoint-url ${f.server.url} --output text --query Arn`,
        {
          env: { ...f.home.env, AWS_CONFIG_FILE: f.home.configPath, AWS_PAGER: '' },
        },
      );
      try {
        await pty.waitFor(`MFA code for ${DEMO_USER.serial}:`, { timeoutMs: 20000 });
        const code = f.code();
        const from = pty.output.length;
        pty.type(`${code}\r`);
        await pty.waitFor(':user/demo-user', { from, timeoutMs: 20000 });
        expect(pty.output.slice(from)).not.toContain(code);
      } finally {
        pty.kill();
      }
    },
    30000,
  );
});

describe('whoami and policy', () => {
  it('whoami reports who the shell is', async () => {
    const loaded = evalInShell('bash', (await f.run(['demo-user', '-t', f.code()])).stdout, f.home.env);
    const result = await f.run(['whoami'], { env: { ...loaded, AWS_ENDPOINT_URL_STS: f.server.url } });
    expect(result).toMatchObject({ status: 0, stderr: '' });
    expect(result.stdout).toMatch(
      new RegExp(
        `^Account: ${DEMO_USER.accountId}\\nArn:     arn:aws:iam::${DEMO_USER.accountId}:user/demo-user\\nUserId:  AIDA\\w+\\n$`,
      ),
    );
    const json = JSON.parse(
      (await f.run(['whoami', '--json'], { env: { ...loaded, AWS_ENDPOINT_URL_STS: f.server.url } })).stdout,
    );
    expect(json.Account).toBe(DEMO_USER.accountId);
  });

  it('whoami without credentials says how to get some', async () => {
    const result = await f.run(['whoami']);
    expect(result).toMatchObject({ status: 3, stdout: '' });
    expect(result.stderr).toMatch(/holds no AWS credentials .* load a session with mfa-env PROFILE/);
  });

  it('policy is the MFA-enforcing IAM policy', async () => {
    const policy = JSON.parse((await f.run(['policy'])).stdout);
    const deny = policy.Statement.find((s: { Effect: string }) => s.Effect === 'Deny');
    expect(deny.NotAction).toContain('sts:GetSessionToken');
    expect(deny.Condition).toEqual({ BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } });
  });
});
