// A command mfa-env starts for a code (mfa_process) never outlives it: when mfa-env is killed while the command
// runs (kill -9 included, where no code of mfa-env's runs), the command and what it started are ended too.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Fixture, startFixture } from '../support/fixture';
import { CLI } from '../support/runCli';

let f: Fixture;
beforeEach(async () => {
  f = await startFixture();
});
afterEach(() => f.stop());

/** Running, as opposed to gone or a zombie waiting to be reaped. */
function alive(pid: number): boolean {
  try {
    const state = /^\d+ \(.*\) (\S)/s.exec(readFileSync(`/proc/${pid}/stat`, 'utf8'))?.[1];
    return state !== undefined && state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

async function until(condition: () => boolean, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

it.each(['SIGKILL', 'SIGTERM', 'SIGHUP'] as const)(
  '%s to mfa-env while mfa_process waits ends the command and its children',
  async (signal) => {
    const pids = join(f.home.home, 'pids');
    // A password manager waiting to be unlocked: a shell, with a child of its own.
    const tool = join(f.home.home, 'vault');
    writeFileSync(tool, `#!/bin/sh\nsleep 300 &\necho "$$ $!" > ${pids}\nwait\n`, { mode: 0o755 });
    f.home.write({ config: `${readFileSync(f.home.configPath, 'utf8')}mfa_process = ${tool}\n` });
    const child = spawn(process.execPath, [CLI, 'demo-user'], { env: f.home.env, stdio: 'ignore', detached: true });
    await until(() => existsSync(pids) && readFileSync(pids, 'utf8').endsWith('\n'), 'mfa_process started');
    const [shell, sleeper] = readFileSync(pids, 'utf8').trim().split(' ').map(Number);
    expect([alive(shell), alive(sleeper)]).toEqual([true, true]);
    // mfa-env alone, not its process group (which would take the command with it and prove nothing).
    process.kill(child.pid!, signal);
    await until(() => !alive(shell) && !alive(sleeper), `the command (${shell}) and its child (${sleeper}) are gone`);
    expect(f.server.calls).toEqual([]);
  },
);

it('a command that finishes leaves nothing behind either (its watchdog goes with it)', async () => {
  const pids = join(f.home.home, 'pids');
  const code = f.code();
  const result = await f.run(['demo-user', '--mfa-process', `echo $$ > ${pids}; echo ${code}`]);
  expect(result.status).toBe(0);
  const shell = readFileSync(pids, 'utf8').trim();
  // The watchdog of this command: its arguments end with the command's pid (other tests may run watchdogs of their own).
  const watchdogs = () =>
    require('node:fs')
      .readdirSync('/proc')
      .filter((p: string) => /^\d+$/.test(p))
      .filter((p: string) => {
        try {
          return readFileSync(`/proc/${p}/cmdline`, 'utf8').endsWith(`mfa-env-watchdog\0${shell}\0`);
        } catch {
          return false;
        }
      });
  await until(() => watchdogs().length === 0, `no watchdog of ${shell} is left`, 5_000);
});
