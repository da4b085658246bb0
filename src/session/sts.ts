import { NetworkError } from '../errors';
import { rfc3339 } from '../text/rfc3339';
import { hasControls } from '../text/showText';
import {
  type AwsTarget,
  type CallContext,
  type Credentials,
  call,
  clientOptions,
  describeTarget,
  type SdkClient,
} from './awsCall';
import type * as StsSdk from './stsSdk';

export type { CallContext, Credentials } from './awsCall';

/** Where and how to reach STS. */
export type StsTarget = AwsTarget;

export interface TemporaryCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
}

export interface MfaProof {
  serialNumber: string;
  tokenCode: string;
}

// The SDK costs tens of ms to load, so only the paths that really call STS pay for it.
function loadSdk(): typeof StsSdk {
  return require('./stsSdk') as typeof StsSdk;
}

function send<Output>(
  operation: string,
  command: unknown,
  target: StsTarget,
  credentials: Credentials,
  context: CallContext,
  carriesCode: boolean,
): Promise<Output> {
  const client = new (loadSdk().STSClient)(clientOptions(target, credentials)) as unknown as SdkClient<Output>;
  return call('STS', operation, client, command, target, credentials, context, carriesCode);
}

/** A call whose answer holds credentials: their times are judged by the command's clock (ms since the epoch). */
export interface TimedContext extends CallContext {
  now(): number;
}

export async function getSessionToken(
  target: StsTarget,
  keys: Credentials,
  durationSeconds: number,
  mfa: MfaProof | undefined,
  context: TimedContext,
): Promise<TemporaryCredentials> {
  const command = new (loadSdk().GetSessionTokenCommand)({
    DurationSeconds: durationSeconds,
    SerialNumber: mfa?.serialNumber,
    TokenCode: mfa?.tokenCode,
  });
  const output = await send<StsSdk.GetSessionTokenCommandOutput>(
    'GetSessionToken',
    command,
    target,
    keys,
    context,
    mfa !== undefined,
  );
  return temporaryCredentials(output.Credentials, 'GetSessionToken', target, context.now());
}

export interface RoleRequest {
  roleArn: string;
  sessionName: string;
  externalId?: string;
  durationSeconds: number;
}

export async function assumeRole(
  target: StsTarget,
  credentials: Credentials,
  role: RoleRequest,
  mfa: MfaProof | undefined,
  context: TimedContext,
): Promise<TemporaryCredentials> {
  const command = new (loadSdk().AssumeRoleCommand)({
    RoleArn: role.roleArn,
    RoleSessionName: role.sessionName,
    ExternalId: role.externalId,
    DurationSeconds: role.durationSeconds,
    SerialNumber: mfa?.serialNumber,
    TokenCode: mfa?.tokenCode,
  });
  const output = await send<StsSdk.AssumeRoleCommandOutput>(
    'AssumeRole',
    command,
    target,
    credentials,
    context,
    mfa !== undefined,
  );
  return temporaryCredentials(output.Credentials, 'AssumeRole', target, context.now());
}

export interface CallerIdentity {
  account: string;
  arn: string;
  userId: string;
}

/** Who the credentials belong to; needs no permission, so it works even where a policy denies all without MFA. */
export async function getCallerIdentity(
  target: StsTarget,
  credentials: Credentials,
  context: CallContext,
): Promise<CallerIdentity> {
  const command = new (loadSdk().GetCallerIdentityCommand)({});
  const output = await send<StsSdk.GetCallerIdentityCommandOutput>(
    'GetCallerIdentity',
    command,
    target,
    credentials,
    context,
    false,
  );
  return { account: output.Account ?? '', arn: output.Arn ?? '', userId: output.UserId ?? '' };
}

/**
 * Bounds for what STS may answer, each with room to spare: key ids are 16 to 128 characters (the STS API), secret
 * keys 40, session tokens a few hundred to about 2,000 (AWS warns they may grow; 8 KiB is four times that, and far
 * below what breaks an environment: a 200 KB token makes every command of the shell fail with E2BIG). Sessions last
 * at most 36 hours (GetSessionToken's limit), plus a margin for clocks.
 */
const FIELD_LIMITS = { AccessKeyId: 128, SecretAccessKey: 128, SessionToken: 8192 } as const;
const MAX_SESSION_MS = 36 * 3600_000 + 15 * 60_000;

function temporaryCredentials(
  creds: StsSdk.Credentials | undefined,
  operation: string,
  target: StsTarget,
  now: number,
): TemporaryCredentials {
  const { AccessKeyId, SecretAccessKey, SessionToken, Expiration } = creds ?? {};
  // Real credentials are printable ASCII; control characters (C0, DEL, C1, bidirectional marks; a NUL cannot even
  // live in the environment) mean a broken or hostile answer, refused before anything is cached or printed. Other
  // odd characters are quoted like any value.
  const unusable = (v: string | undefined): boolean => !v || hasControls(v);
  if (
    unusable(AccessKeyId) ||
    unusable(SecretAccessKey) ||
    unusable(SessionToken) ||
    !(Expiration instanceof Date) ||
    Number.isNaN(Expiration.getTime())
  ) {
    throw new NetworkError(
      `STS at ${describeTarget(target)} answered ${operation} without complete, usable credentials; try again`,
    );
  }
  for (const [field, limit] of Object.entries(FIELD_LIMITS)) {
    const length = ({ AccessKeyId, SecretAccessKey, SessionToken } as Record<string, string>)[field].length;
    if (length > limit) {
      throw new NetworkError(
        `STS at ${describeTarget(target)} answered ${operation} with ${field} ${length} characters long, more than the ${limit} real ones stay under; not used`,
      );
    }
  }
  // Caching or exporting a session that is already over would only fail later, far from the cause.
  if (Expiration.getTime() <= now) {
    throw new NetworkError(
      `STS at ${describeTarget(target)} answered ${operation} with credentials that expired at ${rfc3339(Expiration)}; check this machine's clock and try again`,
    );
  }
  // Nor one that claims to outlive anything STS grants: the cache would serve it for ever.
  if (Expiration.getTime() > now + MAX_SESSION_MS) {
    throw new NetworkError(
      `STS at ${describeTarget(target)} answered ${operation} with credentials valid until ${rfc3339(Expiration)}, longer than the 36 hours STS grants; check this machine's clock, not used`,
    );
  }
  return {
    accessKeyId: AccessKeyId!,
    secretAccessKey: SecretAccessKey!,
    sessionToken: SessionToken!,
    expiration: Expiration,
  };
}
