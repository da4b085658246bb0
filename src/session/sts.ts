import type * as StsSdk from './stsSdk';
import { NetworkError, StsError, hasControls, show } from '../errors';

/** Where and how to reach STS. */
export interface StsTarget {
  region: string;
  endpoint?: string;
}

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

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

/** Names the caller in messages, and bounds the wait for STS. */
export interface CallContext {
  profile: string;
  /** The longest wait for one STS call, retries included (`--timeout`; default 15 s). */
  timeoutMs?: number;
  /** Says that a retry may re-send an MFA code STS could already have taken. */
  say?(message: string): void;
  /** --debug: what is being done, never with a secret in it. */
  debug?(message: string): void;
}

export const DEFAULT_TIMEOUT_MS = 15_000;
const ATTEMPTS = 3;
const ATTEMPT_TIMEOUT_MS = 4_000;

// The SDK costs tens of ms to load, so only the paths that really call STS pay for it.
function loadSdk(): typeof StsSdk {
  return require('./stsSdk') as typeof StsSdk;
}

// Retries are ours, not the SDK's: a call carrying an MFA code must not be re-sent silently after STS may have
// taken the code, and every call must end within the timeout. One client per call keeps the SDK's clock-skew
// correction (learnt from a failed attempt) for the next attempt.
function client(sdk: typeof StsSdk, target: StsTarget, credentials: Credentials): StsSdk.STSClient {
  return new sdk.STSClient({
    region: target.region,
    endpoint: target.endpoint,
    credentials,
    maxAttempts: 1,
    requestHandler: { connectionTimeout: ATTEMPT_TIMEOUT_MS, requestTimeout: ATTEMPT_TIMEOUT_MS, throwOnRequestTimeout: true },
  });
}

export async function getSessionToken(
  target: StsTarget,
  keys: Credentials,
  durationSeconds: number,
  mfa: MfaProof | undefined,
  context: CallContext,
): Promise<TemporaryCredentials> {
  const sdk = loadSdk();
  const command = new sdk.GetSessionTokenCommand({
    DurationSeconds: durationSeconds,
    SerialNumber: mfa?.serialNumber,
    TokenCode: mfa?.tokenCode,
  });
  const output = await call(sdk, target, keys, (sts, o) => sts.send(command, o), 'GetSessionToken', context, mfa !== undefined);
  return temporaryCredentials(output.Credentials, 'GetSessionToken', target);
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
  context: CallContext,
): Promise<TemporaryCredentials> {
  const sdk = loadSdk();
  const command = new sdk.AssumeRoleCommand({
    RoleArn: role.roleArn,
    RoleSessionName: role.sessionName,
    ExternalId: role.externalId,
    DurationSeconds: role.durationSeconds,
    SerialNumber: mfa?.serialNumber,
    TokenCode: mfa?.tokenCode,
  });
  const output = await call(sdk, target, credentials, (sts, o) => sts.send(command, o), 'AssumeRole', context, mfa !== undefined);
  return temporaryCredentials(output.Credentials, 'AssumeRole', target);
}

export interface CallerIdentity {
  account: string;
  arn: string;
  userId: string;
}

/** Who the credentials belong to; needs no permission, so it works even where a policy denies all without MFA. */
export async function getCallerIdentity(target: StsTarget, credentials: Credentials, context: CallContext): Promise<CallerIdentity> {
  const sdk = loadSdk();
  const command = new sdk.GetCallerIdentityCommand({});
  const output = await call(sdk, target, credentials, (sts, o) => sts.send(command, o), 'GetCallerIdentity', context, false);
  return { account: output.Account ?? '', arn: output.Arn ?? '', userId: output.UserId ?? '' };
}

/**
 * Sends one STS command, retrying what is worth retrying (no answer, a reset, garbage, 5xx, throttling, a skewed
 * clock) with backoff, within the call's timeout. A retry that re-sends an MFA code STS may already have taken is
 * announced; one whose connection was refused is not, since nothing reached STS.
 */
async function call<Output>(
  sdk: typeof StsSdk,
  target: StsTarget,
  credentials: Credentials,
  send: (sts: StsSdk.STSClient, options: { abortSignal: AbortSignal }) => Promise<Output>,
  operation: string,
  context: CallContext,
  carriesCode: boolean,
): Promise<Output> {
  const deadline = Date.now() + (context.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const sts = client(sdk, target, credentials);
  for (let attempt = 1; ; attempt++) {
    const remaining = deadline - Date.now();
    context.debug?.(`${operation} at ${describeTarget(target)} with key ${keyHint(credentials.accessKeyId)}${carriesCode ? ' and an MFA code' : ''} (attempt ${attempt})`);
    try {
      const output = await send(sts, { abortSignal: AbortSignal.timeout(Math.max(1, Math.min(remaining, ATTEMPT_TIMEOUT_MS))) });
      context.debug?.(`${operation} succeeded`);
      return output;
    } catch (err) {
      const failure = describeFailure(err, operation, target, credentials, context);
      context.debug?.(`${operation} failed: ${failure.message}`);
      const backoff = 250 * 2 ** (attempt - 1);
      if (!retryable(err) || attempt >= ATTEMPTS || deadline - Date.now() <= backoff) throw failure;
      if (carriesCode && !neverSent(err)) context.say?.(`${failure.message.replace(/;.*$/, '')}; trying again with the same MFA code`);
      await new Promise((resolve) => setTimeout(resolve, backoff));
    }
  }
}

type SdkError = { name?: string; code?: string; message?: string; $metadata?: { httpStatusCode?: number; clockSkewCorrected?: boolean } };

function retryable(err: unknown): boolean {
  const e = err as SdkError;
  const status = e.$metadata?.httpStatusCode;
  if (status !== undefined && status >= 500) return true;
  if (e.name === 'Throttling' || e.name === 'ThrottlingException' || e.name === 'RequestLimitExceeded') return true;
  if (e.$metadata?.clockSkewCorrected) return true;
  // No HTTP status: no (complete) answer at all. A 200 that still failed: an answer the SDK could not read.
  return status === undefined || status === 200;
}

function neverSent(err: unknown): boolean {
  const code = (err as SdkError).code;
  return code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN';
}

/**
 * Bounds for what STS may answer, each with room to spare: key ids are 16 to 128 characters (the STS API), secret
 * keys 40, session tokens a few hundred to about 2,000 (AWS warns they may grow; 8 KiB is four times that, and far
 * below what breaks an environment: a 200 KB token makes every command of the shell fail with E2BIG). Sessions last
 * at most 36 hours (GetSessionToken's limit), plus a margin for clocks.
 */
const FIELD_LIMITS = { AccessKeyId: 128, SecretAccessKey: 128, SessionToken: 8192 } as const;
const MAX_SESSION_MS = 36 * 3600_000 + 15 * 60_000;

function temporaryCredentials(creds: import('@aws-sdk/client-sts').Credentials | undefined, operation: string, target: StsTarget): TemporaryCredentials {
  const { AccessKeyId, SecretAccessKey, SessionToken, Expiration } = creds ?? {};
  // Real credentials are printable ASCII; control characters (C0, DEL, C1, bidirectional marks; a NUL cannot even
  // live in the environment) mean a broken or hostile answer, refused before anything is cached or printed. Other
  // odd characters are quoted like any value.
  const unusable = (v: string | undefined): boolean => !v || hasControls(v);
  if (unusable(AccessKeyId) || unusable(SecretAccessKey) || unusable(SessionToken) || !(Expiration instanceof Date) || Number.isNaN(Expiration.getTime())) {
    throw new NetworkError(`STS at ${describeTarget(target)} answered ${operation} without complete, usable credentials; try again`);
  }
  for (const [field, limit] of Object.entries(FIELD_LIMITS)) {
    const length = ({ AccessKeyId, SecretAccessKey, SessionToken } as Record<string, string>)[field].length;
    if (length > limit) {
      throw new NetworkError(`STS at ${describeTarget(target)} answered ${operation} with ${field} ${length} characters long, more than the ${limit} real ones stay under; not used`);
    }
  }
  // Caching or exporting a session that is already over would only fail later, far from the cause.
  if (Expiration.getTime() <= Date.now()) {
    throw new NetworkError(
      `STS at ${describeTarget(target)} answered ${operation} with credentials that expired at ${Expiration.toISOString()}; check this machine's clock and try again`,
    );
  }
  // Nor one that claims to outlive anything STS grants: the cache would serve it for ever.
  if (Expiration.getTime() > Date.now() + MAX_SESSION_MS) {
    throw new NetworkError(
      `STS at ${describeTarget(target)} answered ${operation} with credentials valid until ${Expiration.toISOString()}, longer than the 36 hours STS grants; check this machine's clock, not used`,
    );
  }
  return { accessKeyId: AccessKeyId!, secretAccessKey: SecretAccessKey!, sessionToken: SessionToken!, expiration: Expiration };
}

/**
 * The endpoint as a message may show it: parsed (so control characters are percent-encoded), without a
 * `user:password@` part, and quoted if anything unprintable is left.
 */
export function describeTarget(target: StsTarget): string {
  if (target.endpoint === undefined) return `sts.${target.region}`;
  let href: string;
  try {
    const url = new URL(target.endpoint);
    url.username = '';
    url.password = '';
    // The origin alone when there is no path, so the endpoint reads as the user wrote it.
    href = url.pathname === '/' && !url.search && !url.hash ? url.origin : url.href;
  } catch {
    return show(target.endpoint);
  }
  return /^[\x21-\x7e]+$/.test(href) ? href : show(href);
}

/** The last 4 characters of a key id: enough to tell keys apart, never enough to use one. */
export function keyHint(accessKeyId: string): string {
  return `...${accessKeyId.slice(-4)}`;
}

/** Real STS messages are one sentence; a longer one is cut (a 5 MB message must not fill the terminal). */
const MAX_MESSAGE = 500;

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNABORTED']);

/** One line that says what failed, for which profile, and what to do; never a secret. */
export function describeFailure(err: unknown, operation: string, target: StsTarget, keys: Credentials, context: CallContext): Error {
  const e = err as { name?: string; code?: string; message?: string; $metadata?: { httpStatusCode?: number }; $fault?: string };
  // Temporary credentials (an MFA session behind a role) are told apart from an IAM user's keys.
  const keyKind = keys.sessionToken ? 'the cached MFA session' : `access key ${keyHint(keys.accessKeyId)}`;
  const status = e.$metadata?.httpStatusCode;
  const profile = show(context.profile);
  const where = describeTarget(target);
  // Both from the server: a code is shown as written only when it is a plain word; a message is one line, cut short.
  const code = e.name ?? 'Error';
  const shownCode = /^[A-Za-z0-9_.:-]{1,100}$/.test(code) ? code : show(code.slice(0, 100));
  const message = (e.message ?? '').trim().slice(0, MAX_MESSAGE);
  if (code === 'TimeoutError' || code === 'RequestTimeout' || code === 'AbortError' || (/timed? ?out|aborted/i.test(message) && !status)) {
    return new NetworkError(`STS at ${where} did not answer in time; check your network and try again`);
  }
  if (e.code && NETWORK_CODES.has(e.code)) {
    return new NetworkError(`cannot reach STS at ${where} (${e.code}); check your network, region and endpoint settings`);
  }
  switch (code) {
    case 'AccessDenied':
      if (/MultiFactorAuthentication|MFA/i.test(message)) {
        return new StsError(`AWS rejected the MFA code for profile ${profile}; wait for the next code and try again`, 'MfaRejected');
      }
      return new StsError(`STS ${operation} for profile ${profile} was denied: ${show(message)}`, code);
    case 'ValidationError':
      if (/role chaining/i.test(message)) {
        return new StsError(`a role assumed with temporary credentials is limited to 1 hour by STS (profile ${profile}); ask for 1h or less`, code);
      }
      if (/MaxSessionDuration/i.test(message)) {
        return new StsError(`the role of profile ${profile} does not allow sessions that long (its MaxSessionDuration); ask for less with --duration or duration_seconds`, code);
      }
      return new StsError(`STS ${operation} for profile ${profile} refused the request: ${show(message)}`, code);
    case 'InvalidClientTokenId':
      return new StsError(
        keys.sessionToken
          ? `AWS no longer accepts ${keyKind} for profile ${profile} (InvalidClientTokenId); run mfa-env again with --refresh`
          : `AWS does not recognise ${keyKind} of profile ${profile} (InvalidClientTokenId); check its keys or create new ones`,
        code,
      );
    case 'SignatureDoesNotMatch':
      if (/expired|skew|time/i.test(message)) {
        return new StsError(`STS refused the request time; check this machine's clock (${show(message)})`, code);
      }
      return new StsError(
        `the secret key of profile ${profile} does not match access key ${keyHint(keys.accessKeyId)} (SignatureDoesNotMatch); check aws_secret_access_key`,
        code,
      );
    case 'ExpiredToken':
      return new StsError(`the credentials used for profile ${profile} have expired (ExpiredToken); run mfa-env again`, code);
  }
  if ((status !== undefined && status >= 500) || code === 'Throttling' || e.$fault === 'server') {
    return new NetworkError(`STS at ${where} is not answering properly (${shownCode}${status ? `, HTTP ${status}` : ''}); try again later`);
  }
  if (status !== undefined && status >= 400) {
    return new StsError(`STS ${operation} for profile ${profile} failed: ${shownCode}: ${show(message)}`, code);
  }
  return new NetworkError(`STS at ${where} gave an unusable answer to ${operation} (${shownCode}: ${show(message.slice(0, 200))}); try again`);
}
