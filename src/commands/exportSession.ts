import { exportChange, originalEnv, renewTime, rfc3339 } from '../env/envChange';
import { ConfigError, show } from '../errors';
import { editProfile } from '../profiles/editIniFile';
import { formatOfShell, renderChange, type Format, type Shell } from '../env/formats';
import { renderCredentialProcess } from '../env/formats/json';
import type { Plan } from '../profiles/resolvePlan';
import type { Session } from '../session/obtainSession';
import { configFilePaths, loadConfigFiles, type Env } from '../profiles/configFiles';
import { checkProfileNameToWrite } from '../profiles/checks';
import { chooseProfile } from '../profiles/chooseProfile';
import { durationOption, timeoutMs } from '../profiles/duration';
import { ProfileSet } from '../profiles/profileSet';
import { resolvePlan } from '../profiles/resolvePlan';
import { SessionCache } from '../session/cache';
import { cacheDir, cacheDisabled, lockWaitMs, minTtlSeconds } from '../session/cacheSettings';
import { codeFromFlag, interactiveCodeSource, noCodeSource } from '../session/mfaCode';
import { codeFromProcess } from '../session/mfaProcess';
import { obtainSession } from '../session/obtainSession';
import { fileSignature, recordingEnv, rememberPlan } from '../session/planMemo';
import { describeUrl, keyHint } from '../session/awsCall';

export interface ExportArgs {
  profile?: string;
  mfaSerial?: string;
  tokenCode?: string;
  duration?: string;
  endpointUrl?: string;
  shell: Shell;
  /** Overrides the format --shell implies. */
  format?: Format;
  refresh?: boolean;
  /** false with --no-cache. */
  cache?: boolean;
  /** false with --no-input: fail rather than ask for a code (auto-renewal from the shell integration). */
  input?: boolean;
  /** A command that prints the code, instead of the profile's mfa_process. */
  mfaProcess?: string;
  /** Write the session into this credentials-file profile instead of printing it. */
  writeProfile?: string;
  /** --timeout, in seconds. */
  timeout?: number;
}

export interface CommandIo {
  env: Env;
  stdin: NodeJS.ReadableStream;
  uid: number;
  /** A problem worked around (a bad cache file): `mfa-env: warning: ...` on stderr. */
  warn(message: string): void;
  /** Plain information for the user on stderr. */
  say(message: string): void;
  /** --debug / MFA_ENV_DEBUG=1: what is being done, on stderr; absent otherwise. Never given a secret. */
  debug?(message: string): void;
}

/** `mfa-env [PROFILE]`: shell code (or JSON, or dotenv lines) that loads a session for the profile. */
export async function exportSession(args: ExportArgs, io: CommandIo): Promise<string> {
  const format = args.format ?? formatOfShell(args.shell);
  // Refused before a code is asked for: a name the SDKs would read back as another profile (or as two).
  if (args.writeProfile !== undefined) checkProfileNameToWrite(args.writeProfile, '--write-profile');
  const { plan, session } = await sessionFor(args, io);
  if (args.writeProfile !== undefined) {
    await writeProfile(args.writeProfile, plan, session, io);
    return '';
  }
  if (format === 'json') return renderCredentialProcess(session.credentials);
  return renderChange(format, sessionChange(io.env, plan, session));
}

/**
 * `--write-profile NAME`: the session as a credentials-file profile, for tools that only read profiles, the way
 * aws-mfa writes one (with an `expiration` key). Everything else in the file stays as it was; a section holding
 * long-term keys is never overwritten.
 */
async function writeProfile(name: string, plan: Plan, session: Session, io: CommandIo): Promise<void> {
  const { credentialsPath } = configFilePaths(originalEnv(io.env));
  const { accessKeyId, secretAccessKey, sessionToken, expiration } = session.credentials;
  const keys = {
    aws_access_key_id: accessKeyId,
    aws_secret_access_key: secretAccessKey,
    aws_session_token: sessionToken,
    aws_security_token: null,
    // aws-mfa's form: UTC, without the T and Z.
    expiration: rfc3339(expiration).replace('T', ' ').replace('Z', ''),
  };
  const longTerm = () => new ConfigError(`profile ${show(name)} in ${show(credentialsPath)} holds long-term keys; choose another name for --write-profile`);
  if (name === plan.keys.profile) throw longTerm();
  await editProfile(credentialsPath, {
    kind: 'credentials',
    profile: name,
    keys,
    check(current) {
      if (current?.aws_access_key_id !== undefined && current.aws_session_token === undefined && current.aws_security_token === undefined) throw longTerm();
    },
  });
  io.say(`wrote the session of profile ${show(plan.profile)} to profile ${show(name)} in ${show(credentialsPath)} (until ${rfc3339(expiration)})`);
}

/** The environment change that loads the session: the same for every format and for `exec`. */
export function sessionChange(env: CommandIo['env'], plan: Plan, session: Session) {
  const renewAt = renewTime(session.credentials.expiration, minTtlSeconds(originalEnv(env)));
  return exportChange(env, { ...session.credentials, profile: plan.profile, region: plan.region, roleArn: session.roleArn, renewAt });
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
  args: Omit<ExportArgs, 'shell'>,
  io: CommandIo,
  hooks: SessionHooks = {},
): Promise<{ plan: Plan; session: Session; profiles: ProfileSet }> {
  const original = originalEnv(io.env);
  const profileName = chooseProfile(args.profile, io.env, original);
  // A bad flag is reported before anything is read or asked.
  const durationSeconds = args.duration === undefined ? undefined : durationOption(args.duration);
  const flagCode = args.tokenCode !== undefined ? codeFromFlag(args.tokenCode) : undefined;
  // Resolution reads the files and the environment through a recorder, so the fast path can tell when its memo
  // of the result is still true; the files' signatures are taken before they are read.
  const recorded = recordingEnv(original);
  const paths = configFilePaths(recorded.env);
  const signatures = { [paths.configPath]: fileSignature(paths.configPath), [paths.credentialsPath]: fileSignature(paths.credentialsPath) };
  const profiles = new ProfileSet(await loadConfigFiles(recorded.env));
  const resolved = resolvePlan(profiles, profileName, recorded.env, { mfaSerial: args.mfaSerial, durationSeconds, endpointUrl: args.endpointUrl });
  const plan = hooks.userSession ? { ...resolved, roles: [] } : resolved;
  await hooks.check?.(plan, profiles);
  const cache = openCache(args.cache, original, io);
  // --no-input asks nobody, and a configured mfa_process may ask (a YubiKey touch, a password manager unlock).
  io.debug?.(
    `profile ${show(plan.profile)}: keys ${keyHint(plan.keys.accessKeyId)} of ${show(plan.keys.profile)}, MFA device ${plan.mfaSerial}, ` +
      `${plan.roles.length ? `roles ${plan.roles.map((r) => r.roleArn).join(' -> ')}` : 'no role'}, STS in ${plan.stsRegion}${plan.endpoint ? ` at ${describeUrl(plan.endpoint)}` : ''}`,
  );
  const mfaProcess =
    args.mfaProcess !== undefined ? { command: args.mfaProcess, origin: '--mfa-process' } : args.input === false ? undefined : plan.mfaProcess;
  const codes =
    flagCode ??
    (mfaProcess
      ? codeFromProcess(mfaProcess.command, mfaProcess.origin, io.env)
      : args.input === false
        ? noCodeSource('--no-input was given')
        : interactiveCodeSource(io.stdin));
  try {
    const session = await obtainSession(plan, {
      codes,
      cache,
      refresh: args.refresh,
      timeoutMs: timeoutMs(args.timeout as number | undefined),
      lockWaitMs: lockWaitMs(original),
      say: io.say,
      debug: io.debug,
    });
    // After a success only, so a failed run leaves nothing behind. Only plain requests are what the fast path
    // serves: flags that change the plan always take this path.
    if (cache && !hooks.userSession && args.mfaSerial === undefined && durationSeconds === undefined && args.endpointUrl === undefined) {
      rememberPlan(cache, profileName, signatures, recorded, plan);
    }
    return { plan, session, profiles };
  } finally {
    codes.close?.();
  }
}


export function openCache(enabled: boolean | undefined, env: Env, io: Pick<CommandIo, 'uid' | 'warn'>): SessionCache | undefined {
  if (enabled === false || cacheDisabled(env)) return undefined;
  return new SessionCache({ dir: cacheDir(env), minTtlSeconds: minTtlSeconds(env), uid: io.uid, warn: io.warn });
}
