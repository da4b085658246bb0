import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../../../src/errors';
import { type Env, loadConfigFiles } from '../../../src/profiles/configFiles';
import { ProfileSet } from '../../../src/profiles/profileSet';
import { type PlanOptions, resolvePlan } from '../../../src/profiles/resolvePlan';
import { type TempHome, tempHome } from '../../support/tempHome';

const SERIAL = 'arn:aws:iam::123456789012:mfa/demo-user';
let home: TempHome;

beforeEach(() => {
  home = tempHome({
    config: [
      '[default]',
      'region = us-west-2',
      '',
      '[profile demo-user]',
      `mfa_serial = ${SERIAL}`,
      'region = eu-west-1',
      '',
      '[profile odd.name@x+y/z%q:1]',
      `mfa_serial = ${SERIAL}`,
      '',
      '[profile no-mfa]',
      '',
      '[profile local]',
      `mfa_serial = ${SERIAL}`,
      'endpoint_url = http://127.0.0.1:4566',
      'services = local-sts',
      '',
      '[services local-sts]',
      'sts =',
      '  endpoint_url = http://127.0.0.1:9999',
      '',
      '[profile gov]',
      'mfa_serial = arn:aws-us-gov:iam::123456789012:mfa/gov',
      '',
      '[profile bad-region]',
      `mfa_serial = ${SERIAL}`,
      'region = $(touch /tmp/pwned)',
      '',
    ].join('\n'),
    credentials: [
      '[default]',
      'aws_access_key_id = AKIADEFAULT000000000',
      'aws_secret_access_key = default-secret',
      '',
      '[demo-user]',
      'aws_access_key_id = AKIADEMO000000000000',
      'aws_secret_access_key = demo-secret',
      'region = ap-south-1',
      '',
      '[odd.name@x+y/z%q:1]',
      'aws_access_key_id = AKIAODD0000000000000',
      'aws_secret_access_key = odd-secret',
      '',
      '[no-mfa]',
      'aws_access_key_id = AKIANOMFA00000000000',
      'aws_secret_access_key = no-mfa-secret',
      '',
      '[no-secret]',
      'aws_access_key_id = AKIANOSECRET00000000',
      `mfa_serial = ${SERIAL}`,
      '',
      '[temporary]',
      'aws_access_key_id = ASIATEMP000000000000',
      'aws_secret_access_key = temp-secret',
      'aws_session_token = token',
      `mfa_serial = ${SERIAL}`,
      '',
      '[local]',
      'aws_access_key_id = AKIALOCAL00000000000',
      'aws_secret_access_key = local-secret',
      '',
      '[gov]',
      'aws_access_key_id = AKIAGOV0000000000000',
      'aws_secret_access_key = gov-secret',
      '',
      '[bad-region]',
      'aws_access_key_id = AKIABAD0000000000000',
      'aws_secret_access_key = bad-secret',
      '',
    ].join('\n'),
  });
});
afterEach(() => home.remove());

async function plan(name: string, env: Env = home.env, options: Partial<PlanOptions> = {}) {
  return resolvePlan(new ProfileSet(await loadConfigFiles(env)), name, env, { now: new Date(), ...options });
}

describe('resolvePlan', () => {
  it('combines both files, the credentials file winning on a clash', async () => {
    expect(await plan('demo-user')).toEqual({
      profile: 'demo-user',
      keys: { profile: 'demo-user', accessKeyId: 'AKIADEMO000000000000', secretAccessKey: 'demo-secret' },
      mfaSerial: SERIAL,
      sessionDurationSeconds: 43200,
      roles: [],
      region: 'ap-south-1',
      stsRegion: 'ap-south-1',
      endpoint: undefined,
    });
  });

  it('reads AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE instead of ~/.aws', async () => {
    const env = {
      ...home.env,
      HOME: '/nonexistent',
      AWS_CONFIG_FILE: home.configPath,
      AWS_SHARED_CREDENTIALS_FILE: home.credentialsPath,
    };
    expect((await plan('demo-user', env)).keys.accessKeyId).toBe('AKIADEMO000000000000');
  });

  it('takes profile names with the characters the SDK allows', async () => {
    expect((await plan('odd.name@x+y/z%q:1')).keys.accessKeyId).toBe('AKIAODD0000000000000');
  });

  it('lets --mfa-serial and --duration override the profile', async () => {
    const p = await plan('no-mfa', home.env, { mfaSerial: 'GAHT12345678', durationSeconds: 900 });
    expect(p.mfaSerial).toBe('GAHT12345678');
    expect(p.sessionDurationSeconds).toBe(900);
  });

  it('calls STS in the region from the environment first, then the profile, then the partition of the device', async () => {
    expect((await plan('demo-user', { ...home.env, AWS_REGION: 'us-east-2' })).stsRegion).toBe('us-east-2');
    expect((await plan('demo-user', { ...home.env, AWS_DEFAULT_REGION: 'ca-central-1' })).stsRegion).toBe(
      'ca-central-1',
    );
    const gov = await plan('gov');
    expect(gov.stsRegion).toBe('us-gov-west-1');
    expect(gov.region).toBeUndefined();
  });

  it('finds the STS endpoint by the SDK precedence', async () => {
    expect((await plan('local')).endpoint).toBe('http://127.0.0.1:9999');
    expect((await plan('local', { ...home.env, AWS_ENDPOINT_URL: 'http://127.0.0.1:1' })).endpoint).toBe(
      'http://127.0.0.1:1',
    );
    expect(
      (
        await plan('local', {
          ...home.env,
          AWS_ENDPOINT_URL: 'http://127.0.0.1:1',
          AWS_ENDPOINT_URL_STS: 'http://127.0.0.1:2',
        })
      ).endpoint,
    ).toBe('http://127.0.0.1:2');
    expect(
      (
        await plan(
          'local',
          { ...home.env, AWS_ENDPOINT_URL_STS: 'http://127.0.0.1:2' },
          { endpointUrl: 'https://sts.example' },
        )
      ).endpoint,
    ).toBe('https://sts.example');
    expect(
      (await plan('local', { ...home.env, AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true', AWS_ENDPOINT_URL: 'http://x' }))
        .endpoint,
    ).toBeUndefined();
    expect((await plan('demo-user')).endpoint).toBeUndefined();
  });

  it.each([
    ['nope', /^profile "nope" not found in ".*\/\.aws\/config" or ".*\/\.aws\/credentials"; profiles there: "/],
    ['toString', /^profile "toString" not found/],
    [
      'no-mfa',
      /^profile "no-mfa" has no mfa_serial; add "mfa_serial = arn:aws:iam::ACCOUNT_ID:mfa\/DEVICE" to it in ".*config" or pass --mfa-serial$/,
    ],
    ['no-secret', /^profile "no-secret" has no aws_secret_access_key; add the IAM user's access keys/],
    [
      'temporary',
      /^profile "temporary" holds temporary credentials \(aws_session_token in ".*credentials"\); mfa-env needs the IAM user's long-term keys, there or in \[temporary-long-term\]$/,
    ],
    [
      'bad-region',
      /^region of profile "bad-region" in ".*config" is "\$\(touch \/tmp\/pwned\)", not a region name like us-east-1$/,
    ],
  ])('explains what is wrong with profile %s', async (name, message) => {
    const error = await plan(name).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(message);
  });

  it('refuses an MFA serial that is not one, naming where it came from', async () => {
    await expect(plan('no-mfa', home.env, { mfaSerial: 'x;rm -rf' })).rejects.toThrow(
      /^--mfa-serial is "x;rm -rf", not an MFA device/,
    );
  });

  it('refuses an endpoint that is not a URL', async () => {
    await expect(plan('demo-user', { ...home.env, AWS_ENDPOINT_URL_STS: 'not a url' })).rejects.toThrow(
      /^AWS_ENDPOINT_URL_STS is "not a url", not an http\(s\) URL$/,
    );
  });
});

describe('keys from a keystore (the OS keyring, passed in)', () => {
  const KEYRING = { accessKeyId: 'AKIAKEYRING000000000', secretAccessKey: 'keyring-secret' };
  /** A keystore holding keys for the given accounts, noting every lookup. */
  function keystore(accounts: string[]) {
    const asked: string[] = [];
    return {
      asked,
      lookup: (account: string) => {
        asked.push(account);
        return accounts.includes(account) ? KEYRING : undefined;
      },
    };
  }

  it('is asked only when the files hold no long-term keys: files win, and temporary keys are none', async () => {
    const store = keystore(['demo-user', 'temporary', 'no-mfa']);
    expect((await plan('demo-user', home.env, { keystore: store.lookup })).keys).toEqual({
      profile: 'demo-user',
      accessKeyId: 'AKIADEMO000000000000',
      secretAccessKey: 'demo-secret',
    });
    expect(store.asked).toEqual([]);
    // Named after the section they would be in: next to the temporary keys, aws-mfa's -long-term one.
    expect((await plan('temporary', home.env, { keystore: store.lookup })).keys).toEqual({
      profile: 'temporary-long-term',
      ...KEYRING,
      inKeyring: true,
    });
    home.write({
      config: `${readFileSync(home.configPath, 'utf8')}\n[profile keyring-user]\nmfa_serial = ${SERIAL}\n`,
    });
    await expect(plan('keyring-user', home.env, { keystore: store.lookup })).rejects.toThrow(
      /^profile "keyring-user" has no aws_access_key_id; add the IAM user's access keys to it \(aws configure --profile keyring-user\) or to the OS keyring \(mfa-env keys add keyring-user\)$/,
    );
    expect(store.asked).toEqual(['temporary', 'keyring-user']);
  });

  it("aws-mfa's NAME-long-term and NAME are one account, NAME; a role takes its source's", async () => {
    home.write({
      config: `${readFileSync(home.configPath, 'utf8')}\n[profile via-role]\nrole_arn = arn:aws:iam::123456789012:role/r\nsource_profile = aws-mfa\n`,
      credentials: `[aws-mfa-long-term]\naws_mfa_device = ${SERIAL}\n`,
    });
    const store = keystore(['aws-mfa']);
    expect((await plan('aws-mfa', home.env, { keystore: store.lookup })).keys).toMatchObject({
      profile: 'aws-mfa-long-term',
      inKeyring: true,
    });
    expect((await plan('aws-mfa-long-term', home.env, { keystore: store.lookup })).keys).toMatchObject({
      profile: 'aws-mfa-long-term',
      inKeyring: true,
    });
    expect((await plan('via-role', home.env, { keystore: store.lookup })).keys).toMatchObject({
      profile: 'aws-mfa-long-term',
      accessKeyId: KEYRING.accessKeyId,
    });
    expect(store.asked).toEqual(['aws-mfa', 'aws-mfa', 'aws-mfa']);
  });

  it('half a pair in the files is an error still, and the keystore is not asked', async () => {
    const store = keystore(['no-secret']);
    await expect(plan('no-secret', home.env, { keystore: store.lookup })).rejects.toThrow(
      /^profile "no-secret" has no aws_secret_access_key; add the IAM user's access keys to it \(aws configure --profile no-secret\)$/,
    );
    expect(store.asked).toEqual([]);
  });
});

describe('loadConfigFiles', () => {
  it('treats missing files as empty', async () => {
    const files = await loadConfigFiles({ HOME: join(home.home, 'nowhere') });
    expect(files.config).toEqual({});
    expect(files.credentials).toEqual({});
  });

  it('names a file it cannot read', async () => {
    mkdirSync(join(home.home, 'dir'));
    await expect(loadConfigFiles({ ...home.env, AWS_CONFIG_FILE: join(home.home, 'dir') })).rejects.toThrow(
      /"\/.*\/dir": it is a directory, not a file$/,
    );
    if (process.getuid?.() !== 0) {
      chmodSync(home.credentialsPath, 0o000);
      await expect(loadConfigFiles(home.env)).rejects.toThrow(
        /credentials": permission denied; check its owner and mode$/,
      );
    }
  });

  it('refuses a named pipe in place of a file at once, instead of waiting for a writer forever', async () => {
    const fifo = join(home.home, 'fifo');
    execFileSync('mkfifo', [fifo]);
    await expect(loadConfigFiles({ ...home.env, AWS_CONFIG_FILE: fifo })).rejects.toThrow(
      /"\/.*\/fifo": it is a named pipe, not a file; point the AWS config variables at a file$/,
    );
  });

  it('reads /dev/null as an empty file (a common way to switch a file off)', async () => {
    const files = await loadConfigFiles({ ...home.env, AWS_CONFIG_FILE: '/dev/null' });
    expect(files.config).toEqual({});
    expect(Object.keys(files.credentials)).toContain('demo-user');
  });

  it.each(['[__proto__]', '[profile __proto__]', '  [__proto__]  ; comment', '[profile __proto__]\r'])(
    'names the file with %j, which makes the SDK drop every profile in it silently',
    async (header) => {
      writeFileSync(home.configPath, `[profile demo-user]\nregion = eu-west-1\n${header}\nregion = x\n`);
      await expect(loadConfigFiles(home.env)).rejects.toThrow(
        /config": a section named \[__proto__\] is not allowed \(the AWS SDKs ignore the whole file because of it\); rename or remove it$/,
      );
    },
  );

  it('leaves sections the SDK reads differently alone: [__proto__]x, [profile  __proto__], a key __proto__', async () => {
    writeFileSync(
      home.configPath,
      `[profile demo-user]\n__proto__ = 1\n[__proto__]x\n[profile  __proto__]\nregion = x\n`,
    );
    // ... and the SDK keeps the file (it would drop it all if it objected).
    expect(Object.keys((await loadConfigFiles(home.env)).config)).toContain('demo-user');
  });
});
