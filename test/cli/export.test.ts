import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { DEMO_USER, type Fixture, startFixture } from '../support/fixture';
import { evalInShell } from '../support/shells';

let f: Fixture;
beforeEach(async () => {
  f = await startFixture();
});
afterEach(() => f.stop());

describe('mfa-env PROFILE', () => {
  it.each(['bash', 'zsh', 'sh', 'fish'] as const)(
    'exports exactly the credentials STS issued, evaluated in %s',
    async (shell) => {
      const before = { ...f.home.env, AWS_PROFILE: 'demo-user', AWS_SECURITY_TOKEN: 'stale' };
      const result = await f.run(['--token-code', f.code(), '--shell', shell], { env: before });
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      const [issued] = f.server.issued;
      const env = evalInShell(shell, result.stdout, before);
      expect(env).toEqual({
        ...f.home.env,
        AWS_ACCESS_KEY_ID: issued.accessKeyId,
        AWS_SECRET_ACCESS_KEY: issued.secretAccessKey,
        AWS_SESSION_TOKEN: issued.sessionToken,
        AWS_CREDENTIAL_EXPIRATION: issued.expiration,
        AWS_SESSION_EXPIRATION: issued.expiration,
        AWS_REGION: 'eu-west-1',
        AWS_DEFAULT_REGION: 'eu-west-1',
        MFA_ENV_PROFILE: 'demo-user',
        MFA_ENV_PROFILE_LABEL: 'demo-user',
        MFA_ENV_EXPIRES_AT: String(issued.expiresAtMs / 1000),
        // MFA_ENV_MIN_TTL (default 5 minutes) before the end: when the cache stops serving the session.
        MFA_ENV_RENEW_AT: String(issued.expiresAtMs / 1000 - 300),
        MFA_ENV_SAVED: 'AWS_SECURITY_TOKEN AWS_PROFILE',
        MFA_ENV_SAVED_AWS_SECURITY_TOKEN: 'stale',
        MFA_ENV_SAVED_AWS_PROFILE: 'demo-user',
      });
      expect(issued.expiration).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    },
  );

  it.each(['bash', 'zsh', 'fish'] as const)(
    'passes a hostile profile name through %s as data, never as code',
    async (shell) => {
      const canary = join(f.home.home, 'canary');
      // The credentials file takes any section name but ` ;` or ` #`, which start comments.
      const name = `it's "$(touch ${canary})" \`touch ${canary}\` \\';touch ${canary}`;
      f.home.write({
        credentials: `[${name}]\naws_access_key_id = ${DEMO_USER.accessKeyId}\naws_secret_access_key = ${DEMO_USER.secretAccessKey}\nmfa_serial = ${DEMO_USER.serial}\n`,
      });
      const result = await f.run([name, '-t', f.code(), '--shell', shell], {
        env: { AWS_ENDPOINT_URL_STS: f.server.url },
      });
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      expect(evalInShell(shell, result.stdout, f.home.env).MFA_ENV_PROFILE).toBe(name);
      expect(existsSync(canary)).toBe(false);
    },
  );

  it('calls GetSessionToken with the MFA device, the code and the default 12 hours', async () => {
    const code = f.code();
    await f.run(['demo-user', '-t', code]);
    expect(f.server.calls.map((c) => [c.action, c.accessKeyId, c.status])).toEqual([
      ['GetSessionToken', DEMO_USER.accessKeyId, 200],
    ]);
    expect(f.server.calls[0].params).toMatchObject({
      SerialNumber: DEMO_USER.serial,
      TokenCode: code,
      DurationSeconds: '43200',
    });
  });

  it.each([
    ['15m', '900'],
    ['1h', '3600'],
    ['36h', '129600'],
    ['7200', '7200'],
  ])('asks STS for --duration %s as %s seconds', async (duration, seconds) => {
    const result = await f.run(['demo-user', '-t', f.code(), '-d', duration]);
    expect(result.status).toBe(0);
    expect(f.server.calls[0].params.DurationSeconds).toBe(seconds);
  });

  it('takes the profile from --profile, then AWS_PROFILE, then default', async () => {
    f.home.write({
      config: readFileSync(f.home.configPath, 'utf8').replace('[profile demo-user]', '[default]'),
      credentials: readFileSync(f.home.credentialsPath, 'utf8').replace('[demo-user]', '[default]'),
    });
    expect((await f.run(['-t', f.code()])).stdout).toContain("export MFA_ENV_PROFILE='default'");
    f.home.write({
      config: readFileSync(f.home.configPath, 'utf8').replace('[default]', '[profile other]'),
      credentials: readFileSync(f.home.credentialsPath, 'utf8').replace('[default]', '[other]'),
    });
    expect((await f.run(['-t', f.code()], { env: { AWS_PROFILE: 'other' } })).stdout).toContain(
      "export MFA_ENV_PROFILE='other'",
    );
    expect((await f.run(['--profile', 'other', '-t', f.code()])).stdout).toContain("export MFA_ENV_PROFILE='other'");
    expect((await f.run(['-p', 'other', '-t', f.code()])).stdout).toContain("export MFA_ENV_PROFILE='other'");
  });

  it('uses the long-term keys of the profile when the shell already holds temporary ones', async () => {
    const first = await f.run(['demo-user', '-t', f.code()]);
    const loaded = evalInShell('bash', first.stdout, f.home.env);
    expect(loaded.AWS_ACCESS_KEY_ID).toMatch(/^ASIA/);
    const second = await f.run(['demo-user', '-t', f.code(), '--refresh'], { env: loaded });
    expect(second.stderr).toBe('');
    expect(second.status).toBe(0);
    expect(f.server.calls.map((c) => c.accessKeyId)).toEqual([DEMO_USER.accessKeyId, DEMO_USER.accessKeyId]);
    const reloaded = evalInShell('bash', second.stdout, loaded);
    expect(reloaded.AWS_ACCESS_KEY_ID).toBe(f.server.issued[1].accessKeyId);
  });

  it('renews the loaded profile when run with no profile', async () => {
    const loaded = evalInShell('bash', (await f.run(['demo-user', '-t', f.code()])).stdout, f.home.env);
    const again = await f.run(['-t', f.code()], { env: loaded });
    expect(again.status).toBe(0);
    expect(again.stdout).toContain("export MFA_ENV_PROFILE='demo-user'");
  });

  it('reads the code from piped stdin when there is no terminal', async () => {
    const result = await f.run(['demo-user'], { stdin: `${f.code()}\n` });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(`export AWS_ACCESS_KEY_ID='${f.server.issued[0].accessKeyId}'`);
  });

  it('accepts a code written with a space, as authenticator apps show it', async () => {
    const code = f.code();
    const result = await f.run(['demo-user', '-t', `${code.slice(0, 3)} ${code.slice(3)}`]);
    expect(result.status).toBe(0);
  });

  it('reads AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE', async () => {
    const result = await f.run(['demo-user', '-t', f.code()], {
      env: {
        HOME: join(f.home.home, 'elsewhere'),
        AWS_CONFIG_FILE: f.home.configPath,
        AWS_SHARED_CREDENTIALS_FILE: f.home.credentialsPath,
      },
    });
    expect(result.status).toBe(0);
  });

  it('finds STS through --endpoint-url, AWS_ENDPOINT_URL_STS and AWS_ENDPOINT_URL', async () => {
    f.home.write({ config: `[profile demo-user]\nmfa_serial = ${DEMO_USER.serial}\n` });
    for (const [args, env] of [
      [['--endpoint-url', f.server.url], {}],
      [[], { AWS_ENDPOINT_URL_STS: f.server.url }],
      [[], { AWS_ENDPOINT_URL: f.server.url }],
    ] as const) {
      const result = await f.run(['demo-user', '-t', f.code(), '--no-cache', ...args], { env });
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
    }
    expect(f.server.callsOf('GetSessionToken')).toHaveLength(3);
  });

  it('signs for the region of the profile, or of the environment', async () => {
    const regionOf = () => f.server.calls.at(-1)?.region;
    await f.run(['demo-user', '-t', f.code(), '--no-cache']);
    expect(regionOf()).toBe('eu-west-1');
    await f.run(['demo-user', '-t', f.code(), '--no-cache'], { env: { AWS_REGION: 'ap-southeast-2' } });
    expect(regionOf()).toBe('ap-southeast-2');
    await f.run(['demo-user', '-t', f.code(), '--no-cache'], { env: { AWS_DEFAULT_REGION: 'ca-central-1' } });
    expect(regionOf()).toBe('ca-central-1');
  });
});

describe('failures leave stdout empty and say what to do', () => {
  it('wrong MFA code', async () => {
    const wrong = String((Number(f.code()) + 500000) % 1000000).padStart(6, '0');
    const result = await f.run(['demo-user', '-t', wrong]);
    expect(result).toMatchObject({ status: 5, stdout: '' });
    expect(result.stderr).toBe(
      'mfa-env: AWS rejected the MFA code for profile "demo-user"; wait for the next code and try again\n',
    );
  });

  it('unknown profile', async () => {
    const result = await f.run(['nobody', '-t', '123456']);
    expect(result).toMatchObject({ status: 3, stdout: '' });
    expect(result.stderr).toBe(
      `mfa-env: profile "nobody" not found in "${f.home.configPath}" or "${f.home.credentialsPath}"; profiles there: "demo-user"\n`,
    );
    expect(f.server.calls).toEqual([]);
  });

  it('missing mfa_serial', async () => {
    f.home.write({ config: `[profile demo-user]\nendpoint_url = ${f.server.url}\n` });
    const result = await f.run(['demo-user', '-t', '123456']);
    expect(result).toMatchObject({ status: 3, stdout: '' });
    expect(result.stderr).toMatch(
      /^mfa-env: profile "demo-user" has no mfa_serial; add "mfa_serial = arn:aws:iam::ACCOUNT_ID:mfa\/DEVICE" to it in ".*config" or pass --mfa-serial\n$/,
    );
  });

  it('missing keys', async () => {
    rmSync(f.home.credentialsPath);
    const result = await f.run(['demo-user', '-t', '123456']);
    expect(result).toMatchObject({ status: 3, stdout: '' });
    expect(result.stderr).toMatch(
      /^mfa-env: profile "demo-user" has no aws_access_key_id; add the IAM user's access keys to it/,
    );
  });

  it('keys AWS does not know', async () => {
    f.home.write({ credentials: `[demo-user]\naws_access_key_id = AKIAUNKNOWN000000000\naws_secret_access_key = x\n` });
    const result = await f.run(['demo-user', '-t', f.code()]);
    expect(result).toMatchObject({ status: 5, stdout: '' });
    expect(result.stderr).toBe(
      'mfa-env: AWS does not recognise access key ...0000 of profile "demo-user" (InvalidClientTokenId); check its keys or create new ones\n',
    );
  });

  it('a wrong secret key, without showing it', async () => {
    f.home.write({
      credentials: `[demo-user]\naws_access_key_id = ${DEMO_USER.accessKeyId}\naws_secret_access_key = not-the-secret\n`,
    });
    const result = await f.run(['demo-user', '-t', f.code()]);
    expect(result).toMatchObject({ status: 5, stdout: '' });
    expect(result.stderr).toMatch(
      /the secret key of profile "demo-user" does not match access key \.\.\.MPLE \(SignatureDoesNotMatch\)/,
    );
    expect(result.stderr).not.toContain('not-the-secret');
    expect(result.stderr).not.toContain(DEMO_USER.accessKeyId);
  });

  it.each([
    ['10m', /--duration is 10m \(600 s\), out of range; STS allows 15m to 36h \(900-129600 seconds\)/],
    ['37h', /--duration is 37h \(133200 s\), out of range/],
    ['forever', /--duration "forever" is not a duration; use seconds or a form like 15m, 1h, 12h, 36h/],
  ])('bad --duration %s', async (duration, message) => {
    const result = await f.run(['demo-user', '-t', '123456', '-d', duration]);
    expect(result).toMatchObject({ status: 2, stdout: '' });
    expect(result.stderr).toMatch(message);
    expect(f.server.calls).toEqual([]);
  });

  it('a --token-code that is not 6 digits is refused before calling STS', async () => {
    const result = await f.run(['demo-user', '-t', '12345']);
    expect(result).toMatchObject({ status: 2, stdout: '' });
    expect(result.stderr).toMatch(/^mfa-env: --token-code must be the 6-digit code from your MFA device\n/);
    expect(f.server.calls).toEqual([]);
  });

  it('no terminal and nothing on stdin', async () => {
    for (const stdin of ['null', 'closed'] as const) {
      const result = await f.run(['demo-user'], { stdin });
      expect(result).toMatchObject({ status: 4, stdout: '' });
      expect(result.stderr).toMatch(
        /^mfa-env: (profile "demo-user" needs an MFA code and there is no terminal to ask on; pass --token-code CODE or pipe the code on stdin|no MFA code on standard input for profile "demo-user"; pass --token-code CODE)\n$/,
      );
    }
  });

  it('a piped line that is not a code', async () => {
    const result = await f.run(['demo-user'], { stdin: 'hello\n' });
    expect(result).toMatchObject({ status: 4, stdout: '' });
    expect(result.stderr).toBe('mfa-env: the line on standard input is not a 6-digit MFA code (profile "demo-user")\n');
  });

  it('unknown flags and a bad --shell', async () => {
    for (const args of [['--nope'], ['--shell', 'tcsh'], ['a', 'b']]) {
      const result = await f.run(args);
      expect(result).toMatchObject({ status: 2, stdout: '' });
      expect(result.stderr).toMatch(/^mfa-env: .+\nRun "mfa-env --help" for usage.\n$/);
    }
  });
});
