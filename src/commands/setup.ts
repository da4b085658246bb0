import type * as IamSdk from '@aws-sdk/client-iam';
import { originalEnv } from '../env/envChange';
import { ConfigError, InterruptedError, MfaInputError, UsageError, show } from '../errors';
import { checkEndpoint, checkMfaSerial } from '../profiles/checks';
import { loadConfigFiles, type Env } from '../profiles/configFiles';
import { editSection, readTextIfExists, writeFileAtomically } from '../profiles/editIniFile';
import { ProfileSet } from '../profiles/profileSet';
import { keysOfProfile, setting, type Keystore } from '../profiles/resolvePlan';
import { keystoreFor } from '../keys/keystore';
import { openTerminal } from '../session/mfaCode';
import { describeFailure } from '../session/sts';

export interface SetupOptions {
  yes?: boolean;
  backup?: boolean;
  mfaSerial?: string;
}

/**
 * `mfa-env setup PROFILE`: for a user with keys but no mfa_serial yet. Finds the user's MFA devices with the keys
 * (IAM ListMFADevices, which the usual MFA-enforcing policy allows without MFA) and, once confirmed, adds
 * `mfa_serial` to the profile in the config file, changing nothing else in it.
 */
export async function setup(name: string, options: SetupOptions, io: { env: Env; uid: number; say(message: string): void }): Promise<void> {
  const env = originalEnv(io.env);
  const files = await loadConfigFiles(env);
  const profiles = new ProfileSet(files);
  const profile = profiles.require(name);
  const current = setting(profile, 'mfa_serial');
  if (current !== undefined) {
    io.say(`profile ${show(name)} already has mfa_serial = ${current} (in ${show(profile.fileOf('mfa_serial'))}); nothing to do`);
    return;
  }
  const serial = options.mfaSerial !== undefined ? checkMfaSerial(options.mfaSerial, '--mfa-serial') : await chooseDevice(name, profiles, env, options, keystoreFor(env, io.uid));
  if (serial === undefined) {
    io.say('nothing changed');
    return;
  }
  const header = name === 'default' ? 'default' : `profile ${name}`;
  const text = readTextIfExists(files.configPath);
  writeFileAtomically(files.configPath, editSection(text, { header, keys: { mfa_serial: serial } }), { backup: options.backup });
  io.say(`added mfa_serial = ${serial} to [${header}] in ${show(files.configPath)}${options.backup && text ? ` (the old file is ${show(`${files.configPath}.bak`)})` : ''}`);
}

async function chooseDevice(name: string, profiles: ProfileSet, env: Env, options: SetupOptions, keystore: Keystore): Promise<string | undefined> {
  const keys = keysOfProfile(profiles, name, keystore);
  const endpointVar = env.AWS_ENDPOINT_URL_IAM ? 'AWS_ENDPOINT_URL_IAM' : env.AWS_ENDPOINT_URL ? 'AWS_ENDPOINT_URL' : undefined;
  const configured = profiles.get(name) && setting(profiles.get(name)!, 'endpoint_url');
  const endpoint = endpointVar ? checkEndpoint(env[endpointVar]!, endpointVar) : configured;
  const target = { region: 'us-east-1', endpoint };
  // The IAM client is loaded here only: no other command needs it.
  const sdk = require('@aws-sdk/client-iam') as typeof IamSdk;
  let devices: IamSdk.MFADevice[];
  try {
    const client = new sdk.IAMClient({ ...target, credentials: keys, maxAttempts: 3 });
    devices = (await client.send(new sdk.ListMFADevicesCommand({}))).MFADevices ?? [];
  } catch (err) {
    throw describeFailure(err, 'IAM ListMFADevices', target, keys, { profile: name });
  }
  const serials = devices.map((d) => d.SerialNumber).filter((s): s is string => Boolean(s));
  if (serials.length === 0) {
    throw new ConfigError(`the IAM user of profile ${show(name)} has no MFA device; assign one in the IAM console (Security credentials), then run setup again`);
  }
  if (options.yes) {
    if (serials.length > 1) throw new UsageError(`the IAM user has ${serials.length} MFA devices; choose one with --mfa-serial (${serials.join(', ')})`);
    return serials[0];
  }
  const terminal = openTerminal();
  if (!terminal) throw new MfaInputError('setup asks for confirmation on the terminal and there is none; pass --yes (or --mfa-serial)');
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
      const answer = await ask(`Add mfa_serial = ${serials[0]} to profile ${name}? [y/N]`);
      return /^y(es)?$/i.test(answer) ? serials[0] : undefined;
    }
    terminal.output.write(`MFA devices of the IAM user of profile ${name}:\n${serials.map((s, i) => `  ${i + 1}) ${s}`).join('\n')}\n`);
    const answer = Number(await ask(`Which one for profile ${name}? [1-${serials.length}]`));
    return Number.isInteger(answer) && answer >= 1 && answer <= serials.length ? serials[answer - 1] : undefined;
  } finally {
    terminal.close();
  }
}
