import { writeFileSync } from 'node:fs';
import { ACCOUNT, DEMO_USER, type Fixture, startFixture } from '../support/fixture';

let f: Fixture;
beforeEach(async () => {
  f = await startFixture({ roles: [{ arn: `arn:aws:iam::${ACCOUNT}:role/admin`, requireMfa: true }] });
  f.home.write({
    config: [
      `[profile demo-user]\nmfa_serial = ${DEMO_USER.serial}\nendpoint_url = ${f.server.url}`,
      `[profile admin]\nrole_arn = arn:aws:iam::${ACCOUNT}:role/admin\nsource_profile = demo-user\nendpoint_url = ${f.server.url}`,
      `[profile plain]\nregion = eu-west-1`,
    ].join('\n\n'),
  });
});
afterEach(() => f.stop());

describe('mfa-env list', () => {
  it('shows every profile with what it needs and the time left on cached sessions', async () => {
    const before = await f.run(['list']);
    expect(before.status).toBe(0);
    expect(before.stdout.split('\n')[0]).toMatch(/^PROFILE\s+KIND\s+SOURCE\s+MFA DEVICE\s+CACHED SESSION$/);
    expect(before.stdout).toMatch(/^admin\s+role\s+demo-user\s+arn:aws:iam::123456789012:mfa\/demo-user$/m);
    expect(before.stdout).toMatch(/^plain\s+-\s+not served: profile "plain" has no aws_access_key_id/m);

    await f.run(['demo-user', '-t', f.code()]);
    const after = await f.run(['list']);
    expect(after.stdout).toMatch(
      /^demo-user\s+user\s+demo-user\s+arn:aws:iam::123456789012:mfa\/demo-user\s+(11h59m|12h00m) left$/m,
    );
    // No role session yet, but the MFA session means no code is needed.
    expect(after.stdout).toMatch(/^admin\s+role\s+demo-user\s+\S+\s+MFA session (11h59m|12h00m) left$/m);

    const json = JSON.parse((await f.run(['list', '--json'])).stdout);
    expect(json).toEqual([
      expect.objectContaining({
        profile: 'demo-user',
        kind: 'user',
        source: 'demo-user',
        mfaSerial: DEMO_USER.serial,
        sessionSecondsLeft: expect.any(Number),
      }),
      expect.objectContaining({
        profile: 'admin',
        kind: 'role',
        source: 'demo-user',
        roleArn: `arn:aws:iam::${ACCOUNT}:role/admin`,
        mfaSessionSecondsLeft: expect.any(Number),
      }),
      expect.objectContaining({ profile: 'plain', problem: expect.stringContaining('has no aws_access_key_id') }),
    ]);
    expect(json[0].sessionSecondsLeft).toBeGreaterThan(43000);
  });

  // How long it takes is the bench's to measure (`npm run bench`: ≤ ×3 of `node -e 0`), not a timed test's.
  it('lists 5,000 profiles, each with its kind, source and device', async () => {
    const config: string[] = [];
    const credentials: string[] = [];
    for (let i = 0; i < 2500; i++) {
      config.push(`[profile user${i}]\nmfa_serial = arn:aws:iam::${ACCOUNT}:mfa/user${i}\nregion = eu-west-1\n`);
      config.push(`[profile role${i}]\nrole_arn = arn:aws:iam::${ACCOUNT}:role/r${i}\nsource_profile = user${i}\n`);
      credentials.push(
        `[user${i}]\naws_access_key_id = AKIA${String(i).padStart(16, '0')}\naws_secret_access_key = s\n`,
      );
    }
    writeFileSync(f.home.configPath, config.join('\n'));
    writeFileSync(f.home.credentialsPath, credentials.join('\n'));
    const result = await f.run(['list', '--json']);
    expect(result.status).toBe(0);
    const rows = JSON.parse(result.stdout) as Array<Record<string, unknown>>;
    expect(rows).toHaveLength(5000);
    expect(rows.find((r) => r.profile === 'role2499')).toMatchObject({
      kind: 'role',
      source: 'user2499',
      mfaSerial: `arn:aws:iam::${ACCOUNT}:mfa/user2499`,
    });
  });
});

describe('mfa-env status', () => {
  it('says what the shell holds and whether renewal needs a code', async () => {
    const { evalInShell } = await import('../support/shells');
    const empty = await f.run(['status']);
    expect(empty).toMatchObject({ status: 0, stdout: 'No mfa-env session is loaded in this shell.\n' });
    expect((await f.run(['status', '--check'])).status).toBe(1);

    const loaded = evalInShell('bash', (await f.run(['admin', '-t', f.code()])).stdout, f.home.env);
    const result = await f.run(['status'], { env: loaded });
    expect(result.stdout).toMatch(
      new RegExp(
        `^profile:  admin\\nrole:     arn:aws:iam::${ACCOUNT}:role/admin\\nexpires:  \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ \\((59m|1h00m) left\\)\\n` +
          'renewal:  `mfa-env` renews it without a code \\(the cached MFA session has (11h59m|12h00m) left\\)\\n$',
      ),
    );
    expect((await f.run(['status', '--check'], { env: loaded })).status).toBe(0);
    await f.run(['forget']);
    expect((await f.run(['status'], { env: loaded })).stdout).toContain(
      'renewal:  `mfa-env` renews it with a new MFA code',
    );
    expect((await f.run(['status', '--check'], { env: { ...loaded, MFA_ENV_EXPIRES_AT: '1000' } })).status).toBe(1);
  });
});
