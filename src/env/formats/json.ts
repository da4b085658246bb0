import type { TemporaryCredentials } from '../../session/sts';
import { rfc3339 } from '../../text/rfc3339';

/**
 * The `credential_process` format the AWS CLI and SDKs read (`Version: 1`), so a profile can say
 * `credential_process = mfa-env --format json PROFILE`.
 */
export function renderCredentialProcess(credentials: TemporaryCredentials): string {
  return `${JSON.stringify(
    {
      Version: 1,
      AccessKeyId: credentials.accessKeyId,
      SecretAccessKey: credentials.secretAccessKey,
      SessionToken: credentials.sessionToken,
      Expiration: rfc3339(credentials.expiration),
    },
    null,
    2,
  )}\n`;
}
