import { originalEnv } from '../env/envChange';
import { ConfigError, InterruptedError, MfaInputError, NetworkError, UsageError } from '../errors';
import { keystoreFor } from '../keys/keystore';
import { checkEndpoint, checkMfaSerial, checkRegion, isMfaSerial, isProfileNameToWrite } from '../profiles/checks';
import { type Env, loadConfigFiles } from '../profiles/configFiles';
import { editProfile, sectionHeader } from '../profiles/editIniFile';
import { serviceEndpoint } from '../profiles/endpoints';
import { ProfileSet, setting } from '../profiles/profileSet';
import type { Keystore } from '../profiles/resolvePlan';
import { standingOf } from '../profiles/resolvePlan';
import { type AwsTarget, describeTarget } from '../session/awsCall';
import { listMfaDevices } from '../session/iam';
import { openTerminal } from '../session/mfaCode';
import { show, showName } from '../text/showText';

export interface SetupOptions {
  yes?: boolean;
  backup?: boolean;
  mfaSerial?: string;
  /** Where IAM is, above everything configured. */
  endpointUrl?: string;
  /** --timeout, in milliseconds. */
  timeoutMs?: number;
}

/** IAM lets a user have 8 MFA devices; a list far longer than that is not an answer to trust. */
const MAX_DEVICES = 100;

/**
 * `mfa-env setup PROFILE`: for a user with keys but no mfa_serial yet. Finds the user's MFA devices with the keys
 * (IAM ListMFADevices, which the usual MFA-enforcing policy allows without MFA) and, once confirmed, adds
 * `mfa_serial` to the profile in the config file, changing nothing else in it.
 */
export async function setup(
  name: string,
  options: SetupOptions,
  io: { env: Env; uid: number; now(): number; say(message: string): void; debug?(message: string): void },
): Promise<void> {
  // Bad flags are reported before anything is read.
  if (options.endpointUrl !== undefined) checkEndpoint(options.endpointUrl, '--endpoint-url');
  if (options.mfaSerial !== undefined) checkMfaSerial(options.mfaSerial, '--mfa-serial');
  const env = originalEnv(io.env);
  const files = await loadConfigFiles(env);
  const profiles = new ProfileSet(files);
  const profile = profiles.require(name);
  const current = setting(profile, 'mfa_serial');
  if (current !== undefined) {
    io.say(
      `profile ${show(name)} already has mfa_serial = ${showName(current)} (in ${show(profile.fileOf('mfa_serial'))}); nothing to do`,
    );
    return;
  }
  // The config file's section header must read back as this profile (a credentials-file name may hold anything).
  if (!isProfileNameToWrite(name)) {
    throw new ConfigError(
      `setup cannot add mfa_serial for profile ${show(name)}: the AWS SDKs would not read [profile ${showName(name)}] in the config file as that profile; add "mfa_serial = ARN" to its section in ${show(profile.fileOf('aws_access_key_id'))} by hand`,
    );
  }
  const serial =
    options.mfaSerial !== undefined
      ? options.mfaSerial
      : await chooseDevice(name, profiles, env, options, { ...io, keystore: keystoreFor(env, io) });
  if (serial === undefined) {
    io.say('nothing changed');
    return;
  }
  const header = sectionHeader('config', name);
  const before = await editProfile(files.configPath, {
    kind: 'config',
    profile: name,
    keys: { mfa_serial: serial },
    backup: options.backup,
  });
  io.say(
    `added mfa_serial = ${serial} to [${header}] in ${show(files.configPath)}${options.backup && before ? ` (the old file is ${show(`${files.configPath}.bak`)})` : ''}`,
  );
}

async function chooseDevice(
  name: string,
  profiles: ProfileSet,
  env: Env,
  options: SetupOptions,
  io: { debug?(message: string): void; keystore: Keystore },
): Promise<string | undefined> {
  const { keys, lineage } = standingOf(profiles, name, io.keystore);
  // IAM is global: the region only picks the partition (aws, aws-cn, aws-us-gov).
  const regionProfile = lineage.find((p) => setting(p, 'region') !== undefined);
  const envRegion = env.AWS_REGION
    ? checkRegion(env.AWS_REGION, 'AWS_REGION')
    : env.AWS_DEFAULT_REGION
      ? checkRegion(env.AWS_DEFAULT_REGION, 'AWS_DEFAULT_REGION')
      : undefined;
  const target: AwsTarget = {
    region: envRegion ?? (regionProfile ? setting(regionProfile, 'region')! : 'us-east-1'),
    endpoint: serviceEndpoint('iam', env, { flag: options.endpointUrl, profiles, lineage }),
  };
  const serials = await listMfaDevices(target, keys, { profile: name, timeoutMs: options.timeoutMs, debug: io.debug });
  // What IAM answered is written into the user's config: it must be what the config would accept from the user.
  const bad = serials.find((s) => !isMfaSerial(s));
  if (bad !== undefined || serials.length > MAX_DEVICES) {
    const what =
      bad !== undefined
        ? `a serial number that is not an MFA device (${show(bad.slice(0, 300))})`
        : `${serials.length} MFA devices`;
    throw new NetworkError(
      `IAM at ${describeTarget(target, 'IAM')} answered ListMFADevices with ${what}; nothing was written`,
    );
  }
  if (serials.length === 0) {
    throw new ConfigError(
      `the IAM user of profile ${show(name)} has no MFA device; assign one in the IAM console (Security credentials), then run setup again`,
    );
  }
  if (options.yes) {
    if (serials.length > 1)
      throw new UsageError(
        `the IAM user has ${serials.length} MFA devices; choose one with --mfa-serial (${serials.join(', ')})`,
      );
    return serials[0];
  }
  const terminal = openTerminal();
  if (!terminal)
    throw new MfaInputError(
      'setup asks for confirmation on the terminal and there is none; pass --yes (or --mfa-serial)',
    );
  try {
    const { read } = require('read') as typeof import('read');
    const ask = async (prompt: string) => {
      try {
        return (await read({ input: terminal.input, output: terminal.output, prompt })).trim();
      } catch {
        throw new InterruptedError('cancelled');
      }
    };
    if (serials.length === 1) {
      const answer = await ask(`Add mfa_serial = ${serials[0]} to profile ${showName(name)}? [y/N]`);
      return /^y(es)?$/i.test(answer) ? serials[0] : undefined;
    }
    terminal.output.write(
      `MFA devices of the IAM user of profile ${showName(name)}:\n${serials.map((s, i) => `  ${i + 1}) ${s}`).join('\n')}\n`,
    );
    const answer = Number(await ask(`Which one for profile ${showName(name)}? [1-${serials.length}]`));
    return Number.isInteger(answer) && answer >= 1 && answer <= serials.length ? serials[answer - 1] : undefined;
  } finally {
    terminal.close();
  }
}
