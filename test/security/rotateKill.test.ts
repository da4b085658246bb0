// `mfa-env rotate` killed with SIGKILL between any two of its steps never leaves the user without a working key in
// the credentials file: after every kill the file is either as it was or has exactly the section's key replaced by
// a key IAM has, the key there works, IAM holds at most 2 keys, and the next rotate (once the user has deleted the
// extra key it names) succeeds. Kill points come from a seeded generator (the seed is in the test name; set
// MFA_ENV_TEST_SEED to repeat a run): half at a random moment of a run, half just after the server answered a
// given call (each call of a rotation in turn), so every gap between two steps is hit.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type AccountFixture, startAccountFixture } from '../support/accountFixture';
import { DEMO_USER } from '../support/fixture';
import { CLI } from '../support/runCli';
import { replayWith, seededRandom, testSeed } from '../support/seed';

const ROUNDS = 40;
const SEED = testSeed();

let f: AccountFixture;
beforeAll(async () => {
  // A new key is refused once (IAM propagation) and the old key's deletion takes a while: both gaps are wide enough
  // to be hit by a kill at a random moment, not only by one placed after a call.
  f = await startAccountFixture({ keyPropagation: { calls: 1 } });
});
afterAll(() => f.stop());

interface Outcome {
  ms: number;
  status: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

/** The calls of a rotation (besides GetSessionToken, when the MFA session is not cached), in order. */
const STEPS: Array<[action: string, nth: number]> = [
  ['GetCallerIdentity', 1], // the stored key: whose, and does it work
  ['ListAccessKeys', 1],
  ['CreateAccessKey', 1],
  ['GetCallerIdentity', 2], // the new key, refused while IAM propagates it
  ['GetCallerIdentity', 3], // the new key, accepted: the file is written at once
  ['DeleteAccessKey', 1],
];

/** One rotate, killed `afterMs` after it starts, or `extraMs` after the server answered the `afterCall` step. */
function rotate(kill: { afterMs?: number; afterCall?: [string, number]; extraMs?: number } = {}): Promise<Outcome> {
  const started = Date.now();
  f.server.failNext({ kind: 'delay', ms: 300 }, 1, 'DeleteAccessKey');
  const child = spawn(process.execPath, [CLI, 'rotate', 'demo-user', '-t', f.code()], {
    env: f.home.env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const timers: NodeJS.Timeout[] = [];
  const killNow = () => child.kill('SIGKILL');
  if (kill.afterMs !== undefined) timers.push(setTimeout(killNow, kill.afterMs));
  const seen: Record<string, number> = {};
  const hook = ({ action }: { action: string }) => {
    seen[action] = (seen[action] ?? 0) + 1;
    if (kill.afterCall && kill.afterCall[0] === action && kill.afterCall[1] === seen[action])
      timers.push(setTimeout(killNow, kill.extraMs ?? 0));
  };
  f.onCall.push(hook);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (status, signal) => {
      timers.forEach(clearTimeout);
      f.onCall.splice(f.onCall.indexOf(hook), 1);
      f.server.clearFaults();
      resolve({ ms: Date.now() - started, status, signal, stderr });
    });
  });
}

/** The demo-user section's key in the file, and what IAM has. */
function look() {
  const text = readFileSync(f.home.credentialsPath, 'utf8');
  const key = /\[demo-user\][^[]*?aws_access_key_id\s*=\s*(\S+)/.exec(text)![1];
  const secret = /\[demo-user\][^[]*?aws_secret_access_key\s*=\s*(\S+)/.exec(text)![1];
  return { text, key, secret, iam: f.server.accessKeysOf('demo-user') };
}

describe('SIGKILL during `mfa-env rotate demo-user`', () => {
  it(`${ROUNDS} kills never leave the file without a working key, and the next rotate recovers (${replayWith(SEED)})`, async () => {
    console.log(`rotateKill: ${replayWith(SEED)}`);
    const random = seededRandom(SEED);
    const base = [
      '# keys, with comments and other profiles around',
      ...Array.from(
        { length: 10 },
        (_, i) => `[p${i}]\naws_access_key_id = AKIA${String(i).padStart(16, '0')}\naws_secret_access_key = s${i}\n`,
      ),
      '[demo-user]',
      `aws_access_key_id = ${DEMO_USER.accessKeyId}`,
      `aws_secret_access_key = ${DEMO_USER.secretAccessKey}`,
      '',
      '; the end',
      '',
    ].join('\n');
    writeFileSync(f.home.credentialsPath, base, { mode: 0o600 });

    // How long a whole rotation takes here (with the MFA session cached by the first): the range of the random kill points.
    expect((await rotate()).status).toBe(0);
    const second = await rotate();
    expect(second.status).toBe(0);
    const span = second.ms;

    const phases: Record<string, number> = {};
    let recoveriesChecked = 0;
    let finished = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const before = look();
      expect(before.iam.map((k) => k.accessKeyId)).toEqual([before.key]);
      // Odd rounds go through the steps in turn. Once the new key is accepted the file is written at once and
      // DeleteAccessKey is held 300 ms: a kill 60-210 ms later falls between the write and the deletion. After
      // the deletion is answered only the last message and the exit are left, a few ms: a kill within 5 ms of the
      // answer falls there (the key is gone from IAM, the process not yet).
      const step = ((round - 1) / 2) % STEPS.length;
      const extraMs = step === 4 ? 60 + random() * 150 : step === 5 ? random() * 5 : random() * 80;
      const kill = round % 2 === 0 ? { afterMs: random() * span } : { afterCall: STEPS[step], extraMs };
      const outcome = await rotate(kill);
      if (outcome.signal !== 'SIGKILL') {
        expect({ status: outcome.status, stderr: outcome.stderr }).toEqual({
          status: 0,
          stderr: expect.stringContaining('mfa-env: rotated: '),
        });
        finished++;
      }

      // The invariants, whatever moment the kill hit.
      const now = look();
      const stored = now.iam.find((k) => k.accessKeyId === now.key);
      expect(stored).toBeDefined();
      expect(f.server.keyWorks(now.key, now.secret)).toBe(true);
      expect(now.iam.length).toBeLessThanOrEqual(2);
      expect(now.text).toBe(before.text.replace(before.key, now.key).replace(before.secret, now.secret));
      for (const name of readdirSync(join(f.home.home, '.aws')))
        expect(name).toMatch(/^(config|credentials|credentials\.[0-9a-f]{12}\.tmp)$/);

      const written = now.key !== before.key;
      const phase = !written
        ? now.iam.length === 1
          ? 'nothing made, or the new key deleted again'
          : 'new key made, not written'
        : now.iam.length === 2
          ? 'new key written, old not deleted'
          : 'done';
      if (outcome.signal === 'SIGKILL') phases[phase] = (phases[phase] ?? 0) + 1;

      if (now.iam.length === 2) {
        const extra = now.iam.find((k) => k.accessKeyId !== now.key)!;
        // The next run names the stored key (working) and the extra one, and changes nothing.
        if (recoveriesChecked < 4) {
          recoveriesChecked++;
          const next = await rotate();
          expect(next.status).toBe(5);
          expect(next.stderr).toContain(
            `holds ...${now.key.slice(-4)}, which works, and ...${extra.accessKeyId.slice(-4)} (active`,
          );
          expect(look().text).toBe(now.text);
        }
        // As the user does on reading it.
        f.server.removeAccessKey(extra.accessKeyId);
      }
    }
    console.log(
      `rotateKill: seed ${SEED}, ${ROUNDS - finished} killed (${JSON.stringify(phases)}), ${finished} finished first; kill delays 0-${span} ms`,
    );
    // Every gap between two steps was hit.
    expect(Object.keys(phases).sort()).toEqual([
      'done',
      'new key made, not written',
      'new key written, old not deleted',
      'nothing made, or the new key deleted again',
    ]);

    // And a rotation still works to the end.
    const last = await rotate();
    expect(last.status).toBe(0);
    const end = look();
    expect(end.iam.map((k) => k.accessKeyId)).toEqual([end.key]);
    expect(f.server.keyWorks(end.key, end.secret)).toBe(true);
  }, 240_000);
});
