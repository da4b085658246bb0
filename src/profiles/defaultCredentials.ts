import { ConfigError } from '../errors';
import { show } from '../text/showText';
import type { ConfigFiles, Section } from './configFiles';
import { own } from './profileSet';

// Keys by which a profile holds or names credentials of its own: the AWS CLI and SDKs use any of them before they
// ask a container credential endpoint.
const CREDENTIAL_KEYS = [
  'aws_access_key_id',
  'aws_secret_access_key',
  'aws_session_token',
  'aws_security_token',
  'role_arn',
  'credential_process',
  'credential_source',
  'web_identity_token_file',
  'sso_session',
  'sso_start_url',
  'sso_account_id',
];

/**
 * Whether exec --server must give its command an empty credentials file. With AWS_PROFILE removed, the command's
 * SDKs read the profile `default`, and credentials there come first in their chains: an IAM user's keys in the
 * credentials file are the usual case, and hiding that file (it holds nothing else they need) keeps them on the
 * endpoint. Credentials in the config file's default profile cannot be hidden without the rest of the config, so
 * that is refused, with what to do.
 */
export function mustHideCredentialsFile(files: ConfigFiles): boolean {
  const inConfig = credentialKeyOf(own(files.config, 'default'));
  if (inConfig !== undefined) {
    throw new ConfigError(
      `profile "default" in ${show(files.configPath)} has ${inConfig}, which the AWS CLI and SDKs in the command would use instead of mfa-env's credential endpoint (exec --server); move it to a profile of its own, or run exec without --server`,
    );
  }
  return credentialKeyOf(own(files.credentials, 'default')) !== undefined;
}

function credentialKeyOf(section: Section | undefined): string | undefined {
  return section && CREDENTIAL_KEYS.find((key) => (section[key] ?? '') !== '');
}
