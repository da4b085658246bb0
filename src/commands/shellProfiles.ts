import { lstatSync } from 'node:fs';
import { join } from 'node:path';
import type { CommandIo } from '../commandIo';
import { MANAGED_VARS, originalEnv } from '../env/envChange';
import { MfaEnvError } from '../errors';
import { removeFile } from '../files/removeFile';
import { type FunctionPlan, MAX_FUNCTIONS, planFunctions, tooMany } from '../integration/profileFunctions';
import { renderMemo } from '../integration/profileMemo';
import { type IntegrationShell, MEMO_FILES, SHELL_TABLE } from '../integration/shellTable';
import { keyringIndexPath, readKeyringIndex } from '../keys/keyringIndex';
import { configFilePaths, loadConfigFiles, TooManySections } from '../profiles/configFiles';
import { ProfileSet } from '../profiles/profileSet';
import { sessionCache } from '../session/cacheSettings';
import { recordingEnv } from '../session/memoInputs';
import { show } from '../text/showText';

// Variables whose values the memo never holds: what an export sets (a shell with a session loaded would never match
// them), credentials, and endpoints (a URL may carry a password). They only check values; they do not change which
// functions exist.
const UNRECORDED = new Set<string>([
  ...MANAGED_VARS,
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_SECURITY_TOKEN',
]);
const unrecorded = (name: string) =>
  UNRECORDED.has(name) || name.startsWith('AWS_ENDPOINT_URL') || name.startsWith('MFA_ENV_SAVED');

/**
 * `mfa-env __profiles SHELL`, run by the integration when its memo is missing or stale: writes the code that defines
 * the profile functions (0600, atomically, in the checked cache directory), for the shell to source now and at every
 * start while it is fresh; only when it cannot be kept is the code handed over instead. A broken config still gives
 * a memo, whose code says what is wrong once per shell start instead of failing it.
 */
export async function shellProfiles(
  shell: IntegrationShell,
  io: Omit<CommandIo, 'stdin'>,
  { print = false } = {},
): Promise<string> {
  // The memo's time: before anything is read, so a file changed meanwhile is newer than the memo.
  const started = new Date(io.now());
  const recorded = recordingEnv(originalEnv(io.env));
  const { configPath, credentialsPath } = configFilePaths(recorded.env);
  const cache = sessionCache(recorded.env, io);
  const dir = cache.dir;
  // The keyring index is an input like the AWS files: `mfa-env keys` rewrites it, and the memo is made anew.
  const files = [configPath, credentialsPath, keyringIndexPath(dir)].map((path) => ({ path, exists: exists(path) }));
  let plan: FunctionPlan;
  try {
    // A profile can be in both files: twice the cap in sections can still be within it.
    const profiles = new ProfileSet(await loadConfigFiles(recorded.env, { maxSections: 2 * MAX_FUNCTIONS }));
    plan = planFunctions(profiles, recorded.env, shell, readKeyringIndex(cache));
  } catch (err) {
    if (err instanceof TooManySections) plan = { functions: [], skipped: [tooMany(`${err.sections} sections`)] };
    else if (err instanceof MfaEnvError) plan = { functions: [], skipped: [], problem: err.message };
    else throw err;
  }
  const env = new Map([...recorded.reads].filter(([name]) => !unrecorded(name)));
  const text = renderMemo(shell, { env, files }, plan);
  const problem = cache.files.writeText(join(dir, SHELL_TABLE[shell].memoFile), text, {
    mtime: memoTime(started, files, io.now()),
  });
  if (problem) {
    io.warn(
      `could not keep the profile functions in ${show(dir)} (${problem}); each new shell runs mfa-env to make them`,
    );
    return text;
  }
  for (const name of LEGACY_FILES) removeFile(join(dir, name));
  // Kept: the shell sources the file, with the checks it applies at every start (and faster than evaluating it),
  // unless it could not tell where the file is (no absolute HOME).
  return print ? text : '';
}

/** Deletes every shell's memo (`forget`): the next shell start makes its own. */
export function forgetShellProfiles(dir: string): void {
  for (const name of [...MEMO_FILES, ...LEGACY_FILES]) removeFile(join(dir, name));
}

// Earlier versions of the fish integration kept a copy of both AWS files, long-term secret key included, in profiles.key.
const LEGACY_FILES = ['profiles.key'];

function exists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

// A file dated in the future (a skewed clock, an unpacked archive) would make every memo look older than it, and
// every shell start run mfa-env: the memo is dated just after such a file then. (A file changed while this ran is
// dated now or earlier, and keeps the memo older than it.)
function memoTime(started: Date, files: Array<{ path: string; exists: boolean }>, now: number): Date {
  let newest = started.getTime();
  for (const { path, exists: present } of files) {
    if (!present) continue;
    try {
      const mtime = lstatSync(path).mtimeMs;
      // A whole second past it: fish compares whole seconds, and stored times may be rounded.
      if (mtime > now && mtime >= newest) newest = (Math.floor(mtime / 1000) + 1) * 1000;
    } catch {
      // gone meanwhile: the memo's check will say so
    }
  }
  return new Date(newest);
}
