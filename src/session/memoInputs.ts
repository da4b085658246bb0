// The one rule for when a memo (of a profile's plan, of the whole listing) may stand in for reading the AWS files:
// everything the result was worked out from is unchanged. That is each file's identity, size and times, and every
// environment variable read, recorded as it was read (so no list of "relevant variables" can go stale).
import { statSync } from 'node:fs';
import type { Env } from '../profiles/configPaths';

/** What a memo's result depended on. */
export interface MemoInputs {
  /** Path → stat signature, or null for a file that did not exist. */
  files: Record<string, string | null>;
  /**
   * Variable → value, or null for unset: every variable resolution read. A value with a password in it (an endpoint
   * `https://user:password@host`) is kept as its SHA-256: it only needs comparing.
   */
  env: Record<string, string | null | { sha256: string }>;
}

/** An environment that notes every variable read from it; `enumerated` when something listed them all. */
export function recordingEnv(env: Env): {
  env: Env;
  reads: Map<string, string | undefined>;
  enumerated: () => boolean;
} {
  const reads = new Map<string, string | undefined>();
  let enumerated = false;
  const proxy = new Proxy(env as Record<string, string | undefined>, {
    get(target, name) {
      if (typeof name === 'string') reads.set(name, target[name]);
      return target[name as string];
    },
    has(target, name) {
      if (typeof name === 'string') reads.set(name, target[name]);
      return name in target;
    },
    ownKeys(target) {
      enumerated = true;
      return Reflect.ownKeys(target);
    },
  });
  return { env: proxy, reads, enumerated: () => enumerated };
}

/** Identity, size and times of a regular file; null when there is none; undefined when it cannot be told. */
export function fileSignature(path: string): string | null | undefined {
  try {
    const stat = statSync(path, { bigint: true, throwIfNoEntry: false });
    if (!stat) return null;
    if (!stat.isFile()) return undefined;
    return `${stat.dev}:${stat.ino}:${stat.size}:${stat.mtimeNs}:${stat.ctimeNs}`;
  } catch {
    return undefined;
  }
}

/** The signatures of files a memo's result will be read from: taken before they are read. */
export function signaturesOf(paths: readonly string[]): Record<string, string | null | undefined> {
  return Object.fromEntries(paths.map((path) => [path, fileSignature(path)]));
}

// Credentials are never written down here, not even as something a plan depended on.
const NEVER_RECORDED = new Set([
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_SECURITY_TOKEN',
]);

/**
 * The inputs to keep with a result, from the files' signatures (taken before they were read) and the variables read;
 * undefined when they cannot all be told, or a credential was among them: then no memo is kept.
 */
export function memoInputs(
  files: Record<string, string | null | undefined>,
  recorded: ReturnType<typeof recordingEnv>,
): MemoInputs | undefined {
  if (recorded.enumerated() || Object.values(files).some((s) => s === undefined)) return undefined;
  if ([...recorded.reads.keys()].some((name) => NEVER_RECORDED.has(name))) return undefined;
  return {
    files: files as Record<string, string | null>,
    env: Object.fromEntries(
      [...recorded.reads].map(([name, value]) => [
        name,
        value === undefined ? null : holdsSecret(value) ? { sha256: sha256(value) } : value,
      ]),
    ),
  };
}

/** Whether everything a memo was worked out from is as it was (false for inputs that are not such a record). */
export function inputsUnchanged(inputs: MemoInputs, env: Env): boolean {
  if (typeof inputs?.env !== 'object' || inputs.env === null || typeof inputs.files !== 'object' || !inputs.files)
    return false;
  for (const [name, value] of Object.entries(inputs.env)) {
    const now = env[name] ?? null;
    if (value !== null && typeof value === 'object' ? now === null || sha256(now) !== value.sha256 : now !== value)
      return false;
  }
  for (const [path, signature] of Object.entries(inputs.files)) if (fileSignature(path) !== signature) return false;
  return true;
}

/** A URL with a `user:password@` part. */
function holdsSecret(value: string): boolean {
  return /^[a-z][\w+.-]*:\/\/[^/?#]*@/i.test(value);
}

// node:crypto costs the fast path milliseconds to load: only a memo that holds such a digest pays for it.
function sha256(value: string): string {
  return (require('node:crypto') as typeof import('node:crypto')).createHash('sha256').update(value).digest('hex');
}
