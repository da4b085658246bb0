import { ConfigError, show } from '../errors';
import type { Env } from './configFiles';
import type { Profile, ProfileSet } from './profileSet';
import { SESSION_TOKEN_LIMITS } from './duration';

export interface LongTermKeys {
  /** The profile whose section holds the keys. */
  profile: string;
  accessKeyId: string;
  secretAccessKey: string;
}

/** Everything needed to get a session for one profile: resolved once, used by the cache and STS alike. */
export interface Plan {
  profile: string;
  keys: LongTermKeys;
  mfaSerial: string;
  durationSeconds: number;
  /** The profile's own region: exported as AWS_REGION / AWS_DEFAULT_REGION. */
  region?: string;
  /** The region STS is called in. */
  stsRegion: string;
  /** Where STS is, when not AWS's own endpoint for stsRegion. */
  endpoint?: string;
}

export interface PlanOptions {
  mfaSerial?: string;
  durationSeconds?: number;
  endpointUrl?: string;
}

/**
 * Turns a profile name into a plan. Pure: given the parsed files and the user's original environment (see
 * `originalEnv`), so a session exported earlier never changes what the profile means.
 */
export function resolvePlan(profiles: ProfileSet, name: string, env: Env, options: PlanOptions = {}): Plan {
  const profile = profiles.require(name);
  const keys = longTermKeys(profile);
  const mfaSerial = options.mfaSerial ?? setting(profile, 'mfa_serial');
  if (mfaSerial === undefined) {
    throw new ConfigError(
      `profile ${show(name)} has no mfa_serial; add "mfa_serial = arn:aws:iam::ACCOUNT_ID:mfa/DEVICE" to it in ${show(profiles.files.configPath)} or pass --mfa-serial`,
    );
  }
  checkMfaSerial(mfaSerial, options.mfaSerial !== undefined ? '--mfa-serial' : where(profile, 'mfa_serial'));
  const region = setting(profile, 'region');
  if (region !== undefined) checkRegion(region, where(profile, 'region'));
  const envRegion = env.AWS_REGION || env.AWS_DEFAULT_REGION;
  if (envRegion) checkRegion(envRegion, env.AWS_REGION ? 'AWS_REGION' : 'AWS_DEFAULT_REGION');
  return {
    profile: name,
    keys,
    mfaSerial,
    durationSeconds: options.durationSeconds ?? SESSION_TOKEN_LIMITS.default,
    region,
    // Environment before profile, as in the SDKs; partitions other than aws need their own STS.
    stsRegion: envRegion || region || partitionRegion(mfaSerial),
    endpoint: stsEndpoint(profiles, profile, env, options.endpointUrl),
  };
}

function longTermKeys(profile: Profile): LongTermKeys {
  const accessKeyId = setting(profile, 'aws_access_key_id');
  const secretAccessKey = setting(profile, 'aws_secret_access_key');
  if (accessKeyId === undefined || secretAccessKey === undefined) {
    const missing = accessKeyId === undefined ? 'aws_access_key_id' : 'aws_secret_access_key';
    throw new ConfigError(`profile ${show(profile.name)} has no ${missing}; add the IAM user's access keys to it (aws configure --profile ${profile.name})`);
  }
  if (setting(profile, 'aws_session_token') !== undefined) {
    throw new ConfigError(
      `profile ${show(profile.name)} holds temporary credentials (aws_session_token in ${show(profile.fileOf('aws_session_token'))}); mfa-env needs the IAM user's long-term keys`,
    );
  }
  if (!/^\w{16,128}$/.test(accessKeyId)) {
    throw new ConfigError(`aws_access_key_id of profile ${show(profile.name)} in ${show(profile.fileOf('aws_access_key_id'))} is not an access key id`);
  }
  return { profile: profile.name, accessKeyId, secretAccessKey };
}

/** A key's value, or undefined when absent or empty. */
export function setting(profile: Profile, key: string): string | undefined {
  const value = profile.settings[key];
  return value === undefined || value === '' ? undefined : value;
}

function where(profile: Profile, key: string): string {
  return `${key} of profile ${show(profile.name)} in ${show(profile.fileOf(key))}`;
}

// STS's own constraints on SerialNumber: 9-256 characters of [\w+=/:,.@-].
function checkMfaSerial(serial: string, what: string): void {
  if (!/^[\w+=/:,.@-]{9,256}$/.test(serial)) {
    throw new ConfigError(`${what} is ${show(serial)}, not an MFA device; expected an ARN like arn:aws:iam::123456789012:mfa/NAME or a hardware serial`);
  }
}

function checkRegion(region: string, what: string): void {
  if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(region)) throw new ConfigError(`${what} is ${show(region)}, not a region name like us-east-1`);
}

function partitionRegion(mfaSerial: string): string {
  if (mfaSerial.startsWith('arn:aws-cn:')) return 'cn-north-1';
  if (mfaSerial.startsWith('arn:aws-us-gov:')) return 'us-gov-west-1';
  return 'us-east-1';
}

/** Where STS is, by the SDKs' precedence: flag, service env, global env, services section, profile. */
function stsEndpoint(profiles: ProfileSet, profile: Profile, env: Env, flag?: string): string | undefined {
  const servicesName = setting(profile, 'services');
  const fromServices = servicesName === undefined ? undefined : profiles.services(servicesName)?.['sts.endpoint_url'];
  const candidates: Array<[string | undefined, string]> = [
    [flag, '--endpoint-url'],
    [env.AWS_ENDPOINT_URL_STS, 'AWS_ENDPOINT_URL_STS'],
    [env.AWS_ENDPOINT_URL, 'AWS_ENDPOINT_URL'],
    [fromServices, `sts endpoint_url of services ${show(servicesName ?? '')} in ${show(profiles.files.configPath)}`],
    [setting(profile, 'endpoint_url'), where(profile, 'endpoint_url')],
  ];
  const ignoreConfigured = env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS === 'true';
  for (const [url, what] of ignoreConfigured ? candidates.slice(0, 1) : candidates) {
    if (!url) continue;
    let parsed: URL | undefined;
    try {
      parsed = new URL(url);
    } catch {
      parsed = undefined;
    }
    if (!parsed || (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')) {
      throw new ConfigError(`${what} is ${show(url)}, not an http(s) URL`);
    }
    return url;
  }
  return undefined;
}
