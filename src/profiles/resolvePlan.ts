import { ConfigError } from '../errors';
import { isPrompt, PROMPTS, type Prompt } from '../session/promptNames';
import { show, showName } from '../text/showText';
import {
  checkAccessKeyId,
  checkDuration,
  checkExternalId,
  checkMfaSerial,
  checkRegion,
  checkRoleArn,
  checkSessionName,
} from './checks';
import type { Env } from './configPaths';
import { ASSUME_ROLE_LIMITS, CHAINED_ROLE_MAX, parseDuration, SESSION_TOKEN_LIMITS } from './duration';
import { serviceEndpoint } from './endpoints';
import { type Profile, type ProfileSet, setting, settingOrigin as where } from './profileSet';
import { defaultSessionName } from './roleSessionName';

export interface LongTermKeys {
  /** The profile whose section holds the keys. */
  profile: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** They came from the OS keyring (`mfa-env keys`), not from a file. */
  inKeyring?: boolean;
}

/**
 * Where keys that are in no file may be: the OS keyring, as `mfa-env keys` keeps them, by account (see keyringAccount).
 * Passed in, so that resolution stays pure and the keyring is opened only when a profile has no keys in the files.
 */
export type Keystore = (account: string) => { accessKeyId: string; secretAccessKey: string } | undefined;

/** One AssumeRole call: the first hop is made from the MFA session (or the keys), each next one from the last. */
export interface RoleHop {
  profile: string;
  roleArn: string;
  sessionName: string;
  /** A generated name changes with every call, so only a configured one tells sessions apart. */
  sessionNameConfigured: boolean;
  externalId?: string;
  durationSeconds: number;
}

/** Everything needed to get a session for one profile: resolved once, used by the cache and STS alike. */
export interface Plan {
  profile: string;
  keys: LongTermKeys;
  mfaSerial: string;
  /** Length of the GetSessionToken (MFA) session. */
  sessionDurationSeconds: number;
  /** The length asked for (--duration, or the loaded session's when renewing it); undefined for the profile's own. */
  durationRequested?: number;
  /** Empty for an IAM user's profile; otherwise the roles to assume, in order. */
  roles: RoleHop[];
  /** The profile's own region: exported as AWS_REGION / AWS_DEFAULT_REGION. */
  region?: string;
  /** The region STS is called in. */
  stsRegion: string;
  /** Where STS is, when not AWS's own endpoint for stsRegion. */
  endpoint?: string;
  /** A command that prints the MFA code (aws-vault's `mfa_process`), and where it was configured. */
  mfaProcess?: { command: string; origin: string };
  /** `mfa_prompt`: how to ask for a code when there is no terminal (a desktop dialog), and where it was configured. */
  mfaPrompt?: { prompt: Prompt; origin: string };
  /** `mfa_exec_server = true`: `exec` serves the session from a credential endpoint unless told --no-server. */
  execServer?: boolean;
}

export interface PlanOptions {
  mfaSerial?: string;
  /** `--duration`: the length of the requested profile's own session (MFA session or role session). */
  durationSeconds?: number;
  /** Where durationSeconds came from, for messages: `--duration` unless told. */
  durationOrigin?: string;
  endpointUrl?: string;
  /** Where the profile's name came from, when not named by the user: said when it is not found. */
  nameOrigin?: string;
  /** For generated role session names. */
  userName?: string;
  /** The clock's time, for generated role session names. */
  now: Date;
  /** Asked for the keys of a profile whose files hold none; without it such a profile has no keys. */
  keystore?: Keystore;
}

/**
 * Turns a profile name into a plan. Pure: given the parsed files and the user's original environment (see
 * `originalEnv`), so a session exported earlier never changes what the profile means.
 */
export function resolvePlan(profiles: ProfileSet, name: string, env: Env, options: PlanOptions): Plan {
  const { requested, chain, source, keys, lineage } = standingOf(profiles, name, options.keystore, options.nameOrigin);
  const roles = chain.map((profile, i) =>
    roleHop(profile, i === chain.length - 1 ? options.durationSeconds : undefined, options, i > 0),
  );

  // The AWS CLI keeps mfa_serial on the role, awsume on the source, aws-mfa as aws_mfa_device: any of them works.
  const serialProfile = lineage.find((p) => mfaSerialOf(p) !== undefined);
  if (options.mfaSerial === undefined && serialProfile === undefined) {
    throw new ConfigError(
      `profile ${show(name)} has no mfa_serial${chain.length ? ` (nor has its source profile ${show(source.name)})` : ''}; add "mfa_serial = arn:aws:iam::ACCOUNT_ID:mfa/DEVICE" to it in ${show(profiles.files.configPath)} or pass --mfa-serial`,
    );
  }
  const mfaSerial =
    options.mfaSerial !== undefined
      ? checkMfaSerial(options.mfaSerial, '--mfa-serial')
      : checkMfaSerial(
          mfaSerialOf(serialProfile!)!,
          where(serialProfile!, setting(serialProfile!, 'mfa_serial') ? 'mfa_serial' : 'aws_mfa_device'),
        );

  const sessionDurationSeconds =
    roles.length === 0 && options.durationSeconds !== undefined
      ? checkDuration(options.durationSeconds, SESSION_TOKEN_LIMITS, options.durationOrigin ?? '--duration')
      : (configuredDuration(source, SESSION_TOKEN_LIMITS) ?? SESSION_TOKEN_LIMITS.default);

  // A role profile's region is its own, as in the AWS CLI; an aws-mfa profile may keep it in its -long-term section.
  const regionProfile = (roles.length ? [requested] : lineage).find((p) => setting(p, 'region') !== undefined);
  const region = regionProfile && checkRegion(setting(regionProfile, 'region')!, where(regionProfile, 'region'));
  const envRegion = env.AWS_REGION || env.AWS_DEFAULT_REGION;
  if (envRegion) checkRegion(envRegion, env.AWS_REGION ? 'AWS_REGION' : 'AWS_DEFAULT_REGION');
  return {
    profile: requested.name,
    keys,
    mfaSerial,
    sessionDurationSeconds,
    durationRequested: options.durationSeconds,
    roles,
    region,
    // Environment before profile, as in the SDKs; partitions other than aws need their own STS.
    stsRegion: envRegion || region || partitionRegion(mfaSerial),
    endpoint: serviceEndpoint('sts', env, { flag: options.endpointUrl, profiles, lineage }),
    mfaProcess: mfaProcessOf(lineage),
    mfaPrompt: mfaPromptOf(lineage),
    execServer: execServerOf(lineage),
  };
}

function mfaProcessOf(lineage: Profile[]): Plan['mfaProcess'] {
  const holder = lineage.find((p) => setting(p, 'mfa_process') !== undefined);
  return holder && { command: setting(holder, 'mfa_process')!, origin: where(holder, 'mfa_process') };
}

function mfaPromptOf(lineage: Profile[]): Plan['mfaPrompt'] {
  const holder = lineage.find((p) => setting(p, 'mfa_prompt') !== undefined);
  if (!holder) return undefined;
  const value = setting(holder, 'mfa_prompt')!;
  if (!isPrompt(value))
    throw new ConfigError(`${where(holder, 'mfa_prompt')} is ${show(value)}; use one of ${PROMPTS.join(', ')}`);
  return { prompt: value, origin: where(holder, 'mfa_prompt') };
}

function execServerOf(lineage: Profile[]): boolean | undefined {
  const holder = lineage.find((p) => setting(p, 'mfa_exec_server') !== undefined);
  if (!holder) return undefined;
  const value = setting(holder, 'mfa_exec_server')!.toLowerCase();
  if (value !== 'true' && value !== 'false')
    throw new ConfigError(
      `${where(holder, 'mfa_exec_server')} is ${show(setting(holder, 'mfa_exec_server')!)}; use true or false`,
    );
  return value === 'true';
}

/**
 * The role profiles from the requested one down to the profile with the keys, and that source. A loop is reported
 * with the whole chain, as the SDK does.
 */
function followSourceProfiles(profiles: ProfileSet, requested: Profile): { chain: Profile[]; source: Profile } {
  const roles: Profile[] = [];
  let current = requested;
  const seen = [requested.name];
  while (setting(current, 'role_arn') !== undefined) {
    roles.push(current);
    if (setting(current, 'credential_source') !== undefined) {
      throw new ConfigError(
        `profile ${show(current.name)} takes its credentials from credential_source, which mfa-env cannot use; give it a source_profile with an IAM user's keys`,
      );
    }
    const sourceName = setting(current, 'source_profile');
    if (sourceName === undefined) {
      throw new ConfigError(
        `profile ${show(current.name)} has role_arn but no source_profile; add "source_profile = PROFILE_WITH_KEYS" to it in ${show(current.fileOf('role_arn'))}`,
      );
    }
    // The AWS CLI lets a role profile name itself as source when it holds keys of its own.
    if (sourceName === current.name && setting(current, 'aws_access_key_id') !== undefined)
      return { chain: roles.reverse(), source: current };
    if (seen.includes(sourceName)) {
      throw new ConfigError(
        `source_profile loop: ${[...seen, sourceName].map(show).join(' -> ')}; make one of them a profile with keys`,
      );
    }
    seen.push(sourceName);
    if (!profiles.has(sourceName) && !profiles.has(`${sourceName}-long-term`)) {
      throw new ConfigError(
        `source_profile ${show(sourceName)} of profile ${show(current.name)} not found in ${show(profiles.files.configPath)} or ${show(profiles.files.credentialsPath)}; ${profiles.whatThereIs(sourceName)}`,
      );
    }
    current = findProfile(profiles, sourceName);
  }
  return { chain: roles.reverse(), source: current };
}

function roleHop(profile: Profile, flagDuration: number | undefined, options: PlanOptions, chained: boolean): RoleHop {
  const configuredName = setting(profile, 'role_session_name');
  const limits = chained ? { min: ASSUME_ROLE_LIMITS.min, max: CHAINED_ROLE_MAX } : ASSUME_ROLE_LIMITS;
  const why = chained ? 'a role assumed from another role (role chaining) is capped by STS at' : 'STS allows';
  const durationSeconds =
    flagDuration !== undefined
      ? checkDuration(
          flagDuration,
          limits,
          options.durationOrigin ?? '--duration',
          chained ? `profile ${show(profile.name)} is reached through another role; STS allows` : why,
        )
      : (configuredDuration(profile, limits, why) ?? ASSUME_ROLE_LIMITS.default);
  const externalId = setting(profile, 'external_id');
  return {
    profile: profile.name,
    roleArn: checkRoleArn(setting(profile, 'role_arn')!, where(profile, 'role_arn')),
    sessionName:
      configuredName !== undefined
        ? checkSessionName(configuredName, where(profile, 'role_session_name'))
        : defaultSessionName(options.userName, options.now),
    sessionNameConfigured: configuredName !== undefined,
    externalId: externalId === undefined ? undefined : checkExternalId(externalId, where(profile, 'external_id')),
    durationSeconds,
  };
}

function configuredDuration(profile: Profile, limits: { min: number; max: number }, why?: string): number | undefined {
  const text = setting(profile, 'duration_seconds');
  if (text === undefined) return undefined;
  const seconds = parseDuration(text);
  if (seconds === undefined)
    throw new ConfigError(`${where(profile, 'duration_seconds')} is ${show(text)}, not a number of seconds`);
  return checkDuration(seconds, limits, where(profile, 'duration_seconds'), why);
}

function findProfile(profiles: ProfileSet, name: string, why?: string): Profile {
  // aws-mfa keeps the keys in NAME-long-term and writes sessions to NAME, which may not exist yet.
  return (
    profiles.get(name) ??
    (profiles.has(`${name}-long-term`)
      ? { name, settings: {}, fileOf: () => profiles.files.credentialsPath }
      : profiles.require(name, why))
  );
}

/**
 * What a profile stands on: its role chain, the profile with the keys and the keys (from the files, else the
 * keystore), and the lineage (the profiles that make up this one, nearest first: the roles from the requested one
 * down, the source, and the aws-mfa `-long-term` section when the keys live there, or would when the keyring holds
 * them). For the plan, and for commands that use the keys alone (setup).
 */
export function standingOf(profiles: ProfileSet, name: string, keystore?: Keystore, nameOrigin?: string) {
  const requested = findProfile(profiles, name, nameOrigin);
  const { chain, source } = followSourceProfiles(profiles, requested);
  const keys = longTermKeys(profiles, source, keystore);
  const lineage = [...[...chain].reverse(), source];
  const holder = keyHolder(profiles, source);
  if (holder.name !== source.name) lineage.push(holder);
  return { requested, chain, source, keys, lineage };
}

/** The long-term keys a profile stands on, following source_profile as the plan would. */
export function keysOfProfile(profiles: ProfileSet, name: string, keystore?: Keystore): LongTermKeys {
  return standingOf(profiles, name, keystore).keys;
}

/**
 * The profile whose keys `name` uses: itself, or for a role the source profile at the end of its chain. A name in
 * neither file is its own (keys may be added to the keyring before the profile is written).
 */
export function keyOwner(profiles: ProfileSet, name: string): string {
  if (!profiles.has(name) && !profiles.has(`${name}-long-term`)) return name;
  return followSourceProfiles(profiles, findProfile(profiles, name)).source.name;
}

/**
 * The long-term keys the AWS files hold for profile `name` (itself or its aws-mfa `-long-term` section), as
 * resolution reads them; undefined when they hold none (temporary keys are none). Half a pair is an error.
 */
export function keysInFiles(profiles: ProfileSet, name: string): LongTermKeys | undefined {
  if (!profiles.has(name) && !profiles.has(`${name}-long-term`)) return undefined;
  const profile = findProfile(profiles, name);
  const holder = keyHolder(profiles, profile);
  if (
    temporary(holder) ||
    (setting(holder, 'aws_access_key_id') === undefined && setting(holder, 'aws_secret_access_key') === undefined)
  )
    return undefined;
  return longTermKeys(profiles, profile);
}

/**
 * The keyring account for a profile's keys: its name, and for an aws-mfa `NAME-long-term` section NAME, since
 * both names mean the same keys there.
 */
export function keyringAccount(name: string): string {
  return name.endsWith('-long-term') && name.length > '-long-term'.length ? name.slice(0, -'-long-term'.length) : name;
}

/**
 * The credentials-file section where keys for profile `name` go (`keys export`): where its keys are found, except
 * that a profile holding aws-mfa's temporary keys gets them in `NAME-long-term`, as aws-mfa keeps them.
 */
export function keySection(profiles: ProfileSet, name: string): string {
  if (!profiles.has(name) && !profiles.has(`${name}-long-term`)) return name;
  return sectionForKeys(profiles, findProfile(profiles, name));
}

function sectionForKeys(profiles: ProfileSet, profile: Profile): string {
  const holder = keyHolder(profiles, profile);
  return temporary(holder) ? `${profile.name}-long-term` : holder.name;
}

/** The section that holds (or would hold) a profile's keys in the files: its own, or aws-mfa's `NAME-long-term`. */
function keyHolder(profiles: ProfileSet, profile: Profile): Profile {
  const own = setting(profile, 'aws_access_key_id') !== undefined && !temporary(profile);
  return (own ? undefined : profiles.get(`${profile.name}-long-term`)) ?? profile;
}

/**
 * The profile's long-term keys. A profile with none of its own (or only the temporary ones aws-mfa wrote there)
 * is served from its `NAME-long-term` section, as aws-mfa does; when the files hold none, from the keystore.
 */
function longTermKeys(profiles: ProfileSet, profile: Profile, keystore?: Keystore): LongTermKeys {
  const holder = keyHolder(profiles, profile);
  const accessKeyId = setting(holder, 'aws_access_key_id');
  const secretAccessKey = setting(holder, 'aws_secret_access_key');
  if (keystore && (temporary(holder) || (accessKeyId === undefined && secretAccessKey === undefined))) {
    const stored = keystore(keyringAccount(profile.name));
    // Named after the section they would be in, as keys from the files are (so --write-profile NAME stays allowed
    // for aws-mfa's NAME).
    if (stored) return { profile: sectionForKeys(profiles, profile), ...stored, inKeyring: true };
  }
  if (temporary(holder)) {
    const key = setting(holder, 'aws_session_token') !== undefined ? 'aws_session_token' : 'aws_security_token';
    throw new ConfigError(
      `profile ${show(holder.name)} holds temporary credentials (${key} in ${show(holder.fileOf(key))}); mfa-env needs the IAM user's long-term keys, there or in [${profile.name}-long-term]`,
    );
  }
  if (accessKeyId === undefined && usesCredentialProcess(holder)) {
    throw new ConfigError(
      `profile ${show(holder.name)} gets its credentials from credential_process, which is for the AWS CLI and SDKs to run; mfa-env serves the profile with the IAM user's keys and mfa_serial, or a role on it (mfa-env list shows them)`,
    );
  }
  if (accessKeyId === undefined || secretAccessKey === undefined) {
    const missing = accessKeyId === undefined ? 'aws_access_key_id' : 'aws_secret_access_key';
    const keyring =
      keystore && accessKeyId === undefined && secretAccessKey === undefined
        ? ` or to the OS keyring (mfa-env keys add ${showName(keyringAccount(profile.name))})`
        : '';
    throw new ConfigError(
      `profile ${show(holder.name)} has no ${missing}; add the IAM user's access keys to it (aws configure --profile ${showName(holder.name)})${keyring}`,
    );
  }
  checkAccessKeyId(accessKeyId, where(holder, 'aws_access_key_id'));
  return { profile: holder.name, accessKeyId, secretAccessKey };
}

/**
 * A profile whose credentials come from a command (as in the README's `credential_process = mfa-env ...`) and not
 * from keys or a role: one for other tools to use, not one for mfa-env to serve.
 */
export function usesCredentialProcess(profile: Profile): boolean {
  return (
    setting(profile, 'credential_process') !== undefined &&
    setting(profile, 'aws_access_key_id') === undefined &&
    setting(profile, 'role_arn') === undefined
  );
}

// aws_security_token is the old name botocore still reads for the same thing.
function temporary(profile: Profile): boolean {
  return setting(profile, 'aws_session_token') !== undefined || setting(profile, 'aws_security_token') !== undefined;
}

function mfaSerialOf(profile: Profile): string | undefined {
  return setting(profile, 'mfa_serial') ?? setting(profile, 'aws_mfa_device');
}

function partitionRegion(mfaSerial: string): string {
  if (mfaSerial.startsWith('arn:aws-cn:')) return 'cn-north-1';
  if (mfaSerial.startsWith('arn:aws-us-gov:')) return 'us-gov-west-1';
  return 'us-east-1';
}
