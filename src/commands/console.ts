import type { CommandIo } from '../commandIo';
import { originalEnv } from '../env/envChange';
import { ConfigError, UsageError } from '../errors';
import { checkDuration, checkRegion } from '../profiles/checks';
import { ASSUME_ROLE_LIMITS, durationOption, timeoutMs } from '../profiles/duration';
import { serviceEndpoint } from '../profiles/endpoints';
import type { ProfileSet } from '../profiles/profileSet';
import { type Plan, standingOf } from '../profiles/resolvePlan';
import { describeUrl } from '../session/awsCall';
import {
  accountSigninPage,
  consoleDestination,
  defaultSigninEndpoint,
  getSigninToken,
  loginUrl,
  partitionOfArn,
  partitionOfRegion,
} from '../session/federation';
import { firstRoleFromMfaSession } from '../session/obtainSession';
import { type SessionArgs, sessionFor } from '../session/sessionSource';
import { show, showName } from '../text/showText';

export interface ConsoleArgs extends Omit<SessionArgs, 'format'> {
  /** Print the sign-in URL on stdout instead of opening it. */
  print?: boolean;
  /** A console path (`s3`, `ec2/home#Instances`), or a whole console URL. */
  path?: string;
  destination?: string;
  region?: string;
  /** The console session's length (SessionDuration), for a role assumed with long-term keys. */
  consoleDuration?: string;
}

/** How long `console` waits for the browser to come for the sign-in page. */
const BROWSER_WAIT_MS = 120_000;

/**
 * `mfa-env console PROFILE`: the AWS console in the browser, signed in as the profile's role session (from the cache,
 * renewed from the cached MFA session without a code when it can be), through AWS Sign-In's federation endpoint.
 * With `--print` the sign-in URL goes to stdout instead. An IAM user's profile is refused: see userProfileRefusal.
 */
export async function openConsole(args: ConsoleArgs, io: CommandIo): Promise<string> {
  // Bad flags are reported before anything is read or asked.
  if (args.path !== undefined && args.destination !== undefined)
    throw new UsageError('--path and --destination say the same thing; give one');
  const region = args.region === undefined ? undefined : checkRegion(args.region, '--region');
  const consoleDuration =
    args.consoleDuration === undefined
      ? undefined
      : checkDuration(
          durationOption(args.consoleDuration, '--console-duration'),
          ASSUME_ROLE_LIMITS,
          '--console-duration',
          'AWS allows a console session of',
        );
  const wait = timeoutMs(args.timeout as number | undefined);

  let signinEndpoint = '';
  const { plan, session } = await sessionFor(args, io, {
    check(plan, profiles) {
      if (plan.roles.length === 0) throw userProfileRefusal(plan);
      if (consoleDuration !== undefined && chained(plan)) {
        throw new UsageError(
          `--console-duration cannot be used with profile ${show(plan.profile)}: its role is assumed with temporary credentials (role chaining, from the MFA session), and AWS sign-in refuses a console session length for those; leave it out, or assume the role directly with -d over 1h (it then takes its own MFA code)`,
        );
      }
      signinEndpoint = signinEndpointFor(plan, profiles, io);
    },
  });
  const partition = partitionOfArn(session.roleArn!);
  // As the SDKs choose a region: the environment before the profile.
  const consoleRegion = region ?? envRegion(io) ?? plan.region;
  if (consoleRegion !== undefined && partitionOfRegion(consoleRegion) !== partition) {
    throw new UsageError(
      `region ${consoleRegion} is not in the partition of role ${session.roleArn} (${partition}); choose a region of that partition with --region`,
    );
  }
  const destination = consoleDestination(partition, consoleRegion, { path: args.path, destination: args.destination });
  const endpoint = signinEndpoint || defaultSigninEndpoint(partition);
  const token = await getSigninToken(
    { endpoint, credentials: session.credentials, sessionDuration: consoleDuration },
    { profile: plan.profile, timeoutMs: wait, debug: io.debug },
    consoleDuration !== undefined
      ? 'try again without --console-duration'
      : 'run mfa-env console again with --refresh for a new role session',
  );
  const url = loginUrl(endpoint, token, destination);
  const what = `the AWS console as ${session.roleArn} (profile ${showName(plan.profile)})`;
  if (args.print) {
    io.say(`this URL signs in to ${what} for 15 minutes: do not share it`);
    return `${url}\n`;
  }
  const { openInBrowser } = await import('../browser/openInBrowser');
  await openInBrowser(url, { env: io.env, waitMs: BROWSER_WAIT_MS, debug: io.debug });
  io.say(`opened ${what} in your browser (${describeUrl(destination)})`);
  return '';
}

/** Whether the profile's role session is assumed with temporary credentials, as obtainSession makes it. */
function chained(plan: Plan): boolean {
  return plan.roles.length > 1 || firstRoleFromMfaSession(plan);
}

/**
 * AWS Sign-In turns only role (AssumeRole*) or GetFederationToken credentials into a console login. A user's MFA
 * session comes from GetSessionToken, which it refuses; GetFederationToken takes the long-term keys but no MFA
 * code, so its session carries no MFA and the MFA-enforcing policy denies it (and nearly everything it would do).
 * So for a user there is nothing honest to open: say why, and where the user signs in instead.
 */
function userProfileRefusal(plan: Plan): ConfigError {
  const account = /^arn:[\w-]+:iam::(\d{12}):mfa\//.exec(plan.mfaSerial)?.[1];
  const page = account ? accountSigninPage(partitionOfArn(plan.mfaSerial), account) : "your account's sign-in page";
  return new ConfigError(
    `profile ${show(plan.profile)} is an IAM user, and the console can be opened only for a role: AWS sign-in refuses MFA sessions (GetSessionToken), and GetFederationToken cannot carry MFA, so the MFA-enforcing policy would deny it; sign in with the user's password and MFA code at ${page}, or add a role profile (role_arn and source_profile = ${showName(plan.profile)}) and run mfa-env console with it`,
  );
}

/** AWS Sign-In as the endpoint settings place it (`AWS_ENDPOINT_URL_SIGNIN`, `signin = ...`, `endpoint_url`), or ''. */
function signinEndpointFor(plan: Plan, profiles: ProfileSet, io: CommandIo): string {
  const { lineage } = standingOf(profiles, plan.profile);
  return serviceEndpoint('signin', originalEnv(io.env), { profiles, lineage }) ?? '';
}

function envRegion(io: CommandIo): string | undefined {
  const env = originalEnv(io.env);
  if (env.AWS_REGION) return checkRegion(env.AWS_REGION, 'AWS_REGION');
  if (env.AWS_DEFAULT_REGION) return checkRegion(env.AWS_DEFAULT_REGION, 'AWS_DEFAULT_REGION');
  return undefined;
}
