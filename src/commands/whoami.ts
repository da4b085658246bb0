import { originalEnv } from '../env/envChange';
import { ConfigError } from '../errors';
import { checkRegion } from '../profiles/checks';
import { type Env, loadConfigFiles } from '../profiles/configFiles';
import { serviceEndpoint } from '../profiles/endpoints';
import { type Profile, ProfileSet } from '../profiles/profileSet';
import { standingOf } from '../profiles/resolvePlan';
import { getCallerIdentity } from '../session/sts';
import { showName } from '../text/showText';

/** `mfa-env whoami`: STS GetCallerIdentity with the credentials this shell holds. */
export async function whoami(
  env: Env,
  json: boolean,
  options: { timeoutMs?: number; debug?(message: string): void } = {},
): Promise<string> {
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey) {
    throw new ConfigError(
      'this shell holds no AWS credentials (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY); load a session with mfa-env PROFILE',
    );
  }
  const regionVar = env.AWS_REGION ? 'AWS_REGION' : 'AWS_DEFAULT_REGION';
  const region = env[regionVar] ? checkRegion(env[regionVar]!, regionVar) : 'us-east-1';
  // A session mfa-env loaded is asked about where it was made: the loaded profile's STS endpoint.
  const loaded = env.MFA_ENV_PROFILE ? await loadedProfile(env.MFA_ENV_PROFILE, originalEnv(env)) : undefined;
  const endpoint = serviceEndpoint('sts', env, loaded);
  const identity = await getCallerIdentity(
    { region, endpoint },
    { accessKeyId, secretAccessKey, sessionToken: env.AWS_SESSION_TOKEN || undefined },
    { profile: env.MFA_ENV_PROFILE ?? '(environment)', timeoutMs: options.timeoutMs, debug: options.debug },
  );
  if (json)
    return `${JSON.stringify({ Account: identity.account, Arn: identity.arn, UserId: identity.userId }, null, 2)}\n`;
  // What STS (or whatever answers at the endpoint) says is shown printable, as anything else from outside.
  return `Account: ${showName(identity.account)}\nArn:     ${showName(identity.arn)}\nUserId:  ${showName(identity.userId)}\n`;
}

/** The loaded profile and what it stands on, as far as the files still tell; nothing when they no longer do. */
async function loadedProfile(
  name: string,
  env: Env,
): Promise<{ profiles: ProfileSet; lineage: Profile[] } | undefined> {
  const profiles = new ProfileSet(await loadConfigFiles(env));
  try {
    return { profiles, lineage: standingOf(profiles, name).lineage };
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    const profile = profiles.get(name);
    return profile && { profiles, lineage: [profile] };
  }
}
