// What list, status and whoami print for people is read on a terminal: names and values from the AWS files, the
// environment or STS may hold escape sequences (clear the screen, set the window title, fake a line) and must never
// reach the terminal raw. Ordinary names stay exactly as written.
import { ACCOUNT, DEMO_USER, type Fixture, startFixture } from '../support/fixture';
import { runCli } from '../support/runCli';
import { StsServer } from '../support/sts-server';

// Anything a terminal may act on: C0 but the newline ending each line, DEL, C1, and the Unicode line separators.
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029]/;

const CLEAR = '\u001b[2J';
const TITLE = '\u001b]0;owned\u0007';
const CSI = '\u009b31m';

let f: Fixture;
beforeEach(async () => {
  f = await startFixture({ roles: [{ arn: `arn:aws:iam::${ACCOUNT}:role/admin`, requireMfa: true }] });
});
afterEach(() => f.stop());

describe('mfa-env list', () => {
  it('shows hostile names and values escaped and quoted, and ordinary ones as written', async () => {
    f.home.write({
      config: [
        `[profile demo-user]\nmfa_serial = ${DEMO_USER.serial}\nendpoint_url = ${f.server.url}`,
        `[profile admin]\nrole_arn = arn:aws:iam::${ACCOUNT}:role/admin\nsource_profile = café`,
        // The SDK's loader takes `[profile.NAME]` with any NAME.
        `[profile.title${TITLE}]\nrole_arn = arn:aws:iam::${ACCOUNT}:role/admin\nsource_profile = evil${CLEAR}user`,
        `[profile bad-arn]\nrole_arn = arn:aws:iam::${ACCOUNT}:role/x${TITLE}\nsource_profile = demo-user`,
        `[profile bad-serial]\nmfa_serial = arn:${CSI}x\u2028y\naws_access_key_id = AKIA0000000000000000\naws_secret_access_key = s`,
      ].join('\n\n'),
      credentials: [
        `[demo-user]\naws_access_key_id = ${DEMO_USER.accessKeyId}\naws_secret_access_key = ${DEMO_USER.secretAccessKey}`,
        `[café]\naws_access_key_id = AKIA2222222222222222\naws_secret_access_key = s\nmfa_serial = ${DEMO_USER.serial}`,
        `[evil${CLEAR}user]\naws_access_key_id = AKIA1111111111111111\naws_secret_access_key = s\nmfa_serial = ${DEMO_USER.serial}`,
        // No keys: resolving it fails with a message naming the profile.
        `[nokeys\u0007${CSI}]\nregion = eu-west-1`,
      ].join('\n\n'),
    });
    const result = await f.run(['list']);
    expect(result).toMatchObject({ status: 0, stderr: '' });
    expect(result.stdout).not.toMatch(RAW_CONTROL);
    const lines = result.stdout.split('\n');
    const row = (start: string) => lines.find((line) => line.startsWith(start));
    expect(row('demo-user ')).toMatch(/^demo-user\s+user\s+demo-user\s+arn:aws:iam::123456789012:mfa\/demo-user$/);
    expect(row('admin ')).toMatch(/^admin\s+role\s+café\s+arn:aws:iam::123456789012:mfa\/demo-user$/);
    expect(row('café ')).toMatch(/^café\s+user\s+café\s+arn:aws:iam::123456789012:mfa\/demo-user$/);
    expect(row('"title')).toMatch(
      /^"title\\u001b\]0;owned\\u0007"\s+role\s+"evil\\u001b\[2Juser"\s+arn:aws:iam::123456789012:mfa\/demo-user$/,
    );
    expect(row('"evil')).toMatch(
      /^"evil\\u001b\[2Juser"\s+user\s+"evil\\u001b\[2Juser"\s+arn:aws:iam::123456789012:mfa\/demo-user$/,
    );
    expect(row('bad-arn ')).toMatch(
      /not served: .*role_arn.* is "arn:aws:iam::123456789012:role\/x\\u001b\]0;owned\\u0007", not a role ARN/,
    );
    expect(row('bad-serial ')).toMatch(/not served: .* is "arn:\\u009b31mx\\u2028y", not an MFA device/);
    // The message below names the profile unquoted too (aws configure --profile NAME): escaped in place.
    expect(row('"nokeys')).toMatch(
      /^"nokeys\\u0007\\u009b31m"\s+-\s+not served: profile "nokeys\\u0007\\u009b31m" has no aws_access_key_id/,
    );

    // JSON escapes by itself, and keeps the values as they are.
    const rows = JSON.parse((await f.run(['list', '--json'])).stdout) as Array<{ profile: string; source?: string }>;
    expect(rows.map((r) => r.profile)).toEqual(
      expect.arrayContaining([`title${TITLE}`, `evil${CLEAR}user`, `nokeys\u0007${CSI}`]),
    );
  });
});

describe('mfa-env status', () => {
  it('shows what the environment says escaped, and ordinary values as written', async () => {
    const expiresAt = String(Math.floor(Date.now() / 1000) + 3600);
    const hostile = await f.run(['status'], {
      env: {
        MFA_ENV_PROFILE: `prod${CLEAR}`,
        MFA_ENV_ROLE_ARN: `arn:aws:iam::${ACCOUNT}:role/admin${TITLE}`,
        MFA_ENV_EXPIRES_AT: expiresAt,
        MFA_ENV_SKIPPED_FUNCTIONS: `mfa-ls${CSI} (a command)\nmfa-x\u2028y`,
      },
    });
    expect(hostile).toMatchObject({ status: 0, stderr: '' });
    expect(hostile.stdout).not.toMatch(RAW_CONTROL);
    expect(hostile.stdout).toContain('profile:  "prod\\u001b[2J"\n');
    expect(hostile.stdout).toContain('role:     "arn:aws:iam::123456789012:role/admin\\u001b]0;owned\\u0007"\n');
    expect(hostile.stdout).toContain(
      'renewal:  the profile cannot be resolved now (profile "prod\\u001b[2J" not found in',
    );
    expect(hostile.stdout).toContain('\n  "mfa-ls\\u009b31m (a command)"\n  "mfa-x\\u2028y"\n');

    const plain = await f.run(['status'], {
      env: {
        MFA_ENV_PROFILE: 'café',
        MFA_ENV_ROLE_ARN: `arn:aws:iam::${ACCOUNT}:role/admin`,
        MFA_ENV_EXPIRES_AT: expiresAt,
      },
    });
    expect(plain.stdout).toMatch(/^profile: {2}café\nrole: {5}arn:aws:iam::123456789012:role\/admin\nexpires: /);
  });

  it('an expiry too large for a date is no session, not a crash', async () => {
    const result = await f.run(['status'], { env: { MFA_ENV_PROFILE: 'demo-user', MFA_ENV_EXPIRES_AT: '1e20' } });
    expect(result).toMatchObject({ status: 0, stdout: 'No mfa-env session is loaded in this shell.\n', stderr: '' });
    expect(
      (await f.run(['status', '--check'], { env: { MFA_ENV_PROFILE: 'demo-user', MFA_ENV_EXPIRES_AT: '1e20' } }))
        .status,
    ).toBe(1);
  });
});

describe('mfa-env whoami', () => {
  it('shows what STS answers escaped', async () => {
    const user = {
      userName: `ev${TITLE}il${CSI}`,
      accountId: ACCOUNT,
      accessKeyId: 'AKIAWHOAMIHOSTILE000',
      secretAccessKey: 'the/secret/key/of/the/hostile/user/0000',
    };
    const server = await StsServer.start({ users: [user] });
    try {
      const result = await runCli(['whoami'], {
        env: {
          ...f.home.env,
          AWS_ACCESS_KEY_ID: user.accessKeyId,
          AWS_SECRET_ACCESS_KEY: user.secretAccessKey,
          AWS_ENDPOINT_URL_STS: server.url,
        },
      });
      expect(result).toMatchObject({ status: 0, stderr: '' });
      expect(result.stdout).not.toMatch(RAW_CONTROL);
      expect(result.stdout).toMatch(
        /^Account: 123456789012\nArn: {5}"arn:aws:iam::123456789012:user\/ev\\u001b\]0;owned\\u0007il\\u009b31m"\nUserId: {2}AIDA\w+\n$/,
      );
    } finally {
      await server.stop();
    }
  });
});

describe('an error naming a hostile profile', () => {
  it('escapes the name everywhere in the line, the suggested command included', async () => {
    f.home.write({ credentials: `[nokeys${CLEAR}]\nregion = eu-west-1\n` });
    const result = await f.run([`nokeys${CLEAR}`]);
    expect(result).toMatchObject({ status: 3, stdout: '' });
    expect(result.stderr).not.toMatch(RAW_CONTROL);
    expect(result.stderr).toBe(
      'mfa-env: profile "nokeys\\u001b[2J" has no aws_access_key_id; add the IAM user\'s access keys to it (aws configure --profile "nokeys\\u001b[2J") or to the OS keyring (mfa-env keys add "nokeys\\u001b[2J")\n',
    );
  });
});
