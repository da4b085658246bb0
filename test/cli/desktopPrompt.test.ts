// The MFA prompt where there is no terminal: mfa_prompt / --prompt. First with stand-ins for the dialog programs (what
// mfa-env runs, with what arguments, and what it makes of each answer), then with the real zenity in a real X server
// (Xvfb), typed at with xdotool, as credential_process runs mfa-env for an IDE.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEMO_USER, type Fixture, startFixture } from '../support/fixture';
import { Pty } from '../support/pty';
import { describeNeeding, itNeeding, missingPrograms } from '../support/requirements';
import { CLI } from '../support/runCli';

let f: Fixture;
beforeEach(async () => {
  f = await startFixture();
});
afterEach(() => f.stop());

function withSetting(line: string, profile = 'demo-user') {
  f.home.write({
    config: readFileSync(f.home.configPath, 'utf8').replace(
      `[profile ${profile}]\n`,
      `[profile ${profile}]\n${line}\n`,
    ),
  });
}

/**
 * A profile of the demo user's with settings the config file cannot have in a name (the SDK allows only
 * `- _ @ + . / % :` there): the credentials file takes any, and its keys count as the profile's.
 */
function withProfileInCredentials(name: string) {
  f.home.write({
    credentials: `${readFileSync(f.home.credentialsPath, 'utf8')}\n[${name}]\naws_access_key_id = ${DEMO_USER.accessKeyId}\naws_secret_access_key = ${DEMO_USER.secretAccessKey}\nmfa_serial = ${DEMO_USER.serial}\nmfa_prompt = zenity\nendpoint_url = ${f.server.url}\n`,
  });
}

/** What a successful `--format json` prints: the session the server issued, and nothing else. */
function credentialJson(): string {
  const issued = f.server.lastIssued()!;
  const json = {
    Version: 1,
    AccessKeyId: issued.accessKeyId,
    SecretAccessKey: issued.secretAccessKey,
    SessionToken: issued.sessionToken,
    Expiration: issued.expiration,
  };
  return `${JSON.stringify(json, null, 2)}\n`;
}

describe('dialog programs (stand-ins)', () => {
  interface Step {
    out?: string;
    status: number;
    stderr?: string;
  }
  /**
   * A program named `name` in a directory of its own, answering its Nth run with steps[N] (the last one again after
   * that) and noting the argv of each run. Returns that directory and a reader for the runs.
   */
  function standIn(name: string, steps: Step[]): { dir: string; runs(): string[][] } {
    const dir = join(f.home.home, 'dialogs');
    mkdirSync(dir, { recursive: true });
    const log = join(dir, 'runs.jsonl');
    writeFileSync(join(dir, 'steps.json'), JSON.stringify(steps));
    writeFileSync(
      join(dir, name),
      `#!${process.execPath}
const fs = require('fs');
fs.appendFileSync(${JSON.stringify(log)}, JSON.stringify(process.argv.slice(2)) + '\\n');
const steps = JSON.parse(fs.readFileSync(${JSON.stringify(join(dir, 'steps.json'))}, 'utf8'));
const n = fs.readFileSync(${JSON.stringify(log)}, 'utf8').trim().split('\\n').length - 1;
const step = steps[Math.min(n, steps.length - 1)];
if (step.stderr) process.stderr.write(step.stderr);
if (step.out !== undefined) process.stdout.write(step.out);
process.exitCode = step.status;
`,
      { mode: 0o755 },
    );
    return {
      dir,
      runs: () =>
        existsSync(log)
          ? readFileSync(log, 'utf8')
              .trim()
              .split('\n')
              .map((l) => JSON.parse(l) as string[])
          : [],
    };
  }
  const withDialogs = (dir: string, extra: Record<string, string | undefined> = {}) => ({
    env: { PATH: `${dir}:${f.home.env.PATH}`, DISPLAY: ':99', ...extra },
  });

  it('mfa_prompt = zenity: with no terminal the code comes from the dialog, and stdout is the JSON alone', async () => {
    withSetting('mfa_prompt = zenity');
    const code = f.code();
    const zenity = standIn('zenity', [
      { out: `${code}\n`, status: 0, stderr: 'Gtk-Message: GtkDialog mapped without a transient parent\n' },
    ]);
    const result = await f.run(['--format', 'json', 'demo-user'], withDialogs(zenity.dir));
    expect(result).toMatchObject({ status: 0, stderr: '' });
    expect(result.stdout).toBe(credentialJson());
    expect(f.server.calls[0].params.TokenCode).toBe(code);
    // A hidden entry, naming the profile and the device; no secret on its command line.
    expect(zenity.runs()).toEqual([
      [
        '--entry',
        '--hide-text',
        '--title=mfa-env: MFA code for "demo-user"',
        `--text=Enter the MFA code for profile "demo-user"\nfrom device "${DEMO_USER.serial}".`,
      ],
    ]);
  });

  it('a cancelled dialog is exit 4 with a clear message, and nothing on stdout', async () => {
    withSetting('mfa_prompt = zenity');
    const zenity = standIn('zenity', [{ status: 1 }]);
    const result = await f.run(['--format', 'json', 'demo-user'], withDialogs(zenity.dir));
    expect(result).toEqual({
      status: 4,
      signal: null,
      stdout: '',
      stderr: 'mfa-env: no MFA code for profile "demo-user": the zenity dialog was cancelled\n',
    });
    expect(f.server.calls).toHaveLength(0);
  });

  it('a code that is not 6 digits is asked for again (3 tries), by the same rule as at the terminal', async () => {
    withSetting('mfa_prompt = kdialog');
    const kdialog = standIn('kdialog', [
      { out: '12345\n', status: 0 },
      { out: 'abcdef\n', status: 0 },
      { out: `${f.code().replace(/(...)/, '$1 ')}\n`, status: 0 },
    ]);
    const result = await f.run(['--format', 'json', 'demo-user'], withDialogs(kdialog.dir));
    expect(result).toMatchObject({ status: 0, stderr: '', stdout: credentialJson() });
    const texts = kdialog.runs().map((argv) => argv[3]);
    expect(texts).toHaveLength(3);
    expect(texts[0]).not.toContain('6 digits');
    expect(texts[1]).toContain('An MFA code is 6 digits; try again.');

    const three = standIn('kdialog', [{ out: 'nope\n', status: 0 }]);
    const failed = await f.run(['--format', 'json', 'demo-user', '--refresh'], withDialogs(three.dir));
    expect(failed).toEqual({
      status: 4,
      signal: null,
      stdout: '',
      stderr: 'mfa-env: no valid MFA code for profile "demo-user" after 3 tries; a code is 6 digits\n',
    });
  });

  it('a code AWS rejects is asked for again, saying so', async () => {
    withSetting('mfa_prompt = zenity');
    const zenity = standIn('zenity', [
      { out: '000000\n', status: 0 },
      { out: `${f.code()}\n`, status: 0 },
    ]);
    const result = await f.run(['--format', 'json', 'demo-user'], withDialogs(zenity.dir));
    expect(result).toMatchObject({ status: 0, stdout: credentialJson() });
    expect(zenity.runs()[1][3]).toContain('AWS rejected the last code; wait for the next one.');
  });

  it('runs the program without a shell, a hostile profile name reaching it as data', async () => {
    const name = 'x$(touch pwned)`id`;<b>_&amp;';
    withProfileInCredentials(name);
    const zenity = standIn('zenity', [{ status: 1 }]);
    const result = await f.run(['--format', 'json', name], { ...withDialogs(zenity.dir) });
    expect(result).toMatchObject({ status: 4, stdout: '' });
    expect(zenity.runs()[0][2]).toBe(`--title=mfa-env: MFA code for "${name}"`);
    expect(zenity.runs()[0][3]).toBe(
      `--text=Enter the MFA code for profile "x$(touch pwned)\`id\`;<b>__&amp;"\nfrom device "${DEMO_USER.serial}".`,
    );
    expect(existsSync(join(f.home.home, 'pwned'))).toBe(false);
  });

  it('says what is wrong when the program is missing or there is no desktop', async () => {
    withSetting('mfa_prompt = kdialog');
    const missing = await f.run(['--format', 'json', 'demo-user'], {
      env: { PATH: join(f.home.home, 'bin'), DISPLAY: ':99' },
    });
    expect(missing).toEqual({
      status: 4,
      signal: null,
      stdout: '',
      stderr:
        'mfa-env: no MFA code for profile "demo-user": kdialog is not installed (or not on PATH); install it or choose another mfa_prompt\n',
    });
    const kdialog = standIn('kdialog', [{ status: 0, out: '123456\n' }]);
    const headless = await f.run(['--format', 'json', 'demo-user'], withDialogs(kdialog.dir, { DISPLAY: undefined }));
    expect(headless).toEqual({
      status: 4,
      signal: null,
      stdout: '',
      stderr:
        'mfa-env: no MFA code for profile "demo-user": mfa_prompt kdialog needs a desktop session, and neither DISPLAY nor WAYLAND_DISPLAY is set\n',
    });
    expect(kdialog.runs()).toEqual([]);
  });

  it('mfa_prompt is checked; --prompt contradicts --mfa-process and --no-input', async () => {
    withSetting('mfa_prompt = popup');
    const bad = await f.run(['demo-user']);
    expect(bad).toMatchObject({ status: 3, stdout: '' });
    expect(bad.stderr).toMatch(
      /^mfa-env: mfa_prompt of profile "demo-user" in ".*config" is "popup"; use one of terminal, zenity, kdialog, osascript\n$/,
    );
    const both = await f.run(['demo-user', '--prompt', 'zenity', '--mfa-process', 'echo 123456']);
    expect(both).toMatchObject({ status: 2, stdout: '' });
    expect(both.stderr).toMatch(/^mfa-env: --prompt and --mfa-process are two ways to get the code; give one\n/);
    expect((await f.run(['demo-user', '--prompt', 'zenity', '--no-input'])).status).toBe(2);
    expect((await f.run(['demo-user', '--prompt', 'popup'])).status).toBe(2);
  });

  it('with a terminal, mfa_prompt leaves the asking to it, and --prompt zenity asks in the dialog anyway', async () => {
    withSetting('mfa_prompt = zenity');
    const zenity = standIn('zenity', [{ out: `${f.code()}\n`, status: 0 }]);
    const env = { ...f.home.env, ...withDialogs(zenity.dir).env };
    const atTerminal = new Pty(`${process.execPath} ${CLI} --format json demo-user`, { env });
    try {
      await atTerminal.waitFor(`MFA code for ${DEMO_USER.serial}:`, { timeoutMs: 20000 });
      atTerminal.type(`${f.code()}\r`);
      expect(await atTerminal.exited).toBe(0);
    } finally {
      atTerminal.kill();
    }
    expect(zenity.runs()).toEqual([]);

    const byName = new Pty(`${process.execPath} ${CLI} --format json --refresh --prompt zenity demo-user`, { env });
    try {
      expect(await byName.exited).toBe(0);
    } finally {
      byName.kill();
    }
    expect(byName.output).not.toContain('MFA code for');
    expect(zenity.runs()).toHaveLength(1);
  });
});

const NEEDS_X = missingPrograms({
  Xvfb: 'apt-get install xvfb',
  zenity: 'apt-get install zenity',
  xdotool: 'apt-get install xdotool',
});
const AWS_CLI = '/usr/bin/aws';

describeNeeding(NEEDS_X)('a real zenity in a real X server (Xvfb), typed at with xdotool', () => {
  let xvfb: ReturnType<typeof spawn> | undefined;
  let display = '';

  beforeAll(async () => {
    // -displayfd: Xvfb takes a free display number itself and says which once it is ready.
    xvfb = spawn('Xvfb', ['-displayfd', '3', '-nolisten', 'tcp', '-screen', '0', '1024x768x24'], {
      stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
    });
    display = await new Promise<string>((resolve, reject) => {
      let text = '';
      const timer = setTimeout(() => reject(new Error('Xvfb did not start')), 15000);
      xvfb!.stdio[3]!.on('data', (d: Buffer) => {
        text += d.toString();
        if (text.includes('\n')) {
          clearTimeout(timer);
          resolve(`:${text.trim()}`);
        }
      });
      xvfb!.on('exit', () => reject(new Error('Xvfb exited')));
    });
  }, 30000);
  afterAll(() => {
    xvfb?.kill();
  });

  /** Runs xdotool on the display, with a bound on how long it may take. */
  function xdotool(args: string[], timeoutMs = 15000): Promise<string> {
    return new Promise((resolve, reject) => {
      const child = spawn('xdotool', args, {
        env: { ...process.env, DISPLAY: display },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      let err = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (err += d));
      const timer = setTimeout(() => child.kill(), timeoutMs);
      child.on('close', (status) => {
        clearTimeout(timer);
        if (status === 0) resolve(out.trim());
        else reject(new Error(`xdotool ${args.join(' ')}: exit ${status} ${err}`));
      });
    });
  }

  interface Dialog {
    window: string;
    pid: string;
  }

  /**
   * The dialog once its window is mapped, of another zenity than `not` (X hands a new client the window ids of one
   * that has gone, so the process tells them apart); with no window manager, focus is set on it directly.
   */
  async function dialog(not?: Dialog): Promise<Dialog> {
    for (;;) {
      for (const window of await windows(true)) {
        const pid = await xdotool(['getwindowpid', window]).catch(() => undefined);
        if (pid === undefined || pid === not?.pid) continue;
        await xdotool(['windowfocus', '--sync', window]);
        return { window, pid };
      }
      // Only the old one, on its way out: look again shortly.
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** mfa-env's dialogs on the display (with `sync`, once there is one). A window that goes while xdotool looks is no error. */
  async function windows(sync = false): Promise<string[]> {
    for (;;) {
      try {
        return (await xdotool(['search', ...(sync ? ['--sync'] : []), '--onlyvisible', '--name', '^mfa-env: ']))
          .split('\n')
          .filter(Boolean);
      } catch (err) {
        if (!/BadWindow/.test((err as Error).message)) {
          if (!sync) return [];
          throw err;
        }
      }
    }
  }

  // A test that failed halfway may have left a dialog up, which the next one would find: its zenity is ended, by pid.
  afterEach(async () => {
    for (const window of await windows()) {
      const pid = Number(await xdotool(['getwindowpid', window]).catch(() => '0'));
      if (pid > 0) process.kill(pid, 'SIGTERM');
    }
  });

  /** A key for the dialog. The one that closes it may find the window gone before its release is sent: that is fine. */
  async function press(d: Dialog, key: string): Promise<void> {
    await xdotool(['key', '--window', d.window, key]).catch((err: Error) => {
      if (!/BadWindow/.test(err.message)) throw err;
    });
  }

  async function type(d: Dialog, text: string): Promise<void> {
    await xdotool(['type', '--window', d.window, text]);
    await press(d, 'Return');
  }

  const asCredentialProcess = (args: string[]) =>
    f.run(['--format', 'json', ...args], { env: { DISPLAY: display }, timeoutMs: 30000 });

  it('the code typed into the dialog is accepted, and stdout is the JSON alone', async () => {
    withSetting('mfa_prompt = zenity');
    const result = asCredentialProcess(['demo-user']);
    const shown = await dialog();
    expect(await xdotool(['getwindowname', shown.window])).toBe('mfa-env: MFA code for "demo-user"');
    const code = f.code();
    await type(shown, code);
    const done = await result;
    expect(done).toMatchObject({ status: 0, stderr: '' });
    expect(done.stdout).toBe(credentialJson());
    expect(f.server.calls[0].params.TokenCode).toBe(code);
  }, 40000);

  it('Escape cancels: exit 4, a clear message, empty stdout', async () => {
    withSetting('mfa_prompt = zenity');
    const result = asCredentialProcess(['demo-user']);
    await press(await dialog(), 'Escape');
    expect(await result).toEqual({
      status: 4,
      signal: null,
      stdout: '',
      stderr: 'mfa-env: no MFA code for profile "demo-user": the zenity dialog was cancelled\n',
    });
    expect(f.server.calls).toHaveLength(0);
  }, 40000);

  it('a malformed code brings the dialog back; a hostile profile name shows as written', async () => {
    const name = 'ev_il<b>&amp;</b>';
    withProfileInCredentials(name);
    const result = asCredentialProcess([name]);
    const first = await dialog();
    expect(await xdotool(['getwindowname', first.window])).toBe(`mfa-env: MFA code for "${name}"`);
    await type(first, '12ab');
    const second = await dialog(first);
    await type(second, f.code());
    expect(await result).toMatchObject({ status: 0, stderr: '', stdout: credentialJson() });
    expect(f.server.calls).toHaveLength(1);
  }, 40000);

  itNeeding(missingPrograms({ [AWS_CLI]: 'apt-get install awscli, the AWS CLI v2' }))(
    'the AWS CLI running mfa-env as credential_process, with no terminal, gets the session through the dialog',
    async () => {
      withSetting('mfa_prompt = zenity');
      f.home.write({
        config: `${readFileSync(f.home.configPath, 'utf8')}\n[profile ide]\ncredential_process = ${process.execPath} ${CLI} --format json demo-user\nregion = eu-west-1\n`,
      });
      const cli = new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
        const child = spawn(
          AWS_CLI,
          [
            'sts',
            'get-caller-identity',
            '--profile',
            'ide',
            '--endpoint-url',
            f.server.url,
            '--output',
            'text',
            '--query',
            'Arn',
          ],
          {
            env: { ...f.home.env, AWS_PAGER: '', DISPLAY: display },
            stdio: ['ignore', 'pipe', 'pipe'],
            // No controlling terminal, as under an IDE.
            detached: true,
          },
        );
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d) => (stdout += d));
        child.stderr.on('data', (d) => (stderr += d));
        child.on('close', (status) => resolve({ status, stdout, stderr }));
      });
      await type(await dialog(), f.code());
      expect(await cli).toEqual({
        status: 0,
        stdout: `arn:aws:iam::${DEMO_USER.accountId}:user/demo-user\n`,
        stderr: '',
      });
    },
    40000,
  );
});
