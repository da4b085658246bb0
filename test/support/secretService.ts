import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface SecretService {
  /** What a process needs to reach it: add to the environment of the mfa-env runs that use the keyring. */
  env: { DBUS_SESSION_BUS_ADDRESS: string };
  /** An entry as the Secret Service holds it, read with the addon directly (not through mfa-env); null when none. */
  get(account: string, service?: string): string | null;
  /** Writes an entry directly, as another program could. */
  set(account: string, text: string, service?: string): void;
  /** Deletes an entry directly, if there is one. */
  remove(account: string, service?: string): void;
  stop(): Promise<void>;
}

// Run in a child process: a native addon in the test runner's process would stay connected to a bus that is gone.
const ENTRY = `
const [op, service, account, text] = process.argv.slice(1);
const { Entry } = require(process.env.KEYRING_ADDON);
const entry = new Entry(service, account, { linux: { store: 'secret-service' } });
if (op === 'get') process.stdout.write(JSON.stringify(entry.getPassword() ?? null));
else if (op === 'remove') entry.deletePassword();
else entry.setPassword(text);
`;

// The bus and the keyring daemon live as long as `cat` reads the test's pipe; gnome-keyring-daemon --unlock reads
// the password on stdin and makes (or opens) the login keyring with it, unlocked.
const SCRIPT = [
  'command -v gnome-keyring-daemon >/dev/null || { echo "gnome-keyring-daemon is not installed (apt-get install gnome-keyring dbus; .ci/run does)" >&2; exit 1; }',
  'printf %s "$KEYRING_PASSWORD" | gnome-keyring-daemon --unlock --components=secrets >/dev/null || exit 1',
  'printf "%s\\n" "$DBUS_SESSION_BUS_ADDRESS"',
  'exec cat >/dev/null',
].join('\n');

/**
 * A real Secret Service for the tests, apart from the developer's: a D-Bus session bus of its own
 * (dbus-run-session) with gnome-keyring-daemon on it, its keyring in a throwaway home, unlocked. Missing tools make
 * it fail, never skip: the keyring tests are part of `npm test` wherever it runs.
 */
export async function startSecretService(): Promise<SecretService> {
  const home = mkdtempSync(join(tmpdir(), 'mfa-env-keyring-'));
  mkdirSync(join(home, 'run'), { mode: 0o700 });
  let child: ChildProcess;
  try {
    child = spawn('dbus-run-session', ['--', 'sh', '-c', SCRIPT], {
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: home,
        XDG_DATA_HOME: join(home, 'share'),
        XDG_CONFIG_HOME: join(home, 'config'),
        XDG_CACHE_HOME: join(home, 'cache'),
        XDG_RUNTIME_DIR: join(home, 'run'),
        LANG: 'C.UTF-8',
        KEYRING_PASSWORD: 'mfa-env test keyring',
      },
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
    });
  } catch (err) {
    rmSync(home, { recursive: true, force: true });
    throw err;
  }
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  const stop = async () => {
    child.stdin!.end();
    const timer = setTimeout(() => killGroup(child), 5000);
    await exited;
    clearTimeout(timer);
    rmSync(home, { recursive: true, force: true });
  };
  try {
    const address = await new Promise<string>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`no Secret Service after 20 s; stderr: ${stderr}`)), 20000);
      child.on('error', (err) => {
        clearTimeout(timer);
        reject(
          new Error(`cannot run dbus-run-session (${err.message}): apt-get install dbus gnome-keyring (.ci/run does)`),
        );
      });
      child.stdout!.on('data', (d) => {
        out += d;
        const line = out.split('\n')[0];
        if (out.includes('\n') && line.startsWith('unix:')) {
          clearTimeout(timer);
          resolve(line);
        }
      });
      exited.then(() => {
        clearTimeout(timer);
        reject(new Error(`the Secret Service did not start; stderr: ${stderr}`));
      });
    });
    const env = { DBUS_SESSION_BUS_ADDRESS: address };
    const entry = (args: string[]) =>
      execFileSync(process.execPath, ['-e', ENTRY, ...args], {
        env: { PATH: process.env.PATH, ...env, KEYRING_ADDON: require.resolve('@napi-rs/keyring') },
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    return {
      env,
      get: (account, service = 'mfa-env') => JSON.parse(entry(['get', service, account])) as string | null,
      set: (account, text, service = 'mfa-env') => void entry(['set', service, account, text]),
      remove: (account, service = 'mfa-env') => void entry(['remove', service, account]),
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

function killGroup(child: ChildProcess): void {
  try {
    process.kill(-child.pid!, 'SIGKILL');
  } catch {
    // gone already
  }
}
