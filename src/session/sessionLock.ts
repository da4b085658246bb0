import {
  closeSync,
  constants,
  fchmodSync,
  fstatSync,
  lstatSync,
  openSync,
  readSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { InterruptedError } from '../errors';
import { removeFile } from '../files/removeFile';
import type { ProcessHost } from '../processHost';
import { show } from '../text/showText';

/** A lock older than this is taken over even when its pid is alive: the pid may belong to another process by now. */
export const LOCK_MAX_AGE_MS = 5 * 60_000;
const POLL_MS = 100;
// The pid is written right after the file is made: an empty lock older than this was left by a kill in between.
const EMPTY_LOCK_MAX_AGE_MS = 5000;
// Signals that end a run while it holds the lock (Ctrl-C during an mfa_process or an STS call, a closed terminal).
const ENDING: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

export interface LockContext {
  /** Whether making the session may ask a person (a prompt, an mfa_process): recorded in the lock for those waiting. */
  asking: boolean;
  /** The longest wait for another process's lock (MFA_ENV_LOCK_WAIT); then this run goes on without the lock. */
  maxWaitMs?: number;
  say(message: string): void;
  debug?(message: string): void;
  /** This process: its pid goes in the lock, its signals remove the lock, and it asks whether holders live. */
  host: ProcessHost;
  /** Only a lock file of this user's is a lock. */
  uid: number;
}

interface Holder {
  pid?: number;
  host?: string;
  asking?: boolean;
  ino: number;
  dev: number;
  mtimeMs: number;
}

type Attempt =
  | { kind: 'ours'; ino: number; dev: number }
  | { kind: 'held'; holder: Holder }
  | { kind: 'gone' }
  | { kind: 'unusable'; why: string };

/**
 * Runs `make` (ask for a code, call STS, store the session) in one process at a time for one cache key, so shells
 * started together ask for one code. The lock is a file made with O_EXCL holding its maker's pid. Another process
 * waits while that pid lives, then takes what `served` finds in the cache, or, if the holder stored nothing (a wrong
 * code, Ctrl-C), goes on itself. A lock whose pid is gone, or older than LOCK_MAX_AGE_MS, is taken over. A lock that
 * cannot be made or read for any other reason is done without: the lock must never be why a run fails.
 */
export async function oneAtATime<T>(
  lockFile: string,
  served: () => T | undefined,
  make: () => Promise<T>,
  context: LockContext,
): Promise<T> {
  let announced = false;
  const announce = (holder: Holder) => {
    // A holder with its code in hand is done in a moment: waiting for it is not worth a word.
    if (announced || holder.asking === false) return;
    announced = true;
    context.say(`waiting for the MFA code being entered in another terminal (${describeHolder(holder)})`);
  };
  for (;;) {
    // Ours to remove on a signal from the moment it exists: a signal with no handler kills at once, lock left behind.
    const guard = guardLock(lockFile, context.host);
    const attempt = tryLock(lockFile, context);
    if (attempt.kind === 'ours') {
      context.debug?.(`lock ${lockFile} taken`);
      return guard.holding(attempt, served, make);
    }
    guard.release();
    if (attempt.kind === 'unusable') {
      context.debug?.(`lock ${lockFile} not usable (${attempt.why}); going on without it`);
      return make();
    }
    if (attempt.kind === 'held') {
      context.debug?.(`lock ${lockFile} held by ${describeHolder(attempt.holder)}; waiting`);
      const waited = await waitWhileHeld(
        lockFile,
        attempt.holder,
        announce,
        context,
        Date.now() + (context.maxWaitMs ?? LOCK_MAX_AGE_MS),
      );
      if (waited === 'stale') {
        context.debug?.(`lock of ${describeHolder(attempt.holder)} is stale; taking it over`);
        removeIf(lockFile, attempt.holder);
        continue;
      }
      if (waited === 'timeout') {
        // The shell integration's prompt hook must not hang on a code typed elsewhere: it fails, or asks, itself.
        context.debug?.(
          `waited long enough for ${describeHolder(attempt.holder)} (MFA_ENV_LOCK_WAIT); going on without the lock`,
        );
        return make();
      }
    }
    // Released: the holder stored a session, or gave up and the next one goes on.
    const hit = served();
    if (hit !== undefined) return hit;
  }
}

function tryLock(lockFile: string, context: LockContext): Attempt {
  let fd: number;
  try {
    fd = openSync(lockFile, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EEXIST') return { kind: 'unusable', why: code ?? String(err) };
    return readHolder(lockFile, context.uid);
  }
  try {
    fchmodSync(fd, 0o600);
    const stat = fstatSync(fd);
    writeSync(fd, `${JSON.stringify({ pid: context.host.pid, host: hostname(), asking: context.asking })}\n`);
    return { kind: 'ours', ino: stat.ino, dev: stat.dev };
  } catch (err) {
    removeFile(lockFile);
    return { kind: 'unusable', why: (err as NodeJS.ErrnoException).code ?? String(err) };
  } finally {
    closeSync(fd);
  }
}

/** Who holds the lock, from the file; only a regular file of ours is a lock (not a symlink, FIFO or someone else's). */
function readHolder(lockFile: string, uid: number): Attempt {
  let fd: number;
  try {
    fd = openSync(lockFile, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'ENOENT'
      ? { kind: 'gone' }
      : { kind: 'unusable', why: code === 'ELOOP' ? 'it is a symlink' : (code ?? String(err)) };
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) return { kind: 'unusable', why: 'it is not a regular file' };
    if (stat.uid !== uid) return { kind: 'unusable', why: `it belongs to another user (uid ${stat.uid})` };
    const buffer = Buffer.alloc(512);
    const text = buffer.subarray(0, readSync(fd, buffer, 0, buffer.length, 0)).toString('utf8');
    const holder: Holder = { ino: stat.ino, dev: stat.dev, mtimeMs: stat.mtimeMs };
    try {
      const parsed = JSON.parse(text) as { pid?: unknown; host?: unknown; asking?: unknown };
      if (Number.isSafeInteger(parsed.pid) && (parsed.pid as number) > 0) holder.pid = parsed.pid as number;
      if (typeof parsed.host === 'string') holder.host = parsed.host;
      if (typeof parsed.asking === 'boolean') holder.asking = parsed.asking;
    } catch {
      // empty or cut short: judged by its age alone
    }
    return { kind: 'held', holder };
  } catch (err) {
    return { kind: 'unusable', why: (err as NodeJS.ErrnoException).code ?? String(err) };
  } finally {
    closeSync(fd);
  }
}

/** Polls (a stat every POLL_MS) until the lock is released or replaced, or turns out stale. Ctrl-C ends the wait. */
function waitWhileHeld(
  lockFile: string,
  holder: Holder,
  announce: (holder: Holder) => void,
  { host, uid }: LockContext,
  deadline: number,
): Promise<'released' | 'stale' | 'timeout'> {
  return new Promise((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const finish = (settle: () => void) => {
      clearTimeout(timer);
      host.off('SIGINT', onInterrupt);
      settle();
    };
    const what =
      holder.asking === false ? 'another mfa-env to get the session' : 'the MFA code being entered in another terminal';
    const onInterrupt = () =>
      finish(() => reject(new InterruptedError(`cancelled while waiting for ${what} (${describeHolder(holder)})`)));
    const check = () => {
      let stat: import('node:fs').Stats | undefined;
      try {
        stat = lstatSync(lockFile);
      } catch {
        stat = undefined;
      }
      if (!stat || stat.ino !== holder.ino || stat.dev !== holder.dev) return finish(() => resolve('released'));
      // Read between the holder's open and its write: who it is shows on a later look.
      if (holder.pid === undefined) {
        const again = readHolder(lockFile, uid);
        if (again.kind === 'held' && again.holder.ino === holder.ino && again.holder.dev === holder.dev)
          Object.assign(holder, again.holder);
      }
      if (isStale(holder, host)) return finish(() => resolve('stale'));
      if (Date.now() >= deadline) return finish(() => resolve('timeout'));
      if (holder.pid !== undefined) announce(holder);
      timer = setTimeout(check, POLL_MS);
    };
    host.on('SIGINT', onInterrupt);
    check();
  });
}

function isStale(holder: Holder, host: ProcessHost): boolean {
  const age = Date.now() - holder.mtimeMs;
  if (age > LOCK_MAX_AGE_MS) return true;
  if (holder.pid === undefined) return age > EMPTY_LOCK_MAX_AGE_MS;
  // A pid on another machine sharing the directory cannot be checked from here: only age tells.
  if (holder.host !== undefined && holder.host !== hostname()) return false;
  // Our own pid in a lock we do not hold is a dead process's, reused.
  return holder.pid === host.pid || !isAlive(holder.pid, host);
}

function isAlive(pid: number, host: ProcessHost): boolean {
  try {
    host.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists, as someone else's process.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The lock's removal on a signal, in place before the lock is made (tryLock) and until `release`: the lock is
 * removed, then the signal raised again if nothing else handles it, so the run ends as it would have without the
 * lock. `holding` runs `make` with the lock, and removes it however that ends: success, an error, or a signal.
 */
function guardLock(lockFile: string, host: ProcessHost) {
  let lock: { ino: number; dev: number } | undefined;
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    for (const signal of ENDING) host.off(signal, onSignal);
    // Only our own lock: after LOCK_MAX_AGE_MS another process may have taken it over.
    if (lock) removeIf(lockFile, lock);
  };
  const onSignal = (signal: NodeJS.Signals) => {
    release();
    // Raised again for its default action, unless someone else handles it (exec passes signals on to its command,
    // and has already done so for this one: raising it again would send it twice).
    if (host.listenerCount(signal) === 0) host.kill(host.pid, signal);
  };
  for (const signal of ENDING) host.on(signal, onSignal);
  return {
    release,
    async holding<T>(
      ours: { ino: number; dev: number },
      served: () => T | undefined,
      make: () => Promise<T>,
    ): Promise<T> {
      lock = ours;
      try {
        // Another process may have stored the session between our cache miss and our lock.
        const hit = served();
        if (hit !== undefined) return hit;
        return await make();
      } finally {
        release();
      }
    },
  };
}

function removeIf(lockFile: string, lock: { ino: number; dev: number }): void {
  try {
    const stat = lstatSync(lockFile);
    if (stat.ino === lock.ino && stat.dev === lock.dev) unlinkSync(lockFile);
  } catch {
    // already gone
  }
}

function describeHolder(holder: Holder): string {
  if (holder.pid === undefined) return 'unknown pid';
  return holder.host !== undefined && holder.host !== hostname()
    ? `pid ${holder.pid} on ${show(holder.host)}`
    : `pid ${holder.pid}`;
}
