// Nothing goes into the user's AWS files that was not checked with the rules mfa-env applies to what it reads, and
// that the SDKs' own parser would not read back exactly as meant: setup's serial from IAM, --write-profile's name
// and the session values it writes.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ACCOUNT, DEMO_USER, demoConfig, type Fixture, startFixture } from '../support/fixture';
import { Pty } from '../support/pty';
import { runCli } from '../support/runCli';
import { StsServer } from '../support/sts-server';
import { type TempHome, tempHome } from '../support/tempHome';
import { newTotpSecret } from '../support/totp';

describe('setup with a hostile IAM answer (ListMFADevices)', () => {
  let server: StsServer;
  let home: TempHome;
  // What an injected credential_process would create, were the AWS CLI ever to run it.
  const canaryDir = mkdtempSync(join(tmpdir(), 'mfa-env-canary-'));
  const canary = () => join(canaryDir, 'canary');
  afterAll(() => rmSync(canaryDir, { recursive: true, force: true }));

  async function withDevices(serials: string[]): Promise<void> {
    server = await StsServer.start({
      users: [{ ...DEMO_USER, mfaDevices: serials.map((serial) => ({ serial, secret: newTotpSecret() })) }],
    });
    home = tempHome(demoConfig(server.url));
    // No mfa_serial yet: what setup is for.
    home.write({ config: `[profile demo-user]\nregion = eu-west-1\nendpoint_url = ${server.url}\n` });
  }
  afterEach(async () => {
    await server.stop();
    home.remove();
  });

  const injections = () => [
    [`arn:aws:iam::${ACCOUNT}:mfa/x\nendpoint_url = http://127.0.0.1:5080/ok`, 'a key for the profile'],
    [`GAHT12345678\n[profile injected]\ncredential_process = touch ${canary()}`, 'a profile of its own'],
    [`arn:aws:iam::${ACCOUNT}:mfa/x ;comment`, 'a comment'],
    [`arn:aws:iam::${ACCOUNT}:mfa/\u001b]0;owned\u0007x`, 'a terminal escape'],
    ['short', 'too short a serial'],
  ];

  it.each(injections().map(([serial, what]) => [what, serial]))(
    'refuses a serial that would add %s: exit 6, the config unchanged',
    async (_, serial) => {
      await withDevices([serial]);
      const before = readFileSync(home.configPath, 'utf8');
      const result = await runCli(['setup', 'demo-user', '--yes'], { env: home.env });
      expect({ status: result.status, stdout: result.stdout }).toEqual({ status: 6, stdout: '' });
      expect(result.stderr).toBe(
        `mfa-env: IAM at ${server.url} answered ListMFADevices with a serial number that is not an MFA device (${JSON.stringify(serial).replace(/[\u007f-\u009f]/g, '')}); nothing was written\n`,
      );
      expect(readFileSync(home.configPath, 'utf8')).toBe(before);
      expect(existsSync(canary())).toBe(false);
    },
  );

  it('refuses the whole list when one device of several is hostile, and at the prompt too', async () => {
    await withDevices([DEMO_USER.serial, `arn:aws:iam::${ACCOUNT}:mfa/y\n[profile injected]`]);
    const before = readFileSync(home.configPath, 'utf8');
    const pty = new Pty('mfa-env setup demo-user', { env: home.env });
    try {
      await pty.waitFor('nothing was written');
      expect(await pty.exited).toBe(6);
      expect(pty.output).not.toContain('Which one');
    } finally {
      pty.kill();
    }
    expect(readFileSync(home.configPath, 'utf8')).toBe(before);
  });

  it('a list longer than any IAM user can have is refused', async () => {
    await withDevices(Array.from({ length: 101 }, (_, i) => `arn:aws:iam::${ACCOUNT}:mfa/d${i}`));
    const result = await runCli(['setup', 'demo-user', '--yes'], { env: home.env });
    expect(result).toMatchObject({
      status: 6,
      stdout: '',
      stderr: `mfa-env: IAM at ${server.url} answered ListMFADevices with 101 MFA devices; nothing was written\n`,
    });
  });
});

describe('setup writes only a section the SDKs read as the profile', () => {
  let f: Fixture;
  beforeEach(async () => {
    f = await startFixture();
  });
  afterEach(() => f.stop());

  it('refuses a credentials-file profile whose name cannot be a [profile NAME] header', async () => {
    for (const name of ['a b c', 'a]b', 'x\u001b[2Jy', 'a#b']) {
      f.home.write({
        config: '',
        credentials: `[${name}]\naws_access_key_id = ${DEMO_USER.accessKeyId}\naws_secret_access_key = ${DEMO_USER.secretAccessKey}\n`,
      });
      const result = await f.run(['setup', name, '--mfa-serial', DEMO_USER.serial]);
      expect({ name, status: result.status, stdout: result.stdout }).toEqual({ name, status: 3, stdout: '' });
      expect(result.stderr).toMatch(
        /^mfa-env: setup cannot add mfa_serial for profile ".*": the AWS SDKs would not read \[profile .*\] in the config file as that profile; add "mfa_serial = ARN" to its section in ".*credentials" by hand\n$/,
      );
      expect(result.stderr).not.toMatch(/[\u0000-\u0009\u000b-\u001f]/);
      expect(readFileSync(f.home.configPath, 'utf8')).toBe('');
    }
  });
});

describe('--write-profile', () => {
  let f: Fixture;
  beforeEach(async () => {
    f = await startFixture();
  });
  afterEach(() => f.stop());

  it.each([
    ['session\n[demo-user', 'a line break'],
    ['a b', 'a space'],
    ['x]', 'a bracket'],
    ['s #c', 'a comment'],
    ['', 'nothing'],
  ])('refuses the name %j (%s) before asking for a code: exit 2, the file unchanged', async (name) => {
    const before = readFileSync(f.home.credentialsPath, 'utf8');
    const result = await f.run(['demo-user', '--write-profile', name, '-t', f.code()]);
    expect({ status: result.status, stdout: result.stdout }).toEqual({ status: 2, stdout: '' });
    expect(result.stderr).toBe(
      `mfa-env: --write-profile is ${JSON.stringify(name)}; a profile name mfa-env writes is letters, digits and - _ @ + . % : / only\nRun "mfa-env --help" for usage.\n`,
    );
    expect(f.server.calls).toEqual([]);
    expect(readFileSync(f.home.credentialsPath, 'utf8')).toBe(before);
  });

  it('never overwrites long-term keys that a duplicate section holds (the SDKs would read those, not the session)', async () => {
    const credentials = `${readFileSync(f.home.credentialsPath, 'utf8')}\n[session]\naws_session_token = old\n\n[session]\naws_access_key_id = AKIAOTHERUSER0000000\naws_secret_access_key = s\n`;
    f.home.write({ credentials });
    const result = await f.run(['demo-user', '--write-profile', 'session', '-t', f.code()]);
    expect(result).toMatchObject({ status: 3, stdout: '' });
    expect(result.stderr).toMatch(
      /^mfa-env: cannot write \[session\] in ".*credentials" as asked: the AWS SDKs would read the result differently \(check for a duplicate section\); nothing was changed\n$/,
    );
    expect(readFileSync(f.home.credentialsPath, 'utf8')).toBe(credentials);
  });
});

describe('--write-profile with session values the SDKs would read differently', () => {
  let f: Fixture;
  beforeEach(async () => {
    f = await startFixture({ tamper: () => ({ sessionToken: 'FwoGZXIvYXdz #rest-of-token' }) });
  });
  afterEach(() => f.stop());

  it('refuses to write a value the INI parser would cut at a comment: exit 3, the file unchanged', async () => {
    const before = readFileSync(f.home.credentialsPath, 'utf8');
    const result = await f.run(['demo-user', '--write-profile', 'session', '-t', f.code()]);
    expect(result).toMatchObject({ status: 3, stdout: '' });
    expect(result.stderr).toMatch(
      /^mfa-env: cannot write \[session\] in ".*credentials" as asked: the AWS SDKs would read the result differently/,
    );
    expect(result.stderr).not.toContain('rest-of-token');
    expect(readFileSync(f.home.credentialsPath, 'utf8')).toBe(before);
  });
});
