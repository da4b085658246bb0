import { ConfigError, UsageError } from '../../../src/errors';
import { type Env, loadConfigFiles } from '../../../src/profiles/configFiles';
import { ProfileSet } from '../../../src/profiles/profileSet';
import { type PlanOptions, resolvePlan } from '../../../src/profiles/resolvePlan';
import { defaultSessionName } from '../../../src/profiles/roleSessionName';
import { type TempHome, tempHome } from '../../support/tempHome';

const USER_SERIAL = 'arn:aws:iam::123456789012:mfa/alice';
const ROLE_SERIAL = 'arn:aws:iam::123456789012:mfa/alice-role-device';
const WORK_SERIAL = 'arn:aws:iam::123456789012:mfa/work-device';
const ADMIN_ARN = 'arn:aws:iam::111111111111:role/Admin';
const A_ARN = 'arn:aws:iam::111111111111:role/A';
const B_ARN = 'arn:aws:iam::222222222222:role/path/B';
const USER_KEYS = { profile: 'user', accessKeyId: 'AKIAUSER000000000000', secretAccessKey: 'user-secret' };

const NOW = new Date('2030-01-01T00:00:00Z');
const STAMP = String(NOW.getTime() / 1000);
const OPTIONS: PlanOptions = { userName: 'alice', now: NOW };
const SESSION_NAME = /^mfa-env-[\w+=,.@-]+-\d+$/;

let home: TempHome;

beforeEach(() => {
  home = tempHome({
    config: [
      '[profile user]',
      `mfa_serial = ${USER_SERIAL}`,
      'region = eu-west-1',
      'endpoint_url = http://127.0.0.1:4001',
      '',
      '[profile plain-user]',
      `mfa_serial = ${USER_SERIAL}`,
      'duration_seconds = 3600',
      '',
      '[profile role]',
      `role_arn = ${ADMIN_ARN}`,
      'source_profile = user',
      '',
      '[profile role-full]',
      `role_arn = ${ADMIN_ARN}`,
      'source_profile = user',
      'role_session_name = alice.work@example.com',
      'external_id = ext-1234:abc/def',
      'duration_seconds = 7200',
      `mfa_serial = ${ROLE_SERIAL}`,
      'region = us-east-2',
      'endpoint_url = http://127.0.0.1:4002',
      '',
      '[profile role-of-plain]',
      `role_arn = ${ADMIN_ARN}`,
      'source_profile = plain-user',
      '',
      '[profile chain-a]',
      `role_arn = ${A_ARN}`,
      'source_profile = user',
      'role_session_name = hop-a',
      '',
      '[profile chain-b]',
      `role_arn = ${B_ARN}`,
      'source_profile = chain-a',
      'external_id = ext-b',
      '',
      '[profile chain-b-long]',
      `role_arn = ${B_ARN}`,
      'source_profile = chain-a',
      'duration_seconds = 7200',
      '',
      '[profile chain-a-long]',
      `role_arn = ${A_ARN}`,
      'source_profile = user',
      'duration_seconds = 43200',
      '',
      '[profile chain-b-of-long-a]',
      `role_arn = ${B_ARN}`,
      'source_profile = chain-a-long',
      '',
      '[profile self]',
      `role_arn = ${ADMIN_ARN}`,
      'source_profile = self',
      `mfa_serial = ${ROLE_SERIAL}`,
      '',
      '[profile work-role]',
      `role_arn = ${ADMIN_ARN}`,
      'source_profile = work',
      '',
    ].join('\n'),
    credentials: [
      '[user]',
      `aws_access_key_id = ${USER_KEYS.accessKeyId}`,
      `aws_secret_access_key = ${USER_KEYS.secretAccessKey}`,
      '',
      '[plain-user]',
      'aws_access_key_id = AKIAPLAIN00000000000',
      'aws_secret_access_key = plain-secret',
      '',
      '[self]',
      'aws_access_key_id = AKIASELF000000000000',
      'aws_secret_access_key = self-secret',
      '',
      // aws-mfa (broamski): long-term keys in NAME-long-term, the session it made in NAME.
      '[work-long-term]',
      'aws_access_key_id = AKIAWORKLONGTERM0000',
      'aws_secret_access_key = work-long-term-secret',
      `aws_mfa_device = ${WORK_SERIAL}`,
      '',
      '[work]',
      'assumed_role = False',
      'aws_access_key_id = ASIAWORKTEMPORARY000',
      'aws_secret_access_key = work-temporary-secret',
      'aws_session_token = work-temporary-token',
      'expiration = 2030-01-01 12:00:00',
      '',
      // aws-mfa before its first run: no [fresh] yet.
      '[fresh-long-term]',
      'aws_access_key_id = AKIAFRESHLONGTERM000',
      'aws_secret_access_key = fresh-long-term-secret',
      `aws_mfa_device = ${WORK_SERIAL}`,
      'region = ca-central-1',
      '',
    ].join('\n'),
  });
});
afterEach(() => home.remove());

async function plan(name: string, options: PlanOptions = OPTIONS, env: Env = home.env) {
  return resolvePlan(new ProfileSet(await loadConfigFiles(env)), name, env, options);
}

/** The error resolving `name` fails with (the test fails if it does not). */
async function failure(name: string, options: PlanOptions = OPTIONS): Promise<Error> {
  const result = await plan(name, options).then(
    (p) => p,
    (e: unknown) => e as Error,
  );
  if (!(result instanceof Error))
    throw new Error(`expected profile ${name} to be refused, got a plan: ${JSON.stringify(result)}`);
  return result;
}

/** Replaces the config file (the credentials file stays) with these extra sections. */
function config(...lines: string[]): void {
  home.write({ config: [...lines, ''].join('\n') });
}

describe('a role profile', () => {
  it('assumes its role_arn with the keys of its source_profile', async () => {
    expect(await plan('role')).toEqual({
      profile: 'role',
      keys: USER_KEYS,
      mfaSerial: USER_SERIAL,
      sessionDurationSeconds: 43200,
      roles: [
        {
          profile: 'role',
          roleArn: ADMIN_ARN,
          sessionName: `mfa-env-alice-${STAMP}`,
          sessionNameConfigured: false,
          externalId: undefined,
          durationSeconds: 3600,
        },
      ],
      region: undefined,
      stsRegion: 'us-east-1',
      endpoint: 'http://127.0.0.1:4001',
    });
  });

  it('honours role_session_name, external_id and duration_seconds', async () => {
    const p = await plan('role-full');
    expect(p.roles).toEqual([
      {
        profile: 'role-full',
        roleArn: ADMIN_ARN,
        sessionName: 'alice.work@example.com',
        sessionNameConfigured: true,
        externalId: 'ext-1234:abc/def',
        durationSeconds: 7200,
      },
    ]);
    expect(p.keys).toEqual(USER_KEYS);
  });

  it('works when it names itself as source_profile and holds keys of its own (as the AWS CLI allows)', async () => {
    const p = await plan('self');
    expect(p.keys).toEqual({ profile: 'self', accessKeyId: 'AKIASELF000000000000', secretAccessKey: 'self-secret' });
    expect(p.roles).toHaveLength(1);
    expect(p.roles[0]).toMatchObject({ profile: 'self', roleArn: ADMIN_ARN });
    expect(p.mfaSerial).toBe(ROLE_SERIAL);
  });

  it("has its own region, not its source profile's", async () => {
    const own = await plan('role-full');
    expect(own.region).toBe('us-east-2');
    expect(own.stsRegion).toBe('us-east-2');
    const none = await plan('role');
    expect(none.region).toBeUndefined();
  });

  it('takes endpoint_url from the role profile first, then from its source', async () => {
    expect((await plan('role-full')).endpoint).toBe('http://127.0.0.1:4002');
    expect((await plan('role')).endpoint).toBe('http://127.0.0.1:4001');
    expect((await plan('chain-b')).endpoint).toBe('http://127.0.0.1:4001');
  });
});

describe('role session names', () => {
  it('generates mfa-env-USER-EPOCH when none is configured', async () => {
    const p = await plan('role', { userName: 'alice', now: NOW });
    expect(p.roles[0].sessionName).toBe(`mfa-env-alice-${STAMP}`);
    expect(p.roles[0].sessionNameConfigured).toBe(false);
  });

  it.each([
    ['a very long user name', 'x'.repeat(300)],
    ['an odd user name', 'DOMAIN\\John Smith/../$(rm -rf ~);"\'\t\n'],
    ['a non-ASCII user name', 'Jürgen Größe'],
    ['an empty user name', ''],
  ])('keeps a generated name within STS rules for %s', async (_what, userName) => {
    const name = (await plan('role', { userName, now: NOW })).roles[0].sessionName;
    expect(name).toMatch(SESSION_NAME);
    expect(name.length).toBeGreaterThanOrEqual(2);
    expect(name.length).toBeLessThanOrEqual(64);
    expect(name.endsWith(`-${STAMP}`)).toBe(true);
  });

  it('defaultSessionName cuts a 100-character user name to fit 64 characters', () => {
    const name = defaultSessionName('u'.repeat(100), NOW);
    expect(name).toMatch(SESSION_NAME);
    expect(name).toHaveLength(64);
    expect(name).toBe(`mfa-env-${'u'.repeat(64 - 'mfa-env--'.length - STAMP.length)}-${STAMP}`);
  });

  it('defaultSessionName replaces spaces, slashes and the like', () => {
    const name = defaultSessionName('  john / doe \\ x  ', NOW);
    expect(name).toMatch(SESSION_NAME);
    expect(name).not.toMatch(/[\s/\\]/);
    expect(name.length).toBeGreaterThanOrEqual(2);
    expect(name.length).toBeLessThanOrEqual(64);
    expect(defaultSessionName('a@b.c+d=e,f_g-h', NOW)).toBe(`mfa-env-a@b.c+d=e,f_g-h-${STAMP}`);
  });

  it('defaultSessionName works with the current user and the time given', () => {
    const before = Math.floor(Date.now() / 1000);
    const name = defaultSessionName(undefined, new Date());
    expect(name).toMatch(SESSION_NAME);
    expect(name.length).toBeLessThanOrEqual(64);
    expect(Number(/-(\d+)$/.exec(name)![1])).toBeGreaterThanOrEqual(before);
  });

  it.each([
    ['with a space', 'alice work'],
    ['of 1 character', 'a'],
    ['of 65 characters', 'a'.repeat(65)],
    ['with a slash', 'alice/work'],
  ])('refuses a role_session_name %s, naming the key and the profile', async (_what, value) => {
    config(
      '[profile r]',
      `role_arn = ${ADMIN_ARN}`,
      'source_profile = user',
      `role_session_name = ${value}`,
      `mfa_serial = ${USER_SERIAL}`,
    );
    const error = await failure('r');
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toMatch(/^role_session_name of profile "r" in ".*config" is /);
    expect(error.message).toContain('2-64 characters');
  });

  it('accepts role_session_names of 2 and 64 characters', async () => {
    for (const value of ['ab', 'a'.repeat(64)]) {
      config(
        '[profile r]',
        `role_arn = ${ADMIN_ARN}`,
        'source_profile = user',
        `role_session_name = ${value}`,
        `mfa_serial = ${USER_SERIAL}`,
      );
      expect((await plan('r')).roles[0].sessionName).toBe(value);
    }
  });
});

describe('role durations', () => {
  it('default to 1 hour', async () => {
    expect((await plan('role')).roles[0].durationSeconds).toBe(3600);
  });

  it("--duration sets the requested role's session, not the MFA session", async () => {
    const p = await plan('role', { ...OPTIONS, durationSeconds: 43200 });
    expect(p.roles[0].durationSeconds).toBe(43200);
    expect(p.sessionDurationSeconds).toBe(43200);
    const q = await plan('role', { ...OPTIONS, durationSeconds: 900 });
    expect(q.roles[0].durationSeconds).toBe(900);
    expect(q.sessionDurationSeconds).toBe(43200);
  });

  it("--duration overrides the role profile's duration_seconds", async () => {
    expect((await plan('role-full', { ...OPTIONS, durationSeconds: 1800 })).roles[0].durationSeconds).toBe(1800);
  });

  it('--duration applies to the requested (last) role of a chain only', async () => {
    const p = await plan('chain-b', { ...OPTIONS, durationSeconds: 1800 });
    expect(p.roles.map((r) => [r.profile, r.durationSeconds])).toEqual([
      ['chain-a', 3600],
      ['chain-b', 1800],
    ]);
  });

  it.each([899, 43201, 129600])('refuses --duration %d for a role, giving the allowed range', async (seconds) => {
    const error = await failure('role', { ...OPTIONS, durationSeconds: seconds });
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toMatch(/^--duration is /);
    expect(error.message).toContain('900-43200 seconds');
  });

  it.each(['899', '43201'])(
    'refuses duration_seconds = %s in a role profile, naming it and giving the allowed range',
    async (value) => {
      config(
        '[profile r]',
        `role_arn = ${ADMIN_ARN}`,
        'source_profile = user',
        `duration_seconds = ${value}`,
        `mfa_serial = ${USER_SERIAL}`,
      );
      const error = await failure('r');
      expect(error).toBeInstanceOf(ConfigError);
      expect(error.message).toMatch(/^duration_seconds of profile "r" in ".*config" is /);
      expect(error.message).toContain(`(${value} s), out of range`);
      expect(error.message).toContain('900-43200 seconds');
    },
  );

  it('accepts the bounds 900 and 43200', async () => {
    expect((await plan('role', { ...OPTIONS, durationSeconds: 900 })).roles[0].durationSeconds).toBe(900);
    expect((await plan('role', { ...OPTIONS, durationSeconds: 43200 })).roles[0].durationSeconds).toBe(43200);
  });
});

describe('role chaining', () => {
  it('gives the hops in the order they are assumed: the role nearest the keys first', async () => {
    const p = await plan('chain-b');
    expect(p.profile).toBe('chain-b');
    expect(p.keys).toEqual(USER_KEYS);
    expect(p.mfaSerial).toBe(USER_SERIAL);
    expect(p.roles).toEqual([
      {
        profile: 'chain-a',
        roleArn: A_ARN,
        sessionName: 'hop-a',
        sessionNameConfigured: true,
        externalId: undefined,
        durationSeconds: 3600,
      },
      {
        profile: 'chain-b',
        roleArn: B_ARN,
        sessionName: `mfa-env-alice-${STAMP}`,
        sessionNameConfigured: false,
        externalId: 'ext-b',
        durationSeconds: 3600,
      },
    ]);
  });

  it('lets the first hop be long (it is assumed with the keys) and keeps later ones at 1 hour', async () => {
    const p = await plan('chain-b-of-long-a');
    expect(p.roles.map((r) => r.durationSeconds)).toEqual([43200, 3600]);
  });

  it('refuses a chained hop configured for more than 1 hour, saying why', async () => {
    const error = await failure('chain-b-long');
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toMatch(
      /^duration_seconds of profile "chain-b-long" in ".*config" is 2h \(7200 s\), out of range/,
    );
    expect(error.message).toMatch(/role chaining/);
    expect(error.message).toContain('900-3600 seconds');
  });

  it('refuses --duration over 1 hour for a chained role, saying why', async () => {
    const error = await failure('chain-b', { ...OPTIONS, durationSeconds: 3601 });
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toMatch(/^--duration is /);
    expect(error.message).toMatch(/another role|role chaining/);
    expect(error.message).toMatch(/\b1h\b|1 hour/);
    expect(error.message).toContain('900-3600 seconds');
    // 1 hour itself is fine.
    expect((await plan('chain-b', { ...OPTIONS, durationSeconds: 3600 })).roles[1].durationSeconds).toBe(3600);
  });

  it('reports a source_profile loop with the whole chain', async () => {
    config(
      '[profile a]',
      `role_arn = ${A_ARN}`,
      'source_profile = b',
      '',
      '[profile b]',
      `role_arn = ${B_ARN}`,
      'source_profile = a',
    );
    for (const name of ['a', 'b']) {
      const error = await failure(name);
      expect(error).toBeInstanceOf(ConfigError);
      expect(error.message).toContain('source_profile loop');
    }
    expect((await failure('a')).message).toContain('"a" -> "b" -> "a"');
    expect((await failure('b')).message).toContain('"b" -> "a" -> "b"');
  });

  it('reports a role profile that is its own source but has no keys as a loop', async () => {
    config('[profile a]', `role_arn = ${A_ARN}`, 'source_profile = a', `mfa_serial = ${USER_SERIAL}`);
    const error = await failure('a');
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toContain('source_profile loop: "a" -> "a"');
  });

  it('reports a loop further down the chain', async () => {
    config(
      '[profile top]',
      `role_arn = ${A_ARN}`,
      'source_profile = a',
      '',
      '[profile a]',
      `role_arn = ${A_ARN}`,
      'source_profile = b',
      '',
      '[profile b]',
      `role_arn = ${B_ARN}`,
      'source_profile = a',
    );
    expect((await failure('top')).message).toContain('"top" -> "a" -> "b" -> "a"');
  });
});

describe('where the MFA device comes from', () => {
  it("the role profile's own mfa_serial", async () => {
    expect((await plan('role-full')).mfaSerial).toBe(ROLE_SERIAL);
  });

  it("only the source profile's mfa_serial (awsume style)", async () => {
    expect((await plan('role')).mfaSerial).toBe(USER_SERIAL);
  });

  it("the role profile's mfa_serial wins over its source's", async () => {
    config(
      '[profile user]',
      `mfa_serial = ${USER_SERIAL}`,
      '',
      '[profile r]',
      `role_arn = ${ADMIN_ARN}`,
      'source_profile = user',
      `mfa_serial = ${ROLE_SERIAL}`,
    );
    expect((await plan('r')).mfaSerial).toBe(ROLE_SERIAL);
  });

  it('the nearest role of a chain that has one', async () => {
    config(
      '[profile user]',
      `mfa_serial = ${USER_SERIAL}`,
      '',
      '[profile a]',
      `role_arn = ${A_ARN}`,
      'source_profile = user',
      `mfa_serial = ${ROLE_SERIAL}`,
      '',
      '[profile b]',
      `role_arn = ${B_ARN}`,
      'source_profile = a',
    );
    expect((await plan('b')).mfaSerial).toBe(ROLE_SERIAL);
  });

  it("aws_mfa_device in the source's NAME-long-term section (aws-mfa)", async () => {
    const p = await plan('work-role');
    expect(p.mfaSerial).toBe(WORK_SERIAL);
    expect(p.keys).toEqual({
      profile: 'work-long-term',
      accessKeyId: 'AKIAWORKLONGTERM0000',
      secretAccessKey: 'work-long-term-secret',
    });
    expect(p.roles.map((r) => r.roleArn)).toEqual([ADMIN_ARN]);
  });

  it('names the role and its source when neither has one', async () => {
    config('[profile user]', '', '[profile r]', `role_arn = ${ADMIN_ARN}`, 'source_profile = user');
    const error = await failure('r');
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toMatch(/^profile "r" has no mfa_serial \(nor has its source profile "user"\)/);
  });
});

describe('role profiles mfa-env cannot use', () => {
  it.each([
    [
      'no source_profile',
      [`role_arn = ${ADMIN_ARN}`, `mfa_serial = ${USER_SERIAL}`],
      /^profile "r" has role_arn but no source_profile; add "source_profile = PROFILE_WITH_KEYS" to it in ".*config"$/,
    ],
    [
      'a source_profile that does not exist',
      [`role_arn = ${ADMIN_ARN}`, 'source_profile = ghost', `mfa_serial = ${USER_SERIAL}`],
      /^source_profile "ghost" of profile "r" not found in ".*config" or ".*credentials"; profiles there: "/,
    ],
    [
      'credential_source instead of source_profile',
      [`role_arn = ${ADMIN_ARN}`, 'credential_source = Ec2InstanceMetadata', `mfa_serial = ${USER_SERIAL}`],
      /^profile "r" takes its credentials from credential_source, which mfa-env cannot use/,
    ],
    [
      'an invalid role_arn',
      ['role_arn = arn:aws:iam::123:role/x', 'source_profile = user', `mfa_serial = ${USER_SERIAL}`],
      /^role_arn of profile "r" in ".*config" is "arn:aws:iam::123:role\/x", not a role ARN/,
    ],
    [
      'a user ARN as role_arn',
      ['role_arn = arn:aws:iam::123456789012:user/alice', 'source_profile = user', `mfa_serial = ${USER_SERIAL}`],
      /^role_arn of profile "r" in ".*config" is .*, not a role ARN/,
    ],
    [
      'an external_id of 1 character',
      [`role_arn = ${ADMIN_ARN}`, 'source_profile = user', 'external_id = x', `mfa_serial = ${USER_SERIAL}`],
      /^external_id of profile "r" in ".*config" is "x"; an external id is 2-1224 characters/,
    ],
    [
      'an external_id with a space',
      [`role_arn = ${ADMIN_ARN}`, 'source_profile = user', 'external_id = two words', `mfa_serial = ${USER_SERIAL}`],
      /^external_id of profile "r" in ".*config" is "two words"/,
    ],
    [
      'a duration_seconds that is not a number',
      [`role_arn = ${ADMIN_ARN}`, 'source_profile = user', 'duration_seconds = long', `mfa_serial = ${USER_SERIAL}`],
      /^duration_seconds of profile "r" in ".*config" is "long", not a number of seconds$/,
    ],
  ])('refuses %s, naming the profile', async (_what, lines, message) => {
    config('[profile r]', ...(lines as string[]));
    const error = await failure('r');
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toMatch(message as RegExp);
  });

  it('names the source profile when it holds no keys', async () => {
    config(
      '[profile keyless]',
      `mfa_serial = ${USER_SERIAL}`,
      '',
      '[profile r]',
      `role_arn = ${ADMIN_ARN}`,
      'source_profile = keyless',
    );
    const error = await failure('r');
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toMatch(/^profile "keyless" has no aws_access_key_id/);
  });

  it('refuses a source_profile that holds only temporary credentials', async () => {
    config('[profile r]', `role_arn = ${ADMIN_ARN}`, 'source_profile = temp', `mfa_serial = ${USER_SERIAL}`);
    home.write({
      credentials: [
        '[temp]',
        'aws_access_key_id = ASIATEMP000000000000',
        'aws_secret_access_key = s',
        'aws_session_token = t',
        '',
      ].join('\n'),
    });
    const error = await failure('r');
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toMatch(/^profile "temp" holds temporary credentials/);
  });
});

describe('aws-mfa layout', () => {
  it('takes the keys and aws_mfa_device from NAME-long-term when NAME holds only the temporary keys aws-mfa wrote', async () => {
    const p = await plan('work');
    expect(p.profile).toBe('work');
    expect(p.keys).toEqual({
      profile: 'work-long-term',
      accessKeyId: 'AKIAWORKLONGTERM0000',
      secretAccessKey: 'work-long-term-secret',
    });
    expect(p.mfaSerial).toBe(WORK_SERIAL);
    expect(p.roles).toEqual([]);
    expect(p.sessionDurationSeconds).toBe(43200);
  });

  it('works before aws-mfa ever ran, when NAME does not exist yet', async () => {
    const p = await plan('fresh');
    expect(p.profile).toBe('fresh');
    expect(p.keys).toEqual({
      profile: 'fresh-long-term',
      accessKeyId: 'AKIAFRESHLONGTERM000',
      secretAccessKey: 'fresh-long-term-secret',
    });
    expect(p.mfaSerial).toBe(WORK_SERIAL);
    expect(p.region).toBe('ca-central-1');
  });

  it('serves a role whose source_profile exists only as NAME-long-term (aws-mfa before its first run)', async () => {
    config('[profile fresh-role]', `role_arn = ${ADMIN_ARN}`, 'source_profile = fresh');
    const p = await plan('fresh-role');
    expect(p.keys).toEqual({
      profile: 'fresh-long-term',
      accessKeyId: 'AKIAFRESHLONGTERM000',
      secretAccessKey: 'fresh-long-term-secret',
    });
    expect(p.mfaSerial).toBe(WORK_SERIAL);
  });

  it('serves a role whose source_profile NAME has no keys, with the keys in NAME-long-term', async () => {
    config(
      '[profile fresh]',
      'output = json',
      '',
      '[profile fresh-role]',
      `role_arn = ${ADMIN_ARN}`,
      'source_profile = fresh',
    );
    const p = await plan('fresh-role');
    expect(p.keys).toEqual({
      profile: 'fresh-long-term',
      accessKeyId: 'AKIAFRESHLONGTERM000',
      secretAccessKey: 'fresh-long-term-secret',
    });
    expect(p.mfaSerial).toBe(WORK_SERIAL);
  });

  it('prefers mfa_serial on NAME (config file) over aws_mfa_device in NAME-long-term', async () => {
    config('[profile work]', `mfa_serial = ${USER_SERIAL}`);
    expect((await plan('work')).mfaSerial).toBe(USER_SERIAL);
  });

  it('still says which profile is missing when neither NAME nor NAME-long-term exists', async () => {
    const error = await failure('nowhere');
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toMatch(/^profile "nowhere" not found/);
  });
});

describe('the MFA session length (sessionDurationSeconds)', () => {
  it("is a user profile's own duration_seconds", async () => {
    expect((await plan('plain-user')).sessionDurationSeconds).toBe(3600);
  });

  it('is --duration for a user profile', async () => {
    expect((await plan('plain-user', { ...OPTIONS, durationSeconds: 129600 })).sessionDurationSeconds).toBe(129600);
  });

  it('is 12 hours for a user profile without duration_seconds', async () => {
    expect((await plan('user')).sessionDurationSeconds).toBe(43200);
  });

  it("comes from the source's duration_seconds for a role profile, not the role's", async () => {
    const p = await plan('role-of-plain');
    expect(p.sessionDurationSeconds).toBe(3600);
    expect(p.roles[0].durationSeconds).toBe(3600);
    const q = await plan('role-full');
    expect(q.sessionDurationSeconds).toBe(43200);
    expect(q.roles[0].durationSeconds).toBe(7200);
  });

  it('defaults to 12 hours for a role profile whose source has no duration_seconds', async () => {
    expect((await plan('role')).sessionDurationSeconds).toBe(43200);
    expect((await plan('chain-b')).sessionDurationSeconds).toBe(43200);
  });

  it("refuses a user profile's duration_seconds outside 900-129600, naming it", async () => {
    config('[profile u]', `mfa_serial = ${USER_SERIAL}`, 'duration_seconds = 129601');
    home.write({
      credentials: ['[u]', `aws_access_key_id = ${USER_KEYS.accessKeyId}`, 'aws_secret_access_key = s', ''].join('\n'),
    });
    const error = await failure('u');
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toMatch(/^duration_seconds of profile "u" in ".*config" is .*900-129600 seconds/);
  });
});
