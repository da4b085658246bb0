// setup and --write-profile change one section of the user's files and leave every other byte as it was.
import { chmodSync, mkdirSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEMO_USER, type Fixture, startFixture } from '../support/fixture';
import { Pty } from '../support/pty';

let f: Fixture;
beforeEach(async () => {
  f = await startFixture();
});
afterEach(() => f.stop());

/** A config file as people keep them: comments, odd spacing, CR-free but irregular, and 50 profiles. */
function messyConfig(endpoint: string, demoUserLines: string[]): string {
  const parts = ['# ~/.aws/config, hand-edited since 2019', '', '[default]', 'region=us-east-1', 'output  =  json', ''];
  for (let i = 0; i < 50; i++) {
    parts.push(
      i % 7 === 0 ? `;  team ${i}` : '',
      `[profile p${i}]${i % 5 === 0 ? '   # legacy' : ''}`,
      `region =   eu-west-${(i % 3) + 1}`,
    );
    if (i % 4 === 0) parts.push('   cli_pager = ');
    if (i === 25) parts.push('[profile demo-user]', ...demoUserLines, '', '# the next one is old');
  }
  parts.push('', '[sso-session corp]', 'sso_region = eu-west-1', '');
  return parts.join('\n').replace('ENDPOINT', endpoint);
}

describe('mfa-env setup', () => {
  it("finds the user's MFA device with the profile's keys and adds mfa_serial, changing nothing else", async () => {
    const before = messyConfig(f.server.url, ['region = eu-west-1', 'endpoint_url = ENDPOINT']);
    writeFileSync(f.home.configPath, before);
    chmodSync(f.home.configPath, 0o640);
    const result = await f.run(['setup', 'demo-user', '--yes', '--backup']);
    expect(result).toMatchObject({ status: 0, stdout: '' });
    expect(result.stderr).toMatch(
      /^mfa-env: added mfa_serial = arn:aws:iam::123456789012:mfa\/demo-user to \[profile demo-user\] in ".*config" \(the old file is ".*config\.bak"\)\n$/,
    );
    const after = readFileSync(f.home.configPath, 'utf8');
    expect(after).toBe(
      before.replace(
        `endpoint_url = ${f.server.url}\n`,
        `endpoint_url = ${f.server.url}\nmfa_serial = ${DEMO_USER.serial}\n`,
      ),
    );
    expect(readFileSync(`${f.home.configPath}.bak`, 'utf8')).toBe(before);
    expect(statSync(f.home.configPath).mode & 0o777).toBe(0o640);
    expect(f.server.calls.map((c) => [c.action, c.accessKeyId])).toEqual([['ListMFADevices', DEMO_USER.accessKeyId]]);
    // And now the profile works.
    expect((await f.run(['demo-user', '-t', f.code()])).status).toBe(0);
  });

  it('asks on the terminal before changing anything', async () => {
    writeFileSync(f.home.configPath, `[profile demo-user]\nendpoint_url = ${f.server.url}\n`);
    for (const [answer, changed] of [
      ['n', false],
      ['y', true],
    ] as const) {
      const pty = new Pty('mfa-env setup demo-user', { env: f.home.env });
      try {
        await pty.waitFor(`Add mfa_serial = ${DEMO_USER.serial} to profile demo-user? [y/N]`);
        pty.type(`${answer}\r`);
        await pty.waitFor(changed ? 'added mfa_serial' : 'nothing changed');
        expect(await pty.exited).toBe(0);
      } finally {
        pty.kill();
      }
      expect(readFileSync(f.home.configPath, 'utf8').includes('mfa_serial')).toBe(changed);
    }
  });

  it('says so when the profile already has a device, and fails clearly without a terminal', async () => {
    expect((await f.run(['setup', 'demo-user'])).stderr).toMatch(/already has mfa_serial = .*; nothing to do/);
    writeFileSync(f.home.configPath, `[profile demo-user]\nendpoint_url = ${f.server.url}\n`);
    const result = await f.run(['setup', 'demo-user']);
    expect(result).toMatchObject({ status: 4, stdout: '' });
    expect(result.stderr).toMatch(/asks for confirmation on the terminal and there is none; pass --yes/);
  });
});

describe('--write-profile', () => {
  it('writes the session as a profile, the way aws-mfa does, and replaces it in place next time', async () => {
    const credentials = [
      '# keys',
      `[demo-user]`,
      `aws_access_key_id = ${DEMO_USER.accessKeyId}`,
      `aws_secret_access_key=${DEMO_USER.secretAccessKey}`,
      '',
      ...Array.from(
        { length: 50 },
        (_, i) => `[p${i}]\naws_access_key_id =  AKIA${String(i).padStart(16, '0')}\naws_secret_access_key = s${i}\n`,
      ),
      '; end',
      '',
    ].join('\n');
    writeFileSync(f.home.credentialsPath, credentials);
    const first = await f.run(['demo-user', '-t', f.code(), '--write-profile', 'demo-session']);
    expect(first).toMatchObject({ status: 0, stdout: '' });
    expect(first.stderr).toMatch(
      /^mfa-env: wrote the session of profile "demo-user" to profile "demo-session" in ".*credentials" \(until \S+Z\)\n$/,
    );
    const [issued] = f.server.issued;
    const section = (i: typeof issued) =>
      `\n[demo-session]\naws_access_key_id = ${i.accessKeyId}\naws_secret_access_key = ${i.secretAccessKey}\naws_session_token = ${i.sessionToken}\nexpiration = ${i.expiration.replace('T', ' ').replace('Z', '')}\n`;
    expect(readFileSync(f.home.credentialsPath, 'utf8')).toBe(credentials + section(issued));
    expect(statSync(f.home.credentialsPath).mode & 0o777).toBe(0o600);

    await f.run(['demo-user', '-t', f.code(), '--refresh', '--write-profile', 'demo-session']);
    expect(readFileSync(f.home.credentialsPath, 'utf8')).toBe(credentials + section(f.server.issued[1]));
  });

  it('removes the temp files a killed write left beside the file, but no younger one and nothing else', async () => {
    const awsDir = join(f.home.home, '.aws');
    const keys = readFileSync(f.home.credentialsPath, 'utf8');
    const plant = (name: string, ageSeconds: number, directory = false) => {
      const path = join(awsDir, name);
      if (directory) mkdirSync(path);
      else writeFileSync(path, keys, { mode: 0o600 });
      const when = Date.now() / 1000 - ageSeconds;
      utimesSync(path, when, when);
    };
    // Leftovers of killed writes: whole copies of the file, long-term keys included.
    plant('credentials.0123456789ab.tmp', 120);
    plant('credentials.fedcba987654.tmp', 3600 * 24 * 30);
    // Another run's temp file, being written now.
    plant('credentials.abcdef012345.tmp', 5);
    // Not ours, or not this file's.
    const others = [
      'config.0123456789ab.tmp',
      'credentials.0123456789AB.tmp',
      'credentials.12345.0123456789ab.tmp',
      'credentials.0123456789ab.tmp.keep',
      'credentials.bak',
      'xcredentials.0123456789ab.tmp',
    ];
    for (const name of others) plant(name, 120);
    plant('credentials.aaaaaaaaaaaa.tmp', 120, true);

    const result = await f.run(['demo-user', '-t', f.code(), '--write-profile', 'demo-session']);
    expect(result).toMatchObject({ status: 0, stdout: '' });
    expect(readdirSync(awsDir).sort()).toEqual(
      ['config', 'credentials', 'credentials.aaaaaaaaaaaa.tmp', 'credentials.abcdef012345.tmp', ...others].sort(),
    );
  });

  it('refuses to overwrite a profile that holds long-term keys', async () => {
    for (const name of ['demo-user', 'other']) {
      f.home.write({
        credentials: `${readFileSync(f.home.credentialsPath, 'utf8')}\n[other]\naws_access_key_id = AKIAOTHER00000000000\naws_secret_access_key = x\n`,
      });
      const before = readFileSync(f.home.credentialsPath, 'utf8');
      const result = await f.run(['demo-user', '-t', f.code(), '--write-profile', name]);
      expect(result).toMatchObject({ status: 3, stdout: '' });
      expect(result.stderr).toMatch(
        new RegExp(
          `profile "${name}" in ".*credentials" holds long-term keys; choose another name for --write-profile`,
        ),
      );
      expect(readFileSync(f.home.credentialsPath, 'utf8')).toBe(before);
    }
  });
});
