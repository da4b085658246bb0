import { show } from '../text/showText';
import { checkEndpoint } from './checks';
import type { Env } from './configPaths';
import { type Profile, type ProfileSet, setting, settingOrigin } from './profileSet';

/**
 * The services mfa-env calls, by the names their endpoint settings use (`AWS_ENDPOINT_URL_STS`, `sts = ...`).
 * `signin` is AWS Sign-In (signin.aws.amazon.com), whose `/federation` makes console sign-in URLs: the AWS CLI and
 * SDKs call that service `signin` too (`AWS_ENDPOINT_URL_SIGNIN`).
 */
export type EndpointService = 'sts' | 'iam' | 'signin';

export interface EndpointSources {
  /** `--endpoint-url`: the caller's own choice, above everything configured. */
  flag?: string;
  profiles?: ProfileSet;
  /** The profiles behind the request, nearest first (the requested one, its roles' sources, the keys' holder). */
  lineage?: Profile[];
}

/**
 * Where a service is, by the SDKs' precedence: the flag; the service's variable, the global variable; then per
 * profile, nearest first, its `services` section and its `endpoint_url`. `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true`
 * (or `ignore_configured_endpoint_urls = true` in the requested profile) drops everything but the flag, as in the
 * SDKs. The one rule for every command and every service; undefined means AWS's own endpoint.
 */
export function serviceEndpoint(
  service: EndpointService,
  env: Env,
  { flag, profiles, lineage = [] }: EndpointSources = {},
): string | undefined {
  // Each place is described only when its URL is the one taken: `list` resolves thousands of profiles.
  if (flag) return checkEndpoint(flag, '--endpoint-url');
  const ignored =
    env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS === 'true' ||
    (lineage[0] && setting(lineage[0], 'ignore_configured_endpoint_urls') === 'true');
  if (ignored) return undefined;
  const serviceVar = `AWS_ENDPOINT_URL_${service.toUpperCase()}`;
  if (env[serviceVar]) return checkEndpoint(env[serviceVar], serviceVar);
  if (env.AWS_ENDPOINT_URL) return checkEndpoint(env.AWS_ENDPOINT_URL, 'AWS_ENDPOINT_URL');
  for (const profile of lineage) {
    const servicesName = setting(profile, 'services');
    if (servicesName !== undefined && profiles) {
      const url = profiles.services(servicesName)?.[`${service}.endpoint_url`];
      if (url) {
        return checkEndpoint(
          url,
          `${service} endpoint_url of services ${show(servicesName)} in ${show(profiles.files.configPath)}`,
        );
      }
    }
    const url = setting(profile, 'endpoint_url');
    if (url) return checkEndpoint(url, settingOrigin(profile, 'endpoint_url'));
  }
  return undefined;
}
