import type { CommandIo } from '../commandIo';
import { originalEnv } from '../env/envChange';
import { ConfigError } from '../errors';
import { configFilePaths } from '../profiles/configFiles';
import { editProfile } from '../profiles/editIniFile';
import type { Plan } from '../profiles/resolvePlan';
import type { Session } from '../session/obtainSession';
import { rfc3339 } from '../text/rfc3339';
import { show } from '../text/showText';

/**
 * `--write-profile NAME`: the session as a credentials-file profile, for tools that only read profiles, the way
 * aws-mfa writes one (with an `expiration` key). Everything else in the file stays as it was; a section holding
 * long-term keys is never overwritten.
 */
export async function writeProfile(name: string, plan: Plan, session: Session, io: CommandIo): Promise<void> {
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
  const longTerm = () =>
    new ConfigError(
      `profile ${show(name)} in ${show(credentialsPath)} holds long-term keys; choose another name for --write-profile`,
    );
  if (name === plan.keys.profile) throw longTerm();
  await editProfile(credentialsPath, {
    kind: 'credentials',
    profile: name,
    keys,
    check(current) {
      if (
        current?.aws_access_key_id !== undefined &&
        current.aws_session_token === undefined &&
        current.aws_security_token === undefined
      )
        throw longTerm();
    },
  });
  io.say(
    `wrote the session of profile ${show(plan.profile)} to profile ${show(name)} in ${show(credentialsPath)} (until ${rfc3339(expiration)})`,
  );
}
