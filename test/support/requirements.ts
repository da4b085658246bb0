// Tests that need something a machine may lack: a program (strace, Xvfb, the AWS CLI...) or root. CI installs every
// one and runs as root (.ci/run), so there a missing one fails the tests that need it, never skips them silently;
// elsewhere they are skipped, with what is missing in their name.
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';

/** CI says so in CI (GitHub Actions and most others set CI=true; .ci/run sets it too). */
export const IN_CI = !['', '0', 'false'].includes((process.env.CI ?? '').toLowerCase());

/** Each of `programs` (a name looked up on PATH, or an absolute path) that cannot be run here, with how to get it. */
export function missingPrograms(programs: Record<string, string>): string[] {
  return Object.entries(programs)
    .filter(([program]) =>
      program.startsWith('/')
        ? !executable(program)
        : spawnSync('sh', ['-c', 'command -v -- "$1"', 'sh', program]).status !== 0,
    )
    .map(([program, install]) => `${program} is not installed (${install})`);
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** What is missing for a test that needs root, `why` saying what for. */
export function missingRoot(why: string): string[] {
  return process.geteuid?.() === 0 ? [] : [`not running as root (${why})`];
}

const failure = (missing: string[]) =>
  new Error(`${missing.join('; ')}. CI must have it (.ci/run installs every tool and runs as root)`);
const skipped = (name: string, missing: string[]) => `${name} [skipped: ${missing.join('; ')}]`;

type TestFn = (name: string, fn: jest.ProvidesCallback, timeout?: number) => void;

/** `it` for a test that needs what `missing` lacks: itself when nothing is missing, else failing in CI, skipped elsewhere. */
export function itNeeding(missing: string[]): TestFn {
  if (missing.length === 0) return it;
  if (IN_CI)
    return (name, _fn, timeout) =>
      it(
        name,
        () => {
          throw failure(missing);
        },
        timeout,
      );
  return (name, fn, timeout) => it.skip(skipped(name, missing), fn, timeout);
}

/** `describe` for tests that need what `missing` lacks, as itNeeding; in CI one failing test stands for the block. */
export function describeNeeding(missing: string[]): (name: string, fn: () => void) => void {
  if (missing.length === 0) return describe;
  if (IN_CI)
    return (name) =>
      describe(name, () => {
        it('has what it needs', () => {
          throw failure(missing);
        });
      });
  return (name, fn) => describe.skip(skipped(name, missing), fn);
}
