import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sessionCacheNames } from '../support/cacheDir';
import { ACCOUNT, DEMO_USER, type Fixture, startFixture } from '../support/fixture';
import { evalInShell } from '../support/shells';

const ROLE = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;

let f: Fixture;
beforeEach(async () => {
  f = await startFixture({
    roles: [
      { arn: ROLE('admin'), requireMfa: true },
      { arn: ROLE('readonly'), requireMfa: true },
      { arn: ROLE('long'), requireMfa: true, maxSessionDuration: 43200 },
      { arn: ROLE('partner'), requireMfa: true, externalId: 'partner-id-42' },
      { arn: ROLE('hop2') },
    ],
  });
  const extra = (name: string, lines: string[]) =>
    `\n[profile ${name}]\n${lines.join('\n')}\nendpoint_url = ${f.server.url}\n`;
  f.home.write({
    config:
      readFileSync(f.home.configPath, 'utf8') +
      extra('admin', [`role_arn = ${ROLE('admin')}`, 'source_profile = demo-user', 'region = us-west-2']) +
      extra('readonly', [
        `role_arn = ${ROLE('readonly')}`,
        'source_profile = demo-user',
        'role_session_name = alice-readonly',
      ]) +
      extra('long', [`role_arn = ${ROLE('long')}`, 'source_profile = demo-user', 'duration_seconds = 7200']) +
      extra('partner', [`role_arn = ${ROLE('partner')}`, 'source_profile = demo-user', 'external_id = partner-id-42']) +
      extra('hop2', [`role_arn = ${ROLE('hop2')}`, 'source_profile = admin']) +
      extra('loop-a', [`role_arn = ${ROLE('admin')}`, 'source_profile = loop-b']) +
      extra('loop-b', [`role_arn = ${ROLE('admin')}`, 'source_profile = loop-a']),
  });
});
afterEach(() => f.stop());

/** The session files (the fast path's plan memos and compiled code live apart, and hold no secret). */
const cacheFiles = () => sessionCacheNames(f.home.env.MFA_ENV_CACHE_DIR);

describe('role profiles', () => {
  it('one MFA code serves two roles with the same source, the second with no terminal and stdin closed', async () => {
    const first = await f.run(['admin'], { stdin: `${f.code()}\n` });
    expect(first.stderr).toBe('');
    expect(first.status).toBe(0);
    const second = await f.run(['readonly'], { stdin: 'closed' });
    expect(second.stderr).toBe('');
    expect(second.status).toBe(0);
    expect(f.server.calls.map((c) => c.action)).toEqual(['GetSessionToken', 'AssumeRole', 'AssumeRole']);
    const [mfa, admin, readonly] = f.server.issued;
    // Both roles were assumed with the MFA session's credentials and no code.
    for (const call of f.server.callsOf('AssumeRole')) {
      expect(call.accessKeyId).toBe(mfa.accessKeyId);
      expect(call.params.TokenCode).toBeUndefined();
    }
    const adminEnv = evalInShell('bash', first.stdout, f.home.env);
    expect(adminEnv).toMatchObject({
      AWS_ACCESS_KEY_ID: admin.accessKeyId,
      AWS_SECRET_ACCESS_KEY: admin.secretAccessKey,
      AWS_SESSION_TOKEN: admin.sessionToken,
      AWS_CREDENTIAL_EXPIRATION: admin.expiration,
      MFA_ENV_PROFILE: 'admin',
      MFA_ENV_ROLE_ARN: ROLE('admin'),
      AWS_REGION: 'us-west-2',
    });
    expect(admin.arn).toMatch(new RegExp(`^arn:aws:sts::${ACCOUNT}:assumed-role/admin/mfa-env-[\\w+=,.@-]+-\\d+$`));
    expect(evalInShell('bash', second.stdout, f.home.env)).toMatchObject({
      AWS_ACCESS_KEY_ID: readonly.accessKeyId,
      MFA_ENV_ROLE_ARN: ROLE('readonly'),
    });
    expect(readonly.roleSessionName).toBe('alice-readonly');
  });

  it('a second run of the same profile in a new process makes no STS call at all', async () => {
    for (const profile of ['demo-user', 'admin']) {
      const first = await f.run([profile, '-t', f.code()]);
      f.server.resetCalls();
      const again = await f.run([profile], { stdin: 'closed' });
      expect(again.status).toBe(0);
      expect(again.stdout).toBe(first.stdout);
      expect(f.server.calls).toEqual([]);
    }
  });

  it('a role session longer than 1 hour is assumed directly with the MFA code', async () => {
    const code = f.code();
    const result = await f.run(['long', '-t', code]);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(f.server.calls.map((c) => c.action)).toEqual(['AssumeRole']);
    expect(f.server.calls[0]).toMatchObject({
      accessKeyId: DEMO_USER.accessKeyId,
      params: expect.objectContaining({
        RoleArn: ROLE('long'),
        SerialNumber: DEMO_USER.serial,
        TokenCode: code,
        DurationSeconds: '7200',
      }),
    });
    expect(f.server.issued[0].durationSeconds).toBe(7200);
  });

  it('--duration over 1 hour on a role skips the MFA session too', async () => {
    await f.run(['admin', '-t', f.code()]);
    f.server.resetCalls();
    const result = await f.run(['long', '-t', f.code(), '-d', '2h']);
    expect(result.status).toBe(0);
    expect(f.server.calls.map((c) => [c.action, c.params.DurationSeconds])).toEqual([['AssumeRole', '7200']]);
  });

  it('renews expired role credentials from the cached MFA session without a code', async () => {
    await f.run(['admin', '-t', f.code(), '-d', '15m']);
    f.server.resetCalls();
    // A role session of 15 minutes with a 20-minute minimum TTL counts as expired; the 12-hour MFA session does not.
    const renewed = await f.run(['admin', '-d', '15m'], { stdin: 'closed', env: { MFA_ENV_MIN_TTL: '20m' } });
    expect(renewed.stderr).toBe('');
    expect(renewed.status).toBe(0);
    expect(f.server.calls.map((c) => c.action)).toEqual(['AssumeRole']);
  });

  it('passes external_id and follows a chain of two roles', async () => {
    expect((await f.run(['partner', '-t', f.code()])).status).toBe(0);
    expect(f.server.callsOf('AssumeRole')[0].params.ExternalId).toBe('partner-id-42');
    f.server.resetCalls();
    const chained = await f.run(['hop2'], { stdin: 'closed' });
    expect(chained.stderr).toBe('');
    expect(chained.status).toBe(0);
    expect(f.server.calls.map((c) => [c.action, c.params.RoleArn])).toEqual([
      ['AssumeRole', ROLE('admin')],
      ['AssumeRole', ROLE('hop2')],
    ]);
    expect(evalInShell('bash', chained.stdout, f.home.env).MFA_ENV_ROLE_ARN).toBe(ROLE('hop2'));
  });

  it('reports a source_profile loop with the chain', async () => {
    const result = await f.run(['loop-a', '-t', '123456']);
    expect(result).toMatchObject({ status: 3, stdout: '' });
    expect(result.stderr).toBe(
      'mfa-env: source_profile loop: "loop-a" -> "loop-b" -> "loop-a"; make one of them a profile with keys\n',
    );
  });

  it('serves an aws-mfa profile from its -long-term section', async () => {
    f.home.write({
      credentials:
        `[work-long-term]\naws_access_key_id = ${DEMO_USER.accessKeyId}\naws_secret_access_key = ${DEMO_USER.secretAccessKey}\naws_mfa_device = ${DEMO_USER.serial}\n\n` +
        // What aws-mfa left behind last time: temporary keys, which are not a source.
        '[work]\naws_access_key_id = ASIAOLDSESSION000000\naws_secret_access_key = old\naws_session_token = old\nexpiration = 2020-01-01 00:00:00\n',
    });
    const result = await f.run(['work', '-t', f.code()], { env: { AWS_ENDPOINT_URL_STS: f.server.url } });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(f.server.calls[0]).toMatchObject({ action: 'GetSessionToken', accessKeyId: DEMO_USER.accessKeyId });
    expect(evalInShell('bash', result.stdout, f.home.env).MFA_ENV_PROFILE).toBe('work');
  });
});

describe('the session cache', () => {
  it('keeps 0600 files in a 0700 directory', async () => {
    await f.run(['admin', '-t', f.code()]);
    const dir = f.home.env.MFA_ENV_CACHE_DIR;
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    const files = cacheFiles();
    expect(files).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^mfa-[0-9a-f]{32}\.json$/),
        expect.stringMatching(/^role-[0-9a-f]{32}\.json$/),
      ]),
    );
    expect(files).toHaveLength(2);
    for (const file of files) {
      expect(statSync(join(dir, file)).mode & 0o777).toBe(0o600);
      // Neither names nor contents carry the long-term secret.
      expect(readFileSync(join(dir, file), 'utf8')).not.toContain(DEMO_USER.secretAccessKey);
    }
  });

  it('ignores a corrupted cache file with a warning and replaces it', async () => {
    await f.run(['demo-user', '-t', f.code()]);
    const [file] = cacheFiles();
    const path = join(f.home.env.MFA_ENV_CACHE_DIR, file);
    writeFileSync(path, '{"version":1,"kind":"mfa","accessKeyId":');
    const result = await f.run(['demo-user', '-t', f.code()]);
    expect(result.status).toBe(0);
    expect(result.stderr).toBe(
      `mfa-env: warning: ignoring cached session "${path}": it is corrupt; it will be replaced\n`,
    );
    expect(f.server.callsOf('GetSessionToken')).toHaveLength(2);
    expect(JSON.parse(readFileSync(path, 'utf8')).accessKeyId).toBe(f.server.issued[1].accessKeyId);
    expect(cacheFiles()).toEqual([file]);
  });

  it('--refresh asks for a new session even when one is cached', async () => {
    await f.run(['admin', '-t', f.code()]);
    f.server.resetCalls();
    const result = await f.run(['admin', '-f', '-t', f.code()]);
    expect(result.status).toBe(0);
    expect(f.server.calls.map((c) => c.action)).toEqual(['GetSessionToken', 'AssumeRole']);
    // Another role now shares the refreshed MFA session.
    f.server.resetCalls();
    expect((await f.run(['readonly'], { stdin: 'closed' })).status).toBe(0);
    expect(f.server.calls.map((c) => [c.action, c.accessKeyId])).toEqual([
      ['AssumeRole', f.server.issued[2].accessKeyId],
    ]);
  });

  it('--no-cache neither reads nor writes the cache', async () => {
    await f.run(['demo-user', '--no-cache', '-t', f.code()]);
    expect(existsSync(f.home.env.MFA_ENV_CACHE_DIR)).toBe(false);
    await f.run(['demo-user', '-t', f.code()]);
    const before = cacheFiles().map((name) => readFileSync(join(f.home.env.MFA_ENV_CACHE_DIR, name), 'utf8'));
    const result = await f.run(['demo-user', '--no-cache', '-t', f.code()]);
    expect(result.status).toBe(0);
    expect(f.server.callsOf('GetSessionToken')).toHaveLength(3);
    expect(cacheFiles().map((name) => readFileSync(join(f.home.env.MFA_ENV_CACHE_DIR, name), 'utf8'))).toEqual(before);
  });

  it('MFA_ENV_NO_CACHE=1 keeps sessions off the disk', async () => {
    const result = await f.run(['demo-user', '-t', f.code()], { env: { MFA_ENV_NO_CACHE: '1' } });
    expect(result.status).toBe(0);
    expect(existsSync(f.home.env.MFA_ENV_CACHE_DIR)).toBe(false);
  });

  it('forget PROFILE deletes what could serve it; forget deletes everything', async () => {
    await f.run(['admin', '-t', f.code()]);
    const forgotten = await f.run(['forget', 'admin']);
    expect(forgotten).toMatchObject({
      status: 0,
      stdout: '',
      stderr: 'mfa-env: forgot 2 cached sessions for profile "admin"\n',
    });
    expect(cacheFiles()).toEqual([]);
    const needsCode = await f.run(['readonly'], { stdin: 'closed' });
    expect(needsCode.status).toBe(4);

    await f.run(['readonly', '-t', f.code()]);
    const all = await f.run(['forget']);
    expect(all).toMatchObject({ status: 0, stdout: '', stderr: 'mfa-env: forgot 2 cached sessions\n' });
    expect(cacheFiles()).toEqual([]);
  });

  it('forget PROFILE also deletes the temp files killed writes left for its sessions, and no others', async () => {
    await f.run(['admin', '-t', f.code()]);
    await f.run(['partner']);
    const dir = f.home.env.MFA_ENV_CACHE_DIR;
    const entries = cacheFiles().map((name) => ({ name, text: readFileSync(join(dir, name), 'utf8') }));
    const of = (profile: string) => entries.find((e) => JSON.parse(e.text).profile === profile)!;
    const [admin, partner] = [of('admin'), of('partner')];
    const plant = (name: string, text: string) => writeFileSync(join(dir, name), text, { mode: 0o600 });
    // As a kill between put()'s temp file and its rename leaves them: whole sessions, or empty when killed sooner.
    plant(`${admin.name}.4242.0123456789ab.tmp`, admin.text);
    plant(`${admin.name}.4243.0123456789ac.tmp`, '');
    plant(`${partner.name}.4244.0123456789ad.tmp`, partner.text);
    // A first write that never got as far as its entry: known by what it holds.
    plant(
      `role-${'a'.repeat(32)}.json.4245.0123456789ae.tmp`,
      admin.text.replace(/"sessionToken": "[^"]*"/, '"sessionToken": "ADMIN-ORPHAN"'),
    );
    plant(
      `role-${'b'.repeat(32)}.json.4246.0123456789af.tmp`,
      partner.text.replace(/"sessionToken": "[^"]*"/, '"sessionToken": "PARTNER-ORPHAN"'),
    );

    const forgotten = await f.run(['forget', 'admin']);
    expect(forgotten).toMatchObject({
      status: 0,
      stdout: '',
      stderr: 'mfa-env: forgot 2 cached sessions for profile "admin"\n',
    });
    expect(cacheFiles().sort()).toEqual(
      [
        partner.name,
        `${partner.name}.4244.0123456789ad.tmp`,
        `role-${'b'.repeat(32)}.json.4246.0123456789af.tmp`,
      ].sort(),
    );
  });

  it('--clear --forget clears the shell and deletes every cached session', async () => {
    const loaded = evalInShell('bash', (await f.run(['admin', '-t', f.code()])).stdout, f.home.env);
    const result = await f.run(['--clear', '--forget'], { env: loaded });
    expect(result.status).toBe(0);
    expect(result.stderr).toBe('mfa-env: forgot 2 cached sessions\n');
    expect(evalInShell('bash', result.stdout, loaded)).toEqual(f.home.env);
    expect(cacheFiles()).toEqual([]);
    expect((await f.run(['--forget'])).status).toBe(2);
  });

  it('20 concurrent runs with a warm cache all succeed with the same credentials and leave one valid file per session', async () => {
    const first = await f.run(['admin', '-t', f.code()]);
    f.server.resetCalls();
    const runs = await Promise.all(Array.from({ length: 20 }, () => f.run(['admin'], { stdin: 'closed' })));
    for (const run of runs) {
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      expect(run.stdout).toBe(first.stdout);
    }
    expect(f.server.calls).toEqual([]);
    const files = cacheFiles();
    expect(files).toHaveLength(2);
    for (const file of files)
      expect(JSON.parse(readFileSync(join(f.home.env.MFA_ENV_CACHE_DIR, file), 'utf8')).version).toBe(1);
  });

  it('20 concurrent role renewals from one cached MFA session all succeed and leave valid files', async () => {
    await f.run(['demo-user', '-t', f.code()]);
    f.server.resetCalls();
    const runs = await Promise.all(Array.from({ length: 20 }, () => f.run(['admin'], { stdin: 'closed' })));
    for (const run of runs) expect(run).toMatchObject({ status: 0, stderr: '' });
    expect(f.server.callsOf('GetSessionToken')).toEqual([]);
    const files = cacheFiles();
    expect(files).toHaveLength(2);
    for (const file of files)
      expect(() => JSON.parse(readFileSync(join(f.home.env.MFA_ENV_CACHE_DIR, file), 'utf8'))).not.toThrow();
    expect(files.some((name) => name.endsWith('.tmp'))).toBe(false);
  });
});
