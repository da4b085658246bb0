// The session pipeline every command that needs credentials shares (the export, exec, exec --server, console,
// rotate): resolve the profile, choose where MFA codes come from, then get the session from the cache or from STS,
// and let the fast path remember the resolution.
import type { CommandIo } from '../commandIo';
import { DURATION_VAR, originalEnv } from '../env/envChange';
import type { Format } from '../env/formats';
import type { LoadedSession } from '../env/sessionExport';
import { UsageError } from '../errors';
import { keystoreFor } from '../keys/keystore';
import { profileChoice, rememberedDuration } from '../profiles/chooseProfile';
import { configFilePaths, type Env, loadConfigFiles } from '../profiles/configFiles';
import { durationOption, timeoutMs } from '../profiles/duration';
import { ProfileSet } from '../profiles/profileSet';
import { type Plan, resolvePlan } from '../profiles/resolvePlan';
import { show } from '../text/showText';
import { describeUrl, keyHint } from './awsCall';
import type { SessionStore } from './cache';
import { lockWaitMs, openCache } from './cacheSettings';
import { recordingEnv, signaturesOf } from './memoInputs';
import { type CodeSource, codeFromFlag, interactiveCodeSource, noCodeSource } from './mfaCode';
import { codeFromProcess } from './mfaProcess';
import { obtainSession, type Session } from './obtainSession';
import { rememberPlan } from './planMemo';
import type { DialogPrompt, Prompt } from './promptNames';

/** What a command asks of the session pipeline: which profile, how to get a code, how long, from where. */
export interface SessionArgs {
  profile?: string;
  mfaSerial?: string;
  tokenCode?: string;
  duration?: string;
  endpointUrl?: string;
  /** The output format: with `json` mfa-env runs as credential_process, where no flag or stdin can bring a code. */
  format?: Format;
  refresh?: boolean;
  /** false with --no-cache. */
  cache?: boolean;
  /** false with --no-input: fail rather than ask for a code (auto-renewal from the shell integration). */
  input?: boolean;
  /** A command that prints the code, instead of the profile's mfa_process. */
  mfaProcess?: string;
  /** --timeout, in seconds. */
  timeout?: number;
  /** --prompt: how to ask for a code, instead of the profile's mfa_prompt (a dialog is used even with a terminal). */
  prompt?: Prompt;
}

/** What a command other than the export wants of the session pipeline. */
export interface SessionHooks {
  /** Sees the plan before any code is asked for or STS called, and may refuse it by throwing. */
  check?(plan: Plan, profiles: ProfileSet): void | Promise<void>;
  /** The IAM user's own MFA session, whatever roles the profile has (for IAM calls); never remembered for the fast path. */
  userSession?: boolean;
}

/** Resolves the profile and gets its session: from the cache, or with an MFA code and STS. */
export async function sessionFor(
  args: SessionArgs,
  io: CommandIo,
  hooks: SessionHooks = {},
): Promise<{ plan: Plan; session: Session; profiles: ProfileSet }> {
  const source = await sessionSource(args, io, hooks);
  return { plan: source.plan, session: await sessionOnce(source, args), profiles: source.profiles };
}

/** The session, once, with this call's code source: what an export, exec, and exec --server to begin with need. */
export async function sessionOnce(
  source: SessionSource,
  options: { refresh?: boolean; store?: SessionStore },
): Promise<Session> {
  try {
    const session = await source.obtain(source.codes, options);
    source.remember();
    return session;
  } finally {
    source.codes.close?.();
  }
}

/** A resolved profile and the means to get its session, once (an export) or on every request (exec --server). */
export interface SessionSource {
  plan: Plan;
  profiles: ProfileSet;
  /** Where this call's codes come from: the flag, --prompt, mfa_process, the terminal, mfa_prompt, piped stdin. */
  codes: CodeSource;
  /**
   * The session now: from the cache, a role renewed from the cached MFA session with no code, or made with a code
   * from `codes`. `store` replaces the disk cache (exec --server with --no-cache keeps sessions in memory).
   */
  obtain(codes: CodeSource, options?: { refresh?: boolean; store?: SessionStore }): Promise<Session>;
  /** After a success: the fast path may serve this profile next time (plain requests only). */
  remember(): void;
  /** The code source for later, once the command runs: no flag code (long used), no stdin (the command's). */
  laterCodes(none: CodeSource): CodeSource;
}

export async function sessionSource(
  args: SessionArgs,
  io: CommandIo,
  hooks: SessionHooks = {},
): Promise<SessionSource> {
  const original = originalEnv(io.env);
  const { name: profileName, why: nameOrigin } = profileChoice(args.profile, io.env, original);
  // A bad flag is reported before anything is read or asked. Without one, renewing the loaded session keeps its length.
  const remembered = args.duration === undefined ? rememberedDuration(profileName, io.env) : undefined;
  const durationSeconds = args.duration !== undefined ? durationOption(args.duration) : remembered;
  const flagCode = args.tokenCode !== undefined ? codeFromFlag(args.tokenCode) : undefined;
  const timeout = timeoutMs(args.timeout);
  if (args.prompt !== undefined && args.mfaProcess !== undefined)
    throw new UsageError('--prompt and --mfa-process are two ways to get the code; give one');
  if (args.prompt !== undefined && args.input === false)
    throw new UsageError('--prompt asks for a code and --no-input says never to; give one');
  // Resolution reads the files and the environment through a recorder, so the fast path can tell when its memo
  // of the result is still true; the files' signatures are taken before they are read.
  const recorded = recordingEnv(original);
  const paths = configFilePaths(recorded.env);
  const signatures = signaturesOf([paths.configPath, paths.credentialsPath]);
  const profiles = new ProfileSet(await loadConfigFiles(recorded.env));
  const keystore = keystoreFor(original, io);
  const resolved = resolvePlan(profiles, profileName, recorded.env, {
    mfaSerial: args.mfaSerial,
    nameOrigin,
    durationSeconds,
    durationOrigin:
      args.duration === undefined && remembered !== undefined
        ? `${DURATION_VAR} (the length of the loaded session; give -d to choose another)`
        : undefined,
    endpointUrl: args.endpointUrl,
    keystore,
    now: new Date(io.now()),
  });
  const plan = hooks.userSession ? { ...resolved, roles: [] } : resolved;
  await hooks.check?.(plan, profiles);
  const cache = openCache(args.cache, original, io);
  io.debug?.(
    `profile ${show(plan.profile)}: keys ${keyHint(plan.keys.accessKeyId)} of ${show(plan.keys.profile)}${plan.keys.inKeyring ? ' (OS keyring)' : ''}, MFA device ${plan.mfaSerial}, ` +
      `${plan.roles.length ? `roles ${plan.roles.map((r) => r.roleArn).join(' -> ')}` : 'no role'}, STS in ${plan.stsRegion}${plan.endpoint ? ` at ${describeUrl(plan.endpoint)}` : ''}`,
  );
  const lockWait = lockWaitMs(original);
  return {
    plan,
    profiles,
    codes:
      flagCode ??
      codeSourceFor(plan, args, io.env, {
        stdin: io.stdin,
        hint: args.format === 'json' ? CREDENTIAL_PROCESS_HINT : undefined,
      }),
    laterCodes: (none) => codeSourceFor(plan, args, io.env, { none }),
    obtain: (codes, options = {}) =>
      obtainSession(plan, {
        codes,
        cache: options.store ?? cache,
        refresh: options.refresh,
        timeoutMs: timeout,
        lockWaitMs: lockWait,
        say: io.say,
        debug: io.debug,
        host: io.host,
        uid: io.uid,
        now: io.now,
      }),
    remember() {
      // The fast path serves plain requests, with the loaded session's length when renewing it (the memo is kept per
      // length); other flags always take this path.
      if (cache && !hooks.userSession && args.mfaSerial === undefined && args.endpointUrl === undefined) {
        rememberPlan(cache, profileName, signatures, recorded, plan);
      }
    },
  };
}

/**
 * Where a code comes from when none was given on the command line. `--prompt NAME` asks there, terminal or not;
 * then `--mfa-process`; `--no-input` asks nobody; then the profile's mfa_process (which may ask: a YubiKey touch, a
 * password manager unlock); else the terminal, or with none the profile's mfa_prompt dialog, or piped `stdin`.
 */
function codeSourceFor(
  plan: Plan,
  args: SessionArgs,
  env: Env,
  where: { stdin?: NodeJS.ReadableStream; none?: CodeSource; hint?: string },
): CodeSource {
  const dialog = (prompt: DialogPrompt) => () =>
    (require('../session/desktopPrompt') as typeof import('../session/desktopPrompt')).codeFromDialog(prompt, env);
  if (args.prompt !== undefined && args.prompt !== 'terminal') return dialog(args.prompt)();
  if (args.prompt === 'terminal') return interactiveCodeSource(where);
  if (args.mfaProcess !== undefined) return codeFromProcess(args.mfaProcess, '--mfa-process', env);
  // Later (exec --server renewing), a code on the command line or stdin is no longer an answer.
  if (args.input === false)
    return noCodeSource('--no-input was given', where.none ? 'run the command again without --no-input' : undefined);
  if (plan.mfaProcess) return codeFromProcess(plan.mfaProcess.command, plan.mfaProcess.origin, env);
  const configured = plan.mfaPrompt?.prompt;
  return interactiveCodeSource({
    ...where,
    dialog: configured && configured !== 'terminal' ? dialog(configured) : undefined,
  });
}

// Run by the AWS CLI or an SDK as credential_process, with no terminal, mfa-env cannot be given a code by flag or
// stdin (the profile's credential_process line is fixed): only a command that prints one can help.
const CREDENTIAL_PROCESS_HINT =
  'for credential_process, give the profile an mfa_prompt (a desktop dialog) or an mfa_process (a command that prints the code), or add --mfa-process COMMAND to its credential_process line';

/** The session with what the environment records of it: the profile, its region, the role, the length asked for. */
export function loadedSession(plan: Plan, session: Session): LoadedSession {
  return {
    ...session.credentials,
    profile: plan.profile,
    region: plan.region,
    roleArn: session.roleArn,
    durationSeconds: plan.durationRequested,
  };
}
