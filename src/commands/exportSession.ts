import { exportChange, originalEnv } from '../env/envChange';
import { renderForShell, type Shell } from '../env/formats';
import type { Env } from '../profiles/configFiles';
import { loadConfigFiles } from '../profiles/configFiles';
import { durationOption, SESSION_TOKEN_LIMITS } from '../profiles/duration';
import { ProfileSet } from '../profiles/profileSet';
import { resolvePlan } from '../profiles/resolvePlan';
import { getMfaSession } from '../session/getSession';
import { codeFromFlag, interactiveCodeSource } from '../session/mfaCode';

export interface ExportArgs {
  profile?: string;
  mfaSerial?: string;
  tokenCode?: string;
  duration?: string;
  endpointUrl?: string;
  shell: Shell;
}

export interface ExportIo {
  env: Env;
  stdin: NodeJS.ReadableStream;
}

/** `mfa-env [PROFILE]`: shell code that loads an MFA session for the profile. */
export async function exportSession(args: ExportArgs, io: ExportIo): Promise<string> {
  const original = originalEnv(io.env);
  const profileName = chooseProfile(args.profile, io.env, original);
  const durationSeconds = args.duration === undefined ? undefined : durationOption(args.duration, SESSION_TOKEN_LIMITS);
  // A bad flag is reported before anything is read or asked.
  const codes = args.tokenCode !== undefined ? codeFromFlag(args.tokenCode) : interactiveCodeSource(io.stdin);
  try {
    const profiles = new ProfileSet(await loadConfigFiles(original));
    const plan = resolvePlan(profiles, profileName, original, { mfaSerial: args.mfaSerial, durationSeconds, endpointUrl: args.endpointUrl });
    const credentials = await getMfaSession(plan, codes);
    return renderForShell(args.shell, exportChange(io.env, { ...credentials, profile: plan.profile, region: plan.region }));
  } finally {
    codes.close?.();
  }
}

/**
 * The profile named on the command line; else the one whose session is loaded (so a bare `mfa-env` renews it);
 * else AWS_PROFILE as the user had it; else `default`.
 */
export function chooseProfile(given: string | undefined, env: Env, original: Env): string {
  return given || env.MFA_ENV_PROFILE || original.AWS_PROFILE || 'default';
}
