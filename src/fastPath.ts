// The paths a shell runs on every start, prompt renewal and `--clear`, served without yargs, the INI parser or the
// SDK: `--clear`, an export whose session is cached and whose profile resolution is memoised, and a `list` whose
// rows are remembered. Only a narrow
// grammar is accepted here; anything else (or any problem at all) returns undefined and the full CLI runs, which
// gives the same answer or the proper error message. So this module never reports an error and never writes a file.
import { clearSession } from './commands/clearSession';
import { renderListing, withTimesLeft } from './commands/listingView';
import { originalEnv } from './env/envChange';
import { defaultShell, type Format, formatOfShell, type Shell } from './env/formats';
import { renderSession } from './env/sessionExport';
import { isCodeForShell } from './evalChannel';
import { type LeanParse, leanParse } from './leanArgs';
import { chooseProfile, rememberedDuration } from './profiles/chooseProfile';
import type { Env } from './profiles/configPaths';
import { credentialsOf } from './session/cache';
import { cacheDisabled, minTtlSeconds, sessionCache } from './session/cacheSettings';
import { recallListing } from './session/listingMemo';
import { recallPlan } from './session/planMemo';

interface FastRequest {
  clear: boolean;
  profile?: string;
  /** As given; undefined when not (the default then comes from MFA_ENV_SHELL). */
  shell?: Shell;
  format?: Format;
}

export interface FastOutput {
  text: string;
  /** Code for the calling shell (see evalChannel.ts), rather than text the user asked to see. */
  isCode: boolean;
}

/** The output for argv if it can be given without the full CLI; undefined to run the full CLI. */
export function fastPath(argv: string[], env: Env, uid: number, now: () => number): FastOutput | undefined {
  if (env.MFA_ENV_DEBUG === '1' || env.MFA_ENV_NO_FAST_PATH === '1') return undefined;
  try {
    // Read once, by the lean parser (the one grammar, from the command table).
    const parsed = leanParse(argv);
    if (parsed === undefined || !served(parsed)) return undefined;
    if (parsed.command === 'list') {
      const text = rememberedListing(parsed.args.json === true, env, { uid, now });
      return text === undefined ? undefined : { text, isCode: false };
    }
    const request = exportRequest(parsed.args);
    if (!request) return undefined;
    const shell = request.shell ?? defaultShell(env);
    const text = request.clear ? clearSession(shell, env) : cachedExport(request, shell, env, { uid, now });
    return text === undefined ? undefined : { text, isCode: isCodeForShell(request) };
  } catch {
    return undefined;
  }
}

/**
 * What the fast path serves: the export or `--clear`, and `list`, each with no option but these (the rest need the
 * full CLI), and never --no-cache. `input` is every command's, and means nothing to a listing.
 */
const SERVED: Partial<Record<LeanParse['command'], ReadonlySet<string>>> = {
  $0: new Set(['profile', 'shell', 'format', 'input', 'clear', 'cache']),
  list: new Set(['cache', 'json', 'input']),
};

function served({ command, args }: LeanParse): boolean {
  const options = SERVED[command];
  return options !== undefined && args.cache === true && Object.keys(args).every((name) => options.has(name));
}

/** The export or `--clear` the arguments ask for, or undefined for a combination the full CLI must refuse. */
function exportRequest(args: LeanParse['args']): FastRequest | undefined {
  const profile = args.profile as string[] | undefined;
  const request: FastRequest = {
    clear: args.clear === true,
    profile: profile?.[0],
    shell: args.shell as Shell | undefined,
    format: args.format as Format | undefined,
  };
  // The full CLI says what is wrong with these.
  if (request.clear && (request.profile !== undefined || request.format !== undefined)) return undefined;
  return request;
}

/** `list` (or `list --json`) while the memo of the last listing is true: only the session files are read. */
function rememberedListing(json: boolean, env: Env, clock: { uid: number; now(): number }): string | undefined {
  const original = originalEnv(env);
  if (cacheDisabled(original)) return undefined;
  const cache = sessionCache(original, clock);
  const rows = recallListing(cache, original);
  return rows && renderListing(withTimesLeft(rows, cache, clock.now()), json);
}

/** The export, if the profile's resolution is memoised and its session is cached and fresh. */
function cachedExport(
  request: FastRequest,
  shell: Shell,
  env: Env,
  clock: { uid: number; now(): number },
): string | undefined {
  const original = originalEnv(env);
  if (cacheDisabled(original)) return undefined;
  const profile = chooseProfile(request.profile, env, original);
  // Renewing the loaded session keeps its length (a malformed one throws: the full CLI says what is wrong).
  const durationSeconds = rememberedDuration(profile, env);
  const minTtl = minTtlSeconds(original);
  const cache = sessionCache(original, clock, minTtl);
  const memo = recallPlan(cache, profile, durationSeconds, original);
  const entry = memo && cache.freshFile(memo.sessionFile);
  if (!memo || !entry) return undefined;
  const format = request.format ?? formatOfShell(shell);
  const session = {
    ...credentialsOf(entry),
    profile: memo.profile,
    region: memo.region,
    roleArn: memo.roleArn,
    durationSeconds,
  };
  return renderSession(format, env, session, minTtl);
}
