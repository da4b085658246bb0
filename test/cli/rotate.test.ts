// `mfa-env rotate`: end to end (the new key works at the server, the old one is deleted, the file is the same byte
// for byte outside the section), the layouts keys are kept in, and an injected failure at every IAM and STS call and
// at the write, each leaving a working key where the keys are stored and saying what is left to clean up.
import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { type AccountFixture, startAccountFixture } from '../support/accountFixture';
import { DEMO_USER } from '../support/fixture';
import { type SecretService, startSecretService } from '../support/secretService';
import type { StsFault } from '../support/sts-server';

let f: AccountFixture;
beforeEach(async () => {
  f = await startAccountFixture();
});
afterEach(() => f.stop());

const OLD = DEMO_USER.accessKeyId;
const OLD_SECRET = DEMO_USER.secretAccessKey;
const hint = (id: string) => `...${id.slice(-4)}`;

/** A credentials file as people keep them: comments, odd spacing, other profiles around the one that matters. */
function messyCredentials(): string {
  const others = (from: number, to: number) =>
    Array.from(
      { length: to - from },
      (_, k) =>
        `[p${from + k}]${k % 3 ? '' : '   # old'}\naws_access_key_id =  AKIA${String(from + k).padStart(16, '0')}\naws_secret_access_key=s${from + k}\n`,
    );
  return [
    '# ~/.aws/credentials, hand-edited',
    '',
    ...others(0, 12),
    '[demo-user]   ; the IAM user',
    `aws_access_key_id=${OLD}`,
    '; a comment inside',
    `aws_secret_access_key   =   ${OLD_SECRET}`,
    '',
    ...others(12, 25),
    '; the end',
    '',
  ].join('\n');
}

/** What the file holds for demo-user, and what IAM holds. */
function state(section = 'demo-user', path = f.home.credentialsPath) {
  const text = readFileSync(path, 'utf8');
  const body = text.split(/^\s*\[/m).find((s) => s.startsWith(`${section}]`)) ?? '';
  const key = /aws_access_key_id\s*=\s*(\S+)/.exec(body)?.[1] ?? '';
  const secret = /aws_secret_access_key\s*=\s*(\S+)/.exec(body)?.[1] ?? '';
  return {
    text,
    key,
    secret,
    works: f.server.keyWorks(key, secret),
    iam: f.server.accessKeysOf('demo-user').map((k) => k.accessKeyId),
  };
}

describe('rotate, end to end', () => {
  it('replaces the key: the new one works, the old one is gone, every other byte of the file is kept', async () => {
    const before = messyCredentials();
    writeFileSync(f.home.credentialsPath, before);
    chmodSync(f.home.credentialsPath, 0o640);
    f.server.keyPropagation = { calls: 2 };
    const result = await f.run(['rotate', 'demo-user', '-t', f.code()]);
    expect(result).toMatchObject({ status: 0, stdout: '' });

    const [made] = f.server.accessKeysOf('demo-user');
    expect(f.server.accessKeysOf('demo-user')).toHaveLength(1);
    expect(made.accessKeyId).not.toBe(OLD);
    expect(f.server.keyWorks(made.accessKeyId, made.secretAccessKey)).toBe(true);
    expect(f.server.keyWorks(OLD, OLD_SECRET)).toBe(false);
    const after = readFileSync(f.home.credentialsPath, 'utf8');
    expect(after).toBe(
      before
        .replace(`aws_access_key_id=${OLD}`, `aws_access_key_id=${made.accessKeyId}`)
        .replace(`aws_secret_access_key   =   ${OLD_SECRET}`, `aws_secret_access_key   =   ${made.secretAccessKey}`),
    );
    expect(statSync(f.home.credentialsPath).mode & 0o777).toBe(0o640);

    const where = `[demo-user] in "${f.home.credentialsPath}"`;
    expect(result.stderr).toBe(
      [
        `mfa-env: rotating access key ${hint(OLD)} of IAM user demo-user (${where})`,
        `mfa-env: created access key ${hint(made.accessKeyId)}; waiting for AWS to accept it`,
        `mfa-env: wrote access key ${hint(made.accessKeyId)} to ${where}`,
        `mfa-env: rotated: ${where} holds access key ${hint(made.accessKeyId)}, which works; the old key ${hint(OLD)} is deleted`,
        '',
      ].join('\n'),
    );
    // Every step with the MFA session, in order; the new key proven (twice refused while IAM propagated it).
    const mfaKey = f.server.issued[0].accessKeyId;
    expect(f.server.calls.map((c) => [c.action, c.accessKeyId, c.status])).toEqual([
      ['GetSessionToken', OLD, 200],
      ['GetCallerIdentity', OLD, 200],
      ['ListAccessKeys', mfaKey, 200],
      ['CreateAccessKey', mfaKey, 200],
      ['GetCallerIdentity', made.accessKeyId, 403],
      ['GetCallerIdentity', made.accessKeyId, 403],
      ['GetCallerIdentity', made.accessKeyId, 200],
      ['DeleteAccessKey', mfaKey, 200],
    ]);
    expect(f.server.callsOf('DeleteAccessKey')[0].params).toMatchObject({ UserName: 'demo-user', AccessKeyId: OLD });

    // The profile works with the new key; the MFA session serves it too, so no code is asked for.
    f.server.resetCalls();
    const next = await f.run(['prod', '--no-input']);
    expect(next.status).toBe(0);
    expect(f.server.calls.map((c) => c.action)).toEqual(['AssumeRole']);
    const fresh = await f.run(['demo-user', '--refresh', '-t', f.code()]);
    expect(fresh.status).toBe(0);
    expect(f.server.lastIssued()).toMatchObject({ action: 'GetSessionToken', sourceAccessKeyId: made.accessKeyId });
    // The secret never appears in a message.
    expect(result.stderr).not.toContain(made.secretAccessKey);
    expect(result.stderr).not.toContain(made.accessKeyId);
  });

  it('rotates the keys a role profile stands on, and a key AWS no longer takes', async () => {
    // An MFA session from before the key was made inactive still works, and rotate uses it.
    expect((await f.run(['demo-user', '-t', f.code()])).status).toBe(0);
    f.server.setAccessKeyStatus(OLD, 'Inactive');
    const result = await f.run(['rotate', 'prod', '--no-input']);
    expect(result.status).toBe(0);
    expect(result.stderr).toMatch(
      /rotated: \[demo-user\] in ".*" holds access key \.\.\.\w{4}, which works; the old key \.\.\.MPLE is deleted/,
    );
    const now = state();
    expect(now.works).toBe(true);
    expect(now.iam).toEqual([now.key]);
  });

  it('writes where the keys are: aws-mfa’s NAME-long-term section, or the config file', async () => {
    const temporary =
      '[demo-user]\naws_access_key_id = ASIAOLDSESSION000000\naws_secret_access_key = x\naws_session_token = y\nexpiration = 2020-01-01 00:00:00\n';
    const awsMfa = `# aws-mfa\n[demo-user-long-term]\naws_access_key_id = ${OLD}\naws_secret_access_key = ${OLD_SECRET}\naws_mfa_device = ${DEMO_USER.serial}\n\n${temporary}`;
    writeFileSync(f.home.credentialsPath, awsMfa);
    const result = await f.run(['rotate', 'demo-user', '-t', f.code()]);
    expect(result.status).toBe(0);
    expect(result.stderr).toContain(`([demo-user-long-term] in "${f.home.credentialsPath}")`);
    const now = state('demo-user-long-term');
    expect(now.works).toBe(true);
    expect(now.text).toBe(awsMfa.replace(OLD, now.key).replace(OLD_SECRET, now.secret));

    // Keys in the config file stay there.
    const config = readFileSync(f.home.configPath, 'utf8').replace(
      '[profile demo-user]\n',
      `[profile demo-user]\naws_access_key_id = ${now.key}\naws_secret_access_key = ${now.secret}\n`,
    );
    writeFileSync(f.home.configPath, config);
    writeFileSync(f.home.credentialsPath, '');
    const again = await f.run(['rotate', 'demo-user', '-t', f.code()]);
    expect(again.status).toBe(0);
    const inConfig = state('profile demo-user', f.home.configPath);
    expect(inConfig.works).toBe(true);
    expect(inConfig.key).not.toBe(now.key);
    expect(readFileSync(f.home.credentialsPath, 'utf8')).toBe('');
  });

  it('refuses before any call what it could not finish: keys split over two files, a section the SDKs would read otherwise', async () => {
    writeFileSync(f.home.credentialsPath, `[demo-user]\naws_access_key_id = ${OLD}\n`);
    writeFileSync(
      f.home.configPath,
      readFileSync(f.home.configPath, 'utf8').replace(
        '[profile demo-user]\n',
        `[profile demo-user]\naws_secret_access_key = ${OLD_SECRET}\n`,
      ),
    );
    const split = await f.run(['rotate', 'demo-user', '-t', f.code()]);
    expect(split).toMatchObject({ status: 3, stdout: '' });
    expect(split.stderr).toMatch(/the keys of profile "demo-user" are split over two files/);

    // The second [demo-user] is the one the SDKs read; an edit of the first would not change what they see.
    writeFileSync(
      f.home.credentialsPath,
      `[demo-user]\noutput = json\n\n[demo-user]\naws_access_key_id = ${OLD}\naws_secret_access_key = ${OLD_SECRET}\n`,
    );
    const duplicate = await f.run(['rotate', 'demo-user', '-t', f.code()]);
    expect(duplicate).toMatchObject({ status: 3, stdout: '' });
    expect(duplicate.stderr).toMatch(
      /cannot write \[demo-user\] in ".*" as asked: the AWS SDKs would read the result differently \(check for a duplicate section\)/,
    );
    expect(f.server.calls).toEqual([]);
  });

  it('with 2 keys in IAM already, says which is stored, whether it works, and what to delete; changes nothing', async () => {
    const other = f.server.addAccessKey('demo-user', 'AKIAOTHERKEY00000XY1');
    const result = await f.run(['rotate', 'demo-user', '-t', f.code()]);
    expect(result).toMatchObject({ status: 5, stdout: '' });
    expect(result.stderr).toBe(
      `mfa-env: IAM user demo-user already has 2 access keys, the most AWS allows: [demo-user] in "${f.home.credentialsPath}" holds ...MPLE, which works, ` +
        `and ...0XY1 (active, created ${new Date(other.createdAtMs).toISOString().replace(/\.\d{3}Z$/, 'Z')}) is not stored there (an interrupted rotate leaves the key it made); ` +
        'delete the one you do not use (delete it with mfa-env exec demo-user -- aws iam delete-access-key --user-name demo-user --access-key-id ID, ID being the id ending 0XY1 ' +
        '(mfa-env exec demo-user -- aws iam list-access-keys --user-name demo-user shows the ids)), then run rotate again; nothing was changed\n',
    );
    expect(f.server.callsOf('CreateAccessKey')).toEqual([]);
    expect(state().iam).toEqual([OLD, other.accessKeyId]);
  });

  it('says so when the stored key is not one of the user’s keys', async () => {
    expect((await f.run(['demo-user', '-t', f.code()])).status).toBe(0);
    f.server.removeAccessKey(OLD);
    f.server.addAccessKey('demo-user');
    const result = await f.run(['rotate', 'demo-user', '--no-input']);
    expect(result).toMatchObject({ status: 3, stdout: '' });
    expect(result.stderr).toMatch(
      /the key in \[demo-user\] in ".*" \(\.\.\.MPLE\) is not one of IAM user demo-user's keys \(\.\.\.\w{4}\); nothing was changed/,
    );
  });
});

describe('rotate, with a failure at each step', () => {
  const error = (status: number, code: string, message = 'injected'): StsFault => ({
    kind: 'error',
    status,
    code,
    message,
  });
  /** After the call `after` is answered, the next `count` calls of `action` fail with `fault`. */
  const later = (after: string, fault: StsFault, count: number, action: string) =>
    f.onCall.push((call) => {
      if (call.action === after) f.server.failNext(fault, count, action);
    });

  type Outcome = 'unchanged' | 'rotated' | 'rotated, old key left';
  const cases: Array<[string, () => void, number, RegExp, Outcome, number]> = [
    [
      'GetCallerIdentity with the stored key: no answer',
      () => f.server.failNext({ kind: 'http', status: 503 }, 3, 'GetCallerIdentity'),
      6,
      /not answering properly .*; nothing was changed$/,
      'unchanged',
      1,
    ],
    [
      'ListAccessKeys denied',
      () => f.server.failNext(error(403, 'AccessDenied'), 1, 'ListAccessKeys'),
      5,
      /was denied: "injected"; nothing was changed; \[demo-user\] in ".*" holds \.\.\.MPLE, which works$/,
      'unchanged',
      1,
    ],
    [
      'CreateAccessKey denied',
      () => f.server.failNext(error(403, 'AccessDenied'), 1, 'CreateAccessKey'),
      5,
      /denied: "injected"; nothing was changed: \[demo-user\] in ".*" holds \.\.\.MPLE, which works$/,
      'unchanged',
      1,
    ],
    [
      'CreateAccessKey over the limit',
      () =>
        f.server.failNext(
          error(409, 'LimitExceeded', 'Cannot exceed quota for AccessKeysPerUser: 2'),
          1,
          'CreateAccessKey',
        ),
      5,
      /LimitExceededException: "Cannot exceed .*"; nothing was changed: .* holds \.\.\.MPLE, which works$/,
      'unchanged',
      1,
    ],
    [
      'CreateAccessKey: IAM made a key, the answer was lost',
      () => f.server.failNext({ kind: 'dropAnswer' }, 1, 'CreateAccessKey'),
      6,
      /^mfa-env: IAM at .*; \[demo-user\] in ".*" holds \.\.\.MPLE, which works; the new key \.\.\.\w{4} was deleted again$/,
      'unchanged',
      1,
    ],
    [
      'CreateAccessKey answer lost, and IAM gone after it',
      () => {
        f.server.failNext({ kind: 'dropAnswer' }, 1, 'CreateAccessKey');
        later('CreateAccessKey', { kind: 'http', status: 500 }, 3, 'ListAccessKeys');
      },
      6,
      /holds \.\.\.MPLE, which works; IAM may have made a new key whose secret was lost: if IAM user demo-user has a key other than \.\.\.MPLE, delete it with mfa-env exec demo-user -- aws iam delete-access-key --user-name demo-user --access-key-id ID, ID being its id/,
      'unchanged',
      2,
    ],
    [
      'the new key refused by STS',
      () => later('CreateAccessKey', error(403, 'AccessDenied'), 1, 'GetCallerIdentity'),
      5,
      /denied: "injected"; \[demo-user\] in ".*" holds \.\.\.MPLE, which works; the new key \.\.\.\w{4} was deleted again$/,
      'unchanged',
      1,
    ],
    [
      'the new key refused, and IAM gone after it',
      () => {
        later('CreateAccessKey', error(403, 'AccessDenied'), 1, 'GetCallerIdentity');
        later('CreateAccessKey', { kind: 'http', status: 500 }, 3, 'DeleteAccessKey');
      },
      5,
      /holds \.\.\.MPLE, which works; the new key \.\.\.(\w{4}) is left in IAM, unused: delete it with mfa-env exec demo-user -- aws iam delete-access-key --user-name demo-user --access-key-id ID, ID being the id ending \1 /,
      'unchanged',
      2,
    ],
    [
      'the new key never accepted within --wait',
      () => (f.server.keyPropagation = { ms: 60_000 }),
      5,
      /AWS did not accept the new key \.\.\.\w{4} within 1 s \(IAM takes a few seconds to make a key usable; --wait gives it longer\); .* holds \.\.\.MPLE, which works; the new key \.\.\.\w{4} was deleted again$/,
      'unchanged',
      1,
    ],
    [
      'the file changed before the write',
      () =>
        f.onCall.push((call) => {
          if (call.action === 'CreateAccessKey')
            writeFileSync(
              f.home.credentialsPath,
              readFileSync(f.home.credentialsPath, 'utf8').replace(OLD_SECRET, 'edited-by-the-user'),
            );
        }),
      3,
      /\[demo-user\] in ".*" changed while mfa-env was rotating its key; it was left as it is now; the new key was not written; the new key \.\.\.\w{4} was deleted again$/,
      'unchanged',
      1,
    ],
    [
      'DeleteAccessKey of the old key denied',
      () => f.server.failNext(error(403, 'AccessDenied'), 1, 'DeleteAccessKey'),
      5,
      /denied: "injected"; \[demo-user\] in ".*" now holds the new key \.\.\.\w{4}, which works; the old key \.\.\.MPLE is still in IAM: delete it with mfa-env exec demo-user -- aws iam delete-access-key --user-name demo-user --access-key-id ID, ID being the id ending MPLE/,
      'rotated, old key left',
      2,
    ],
    [
      'DeleteAccessKey done, its answer lost (retried: NoSuchEntity)',
      () => f.server.failNext({ kind: 'dropAnswer' }, 1, 'DeleteAccessKey'),
      0,
      /rotated: /,
      'rotated',
      1,
    ],
    [
      'DeleteAccessKey: one 500',
      () => f.server.failNext({ kind: 'http', status: 500 }, 1, 'DeleteAccessKey'),
      0,
      /rotated: /,
      'rotated',
      1,
    ],
  ];

  it.each(cases)('%s', async (_, inject, status, message, outcome, keysLeft) => {
    const before = messyCredentials();
    writeFileSync(f.home.credentialsPath, before);
    inject();
    const result = await f.run(['rotate', 'demo-user', '-t', f.code(), '--wait', '1', '--timeout', '3']);
    expect(result.stdout).toBe('');
    expect(result.status).toBe(status);
    const lastLine = result.stderr.trimEnd().split('\n').pop()!;
    expect(lastLine).toMatch(message);
    const now = state();
    expect(now.iam).toHaveLength(keysLeft);
    if (outcome === 'unchanged') {
      if (!/changed while/.test(lastLine)) {
        expect(now.text).toBe(before);
        expect(now.works).toBe(true);
      }
      expect(now.iam).toContain(OLD);
    } else {
      expect(now.key).not.toBe(OLD);
      expect(now.works).toBe(true);
      expect(now.text).toBe(before.replace(OLD, now.key).replace(OLD_SECRET, now.secret));
      expect(now.iam.includes(OLD)).toBe(outcome === 'rotated, old key left');
    }
  });
});

describe('rotate, keys in the OS keyring (mfa-env keys)', () => {
  let ss: SecretService;
  beforeEach(async () => {
    ss = await startSecretService();
  });
  afterEach(() => ss.stop());

  it('replaces the keyring entry, leaves the files alone, and the new key serves the next session', async () => {
    // The keys move into the keyring, as `keys import` leaves them: the credentials file holds the section, no keys.
    const imported = await f.run(['keys', 'import', 'demo-user'], { env: ss.env });
    expect(imported.status).toBe(0);
    const files = [readFileSync(f.home.credentialsPath, 'utf8'), readFileSync(f.home.configPath, 'utf8')];
    expect(files.join('')).not.toContain(OLD_SECRET);

    const result = await f.run(['rotate', 'demo-user', '-t', f.code()], { env: ss.env });
    expect(result).toMatchObject({ status: 0, stdout: '' });
    const [made] = f.server.accessKeysOf('demo-user');
    expect(f.server.accessKeysOf('demo-user')).toHaveLength(1);
    expect(made.accessKeyId).not.toBe(OLD);
    expect(JSON.parse(ss.get('demo-user')!)).toMatchObject({
      accessKeyId: made.accessKeyId,
      secretAccessKey: made.secretAccessKey,
    });
    expect(f.server.keyWorks(OLD, OLD_SECRET)).toBe(false);
    expect(result.stderr).toContain(
      `wrote access key ${hint(made.accessKeyId)} to the OS keyring (profile "demo-user")`,
    );
    expect([readFileSync(f.home.credentialsPath, 'utf8'), readFileSync(f.home.configPath, 'utf8')]).toEqual(files);

    // A new MFA session (the cached one was re-filed under the new key, so --refresh) is made with the new key.
    f.server.resetCalls();
    const next = await f.run(['demo-user', '--refresh', '-t', f.code(Date.now() + 30_000)], { env: ss.env });
    expect(next.status).toBe(0);
    expect(f.server.calls[0]).toMatchObject({ action: 'GetSessionToken', accessKeyId: made.accessKeyId, status: 200 });
  });
});
