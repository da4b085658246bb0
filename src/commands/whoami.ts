import { ConfigError, showName } from '../errors';
import type { Env } from '../profiles/configPaths';
import { checkEndpoint, checkRegion } from '../profiles/checks';
import { getCallerIdentity } from '../session/sts';

/** `mfa-env whoami`: STS GetCallerIdentity with the credentials this shell holds. */
export async function whoami(env: Env, json: boolean): Promise<string> {
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey) {
    throw new ConfigError('this shell holds no AWS credentials (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY); load a session with mfa-env PROFILE');
  }
  const regionVar = env.AWS_REGION ? 'AWS_REGION' : 'AWS_DEFAULT_REGION';
  const region = env[regionVar] ? checkRegion(env[regionVar]!, regionVar) : 'us-east-1';
  const endpointVar = env.AWS_ENDPOINT_URL_STS ? 'AWS_ENDPOINT_URL_STS' : 'AWS_ENDPOINT_URL';
  const endpoint = env[endpointVar] ? checkEndpoint(env[endpointVar]!, endpointVar) : undefined;
  const identity = await getCallerIdentity(
    { region, endpoint },
    { accessKeyId, secretAccessKey, sessionToken: env.AWS_SESSION_TOKEN || undefined },
    { profile: env.MFA_ENV_PROFILE ?? '(environment)' },
  );
  if (json) return `${JSON.stringify({ Account: identity.account, Arn: identity.arn, UserId: identity.userId }, null, 2)}\n`;
  // What STS (or whatever answers at the endpoint) says is shown printable, as anything else from outside.
  return `Account: ${showName(identity.account)}\nArn:     ${showName(identity.arn)}\nUserId:  ${showName(identity.userId)}\n`;
}
