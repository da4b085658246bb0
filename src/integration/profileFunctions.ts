// Which shell functions the integration defines (`mfa-PROFILE`), decided by the code that serves the profiles: a
// function exists exactly when `mfa-env PROFILE` can resolve that profile. Names and the prefix are checked here,
// so nothing a shell is given to define was made by anyone but this module.
import { readdirSync } from 'node:fs';
import { delimiter } from 'node:path';
import { ConfigError, MfaEnvError } from '../errors';
import type { Env } from '../profiles/configPaths';
import type { ProfileSet } from '../profiles/profileSet';
import { resolvePlan } from '../profiles/resolvePlan';
import { show } from '../text/showText';
import type { IntegrationShell } from './shellTable';
import { SHELL_TABLE } from './shellTable';

export const PREFIX_VAR = 'MFA_ENV_FUNCTION_PREFIX';
export const DEFAULT_PREFIX = 'mfa-';

/** What a function name may hold in every shell without quoting; anything else in a profile name becomes `_`. */
const NAME_CHARS = /[^A-Za-z0-9_.@+%:-]/g;
const PREFIX_RULE = /^[A-Za-z0-9_.@+%:-]*$/;
/** Beyond this a name is no command anyone types; the cap also bounds what a config can make a shell define. */
const MAX_NAME = 200;
/**
 * More profiles than this get no functions: every shell would define them all at each start (5,000 cost bash about
 * 50 ms), and resolving them all would cost the first start after a change seconds. `mfa-env PROFILE` still works.
 */
export const MAX_FUNCTIONS = 10_000;

export interface ProfileFunction {
  name: string;
  profile: string;
}

export interface FunctionPlan {
  functions: ProfileFunction[];
  /** Names not defined, each with why, for `mfa-env status`. */
  skipped: string[];
  /** A problem that kept every function from being defined (a bad prefix), said once at shell start. */
  problem?: string;
}

/** MFA_ENV_FUNCTION_PREFIX, checked: it becomes part of code, so it is refused (not quoted) when odd. */
export function functionPrefix(env: Env): string {
  const prefix = env[PREFIX_VAR] ?? DEFAULT_PREFIX;
  if (!PREFIX_RULE.test(prefix) || prefix.length > 50 || prefix.startsWith('-')) {
    throw new ConfigError(
      `${PREFIX_VAR} is ${show(prefix)}; use letters, digits and _ . @ + % : - only (at most 50, not starting with -), or unset it`,
    );
  }
  return prefix;
}

/**
 * One function per profile mfa-env can serve, named prefix + profile (other characters as `_`). Skipped: names that
 * clash with another profile's, with mfa-env itself, with a reserved word or (bash) a builtin of the shell, or with a
 * command on PATH (functions and aliases of the user's are checked by the shell as it loads them: only it knows them).
 */
export function planFunctions(
  profiles: ProfileSet,
  env: Env,
  shell: IntegrationShell,
  inKeyring: ReadonlySet<string> = new Set(),
): FunctionPlan {
  let prefix: string;
  try {
    prefix = functionPrefix(env);
  } catch (err) {
    return { functions: [], skipped: [], problem: (err as Error).message };
  }
  const candidates = candidateProfiles(profiles);
  if (candidates.length > MAX_FUNCTIONS) {
    return { functions: [], skipped: [tooMany(`${candidates.length} profiles`)] };
  }
  const onPath = commandsOnPath(env.PATH ?? '', prefix);
  const reserved = new Set(SHELL_TABLE[shell].reservedWords);
  const builtins = new Set(SHELL_TABLE[shell].builtins);
  const taken = new Map<string, string>();
  const functions: ProfileFunction[] = [];
  const skipped: string[] = [];
  for (const profile of servableProfiles(profiles, env, candidates, inKeyring)) {
    const name = prefix + profile.replace(NAME_CHARS, '_');
    const why =
      name.length > MAX_NAME
        ? `longer than ${MAX_NAME} characters`
        : taken.has(name)
          ? `same name as profile ${taken.get(name)}`
          : name === 'mfa-env' || name.startsWith('-') || name.startsWith('__mfa_env')
            ? "a name of mfa-env's own"
            : reserved.has(name)
              ? `a reserved word of ${shell}`
              : builtins.has(name)
                ? `would shadow the builtin ${name}`
                : onPath.has(name)
                  ? `would shadow the command ${name}`
                  : undefined;
    if (why) skipped.push(`${name} (profile ${profile}: ${why})`);
    else functions.push({ name, profile });
    if (!taken.has(name)) taken.set(name, profile);
  }
  return { functions, skipped };
}

/** Each name of the files, and NAME for an aws-mfa `NAME-long-term`. */
function candidateProfiles(profiles: ProfileSet): string[] {
  const candidates = new Set<string>();
  for (const name of profiles.names())
    candidates.add(name.endsWith('-long-term') ? name.slice(0, -'-long-term'.length) || name : name);
  return [...candidates];
}

/** The line `status` shows when the AWS files hold too many profiles for functions. */
export function tooMany(what: string): string {
  return `all (${what} are more than the ${MAX_FUNCTIONS} profiles a shell is given functions for; use "mfa-env PROFILE")`;
}

/**
 * The profiles `mfa-env PROFILE` resolves, among the candidates. Keys in the OS keyring are taken to be there when the
 * keyring index names the profile (`inKeyring`): opening the keyring at shell start would cost a native addon and a
 * D-Bus round trip, or an unlock prompt, on every new terminal.
 */
export function servableProfiles(
  profiles: ProfileSet,
  env: Env,
  candidates = candidateProfiles(profiles),
  inKeyring: ReadonlySet<string> = new Set(),
): string[] {
  // Stands for keys the index says the keyring has: the plan is only looked at for whether it resolves.
  const indexed = { accessKeyId: 'KEYRINGINDEXED00', secretAccessKey: '' };
  // A fixed session name spares resolution a lookup of the user per profile; it is not used.
  const options = {
    userName: 'functions',
    now: new Date(0),
    keystore: (account: string) => (inKeyring.has(account) ? indexed : undefined),
  };
  return candidates.filter((name) => {
    try {
      resolvePlan(profiles, name, env, options);
      return true;
    } catch (err) {
      if (err instanceof MfaEnvError) return false;
      throw err;
    }
  });
}

/** Executables named prefix... in PATH's directories: one listing per directory, not one search per profile. */
function commandsOnPath(path: string, prefix: string): Set<string> {
  const found = new Set<string>();
  for (const dir of path.split(delimiter)) {
    if (!dir.startsWith('/')) continue;
    try {
      for (const entry of readdirSync(dir)) if (entry.startsWith(prefix)) found.add(entry);
    } catch {
      // not there, or not readable: no commands from it
    }
  }
  return found;
}
