// One call to an AWS query API (STS, IAM) as mfa-env makes it: within a deadline, retried by us, with the answer
// read up to a bound, and any failure told in one line that names the service, the endpoint and the profile.
// The SDK clients themselves are loaded by the callers (sts.ts, iam.ts), each from its own bundle.
import { type Readable, Transform } from 'node:stream';
import { AwsRefusedError, NetworkError } from '../errors';
import { show } from '../text/showText';

/** The services mfa-env calls, as messages name them. */
export type Service = 'STS' | 'IAM';

/** Where and how to reach a service. */
export interface AwsTarget {
  region: string;
  endpoint?: string;
}

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** Names the caller in messages, and bounds the wait. */
export interface CallContext {
  profile: string;
  /** The longest wait for one call, retries included (`--timeout`; default 15 s). */
  timeoutMs?: number;
  /** Says that a retry may re-send an MFA code the service could already have taken. */
  say?(message: string): void;
  /** --debug: what is being done, never with a secret in it. */
  debug?(message: string): void;
}

export const DEFAULT_TIMEOUT_MS = 15_000;
const ATTEMPTS = 3;
const ATTEMPT_TIMEOUT_MS = 4_000;

/**
 * Real STS and IAM answers are a few KB (a session token is at most a few thousand characters). 1 MiB is hundreds of
 * times that, and small enough that reading it costs nothing: a 100 MB answer once took 3.8 GB and 20 s to parse.
 */
export const MAX_ANSWER_BYTES = 1 << 20;

/** The SDK client options every call uses: no retries of the SDK's own (see call), and per-attempt timeouts. */
export function clientOptions(target: AwsTarget, credentials: Credentials) {
  return {
    region: target.region,
    endpoint: target.endpoint,
    credentials,
    maxAttempts: 1,
    requestHandler: {
      connectionTimeout: ATTEMPT_TIMEOUT_MS,
      requestTimeout: ATTEMPT_TIMEOUT_MS,
      throwOnRequestTimeout: true,
    },
  };
}

/** The part of an SDK client that call() needs. */
export interface SdkClient<Output> {
  send(command: unknown, options: { abortSignal: AbortSignal }): Promise<Output>;
  middlewareStack: { add(middleware: unknown, options: { step: 'deserialize'; priority: 'low'; name: string }): void };
}

/**
 * Sends one command, retrying what is worth retrying (no answer, a reset, garbage, 5xx, throttling, a skewed clock)
 * with backoff, within the context's timeout. A retry that re-sends an MFA code the service may already have taken
 * is announced; one whose connection was refused is not, since nothing reached it. Retries are ours, not the
 * SDK's, so that neither happens silently; one client per call keeps the SDK's clock-skew correction (learnt from
 * a failed attempt) for the next attempt. A call that is not `repeatable` (it makes something, and a second one would
 * make another) is retried only when it never reached the service or was throttled: after a lost answer the caller
 * must find out what happened.
 */
export async function call<Output>(
  service: Service,
  operation: string,
  client: SdkClient<Output>,
  command: unknown,
  target: AwsTarget,
  credentials: Credentials,
  context: CallContext,
  carriesCode = false,
  repeatable = true,
): Promise<Output> {
  const deadline = Date.now() + (context.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  let signal = AbortSignal.timeout(1);
  boundAnswers(client, () => signal);
  for (let attempt = 1; ; attempt++) {
    const remaining = deadline - Date.now();
    context.debug?.(
      `${operation} at ${describeTarget(target, service)} with key ${keyHint(credentials.accessKeyId)}${carriesCode ? ' and an MFA code' : ''} (attempt ${attempt})`,
    );
    signal = AbortSignal.timeout(Math.max(1, Math.min(remaining, ATTEMPT_TIMEOUT_MS)));
    try {
      const output = await client.send(command, { abortSignal: signal });
      context.debug?.(`${operation} succeeded`);
      return output;
    } catch (err) {
      // Past the attempt's time, whatever broke (the request, or an answer still trickling in) broke because of it.
      const failure = signal.aborted
        ? timedOut(service, target)
        : describeFailure(err, service, operation, target, credentials, context);
      context.debug?.(`${operation} failed: ${failure.message}`);
      const backoff = 250 * 2 ** (attempt - 1);
      if (!retryable(err) || attempt >= ATTEMPTS || deadline - Date.now() <= backoff) throw failure;
      if (!repeatable && !neverSent(err) && !throttled(err)) throw failure;
      if (carriesCode && !neverSent(err))
        context.say?.(`${failure.message.replace(/;.*$/, '')}; trying again with the same MFA code`);
      await new Promise((resolve) => setTimeout(resolve, backoff));
    }
  }
}

/** An answer longer than MAX_ANSWER_BYTES: refused as it arrives, never read whole, never retried. */
class AnswerTooLarge extends Error {
  constructor() {
    super(`answer over ${MAX_ANSWER_BYTES} bytes`);
  }
}

/**
 * Bounds every answer the client reads, success or error, before the SDK's deserializer collects it: one announced
 * as too long is refused at once, and one that grows past the bound (chunked, or lying about its length) is cut
 * there; the connection is dropped either way. An answer still arriving when the attempt's time is up is cut too,
 * so a server that trickles bytes cannot outlast the timeout.
 */
function boundAnswers(client: SdkClient<unknown>, attemptSignal: () => AbortSignal): void {
  // The deserialize step's low priority runs innermost: next() is the HTTP handler, the body not yet read.
  const middleware = (next: (args: unknown) => Promise<{ response: RawResponse }>) => async (args: unknown) => {
    const result = await next(args);
    const { response } = result;
    const announced = Number(response.headers?.['content-length']);
    if (announced > MAX_ANSWER_BYTES) {
      response.body?.destroy();
      throw new AnswerTooLarge();
    }
    if (response.body && typeof response.body.pipe === 'function')
      response.body = capped(response.body, attemptSignal());
    return result;
  };
  client.middlewareStack.add(middleware, { step: 'deserialize', priority: 'low', name: 'mfaEnvAnswerBound' });
}

interface RawResponse {
  headers?: Record<string, string | undefined>;
  body?: Readable;
}

function capped(body: Readable, signal: AbortSignal): Readable {
  let seen = 0;
  const limited = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      seen += chunk.length;
      done(seen > MAX_ANSWER_BYTES ? new AnswerTooLarge() : null, chunk);
    },
  });
  const stop = () => limited.destroy(new Error('aborted'));
  signal.addEventListener('abort', stop, { once: true });
  body.on('error', (err) => limited.destroy(err));
  limited.on('close', () => {
    signal.removeEventListener('abort', stop);
    // Whatever ended the read, nothing more of this answer is wanted.
    body.destroy();
  });
  return body.pipe(limited);
}

type SdkError = {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number; clockSkewCorrected?: boolean };
};

function retryable(err: unknown): boolean {
  if (err instanceof AnswerTooLarge) return false;
  const e = err as SdkError;
  const status = e.$metadata?.httpStatusCode;
  if (status !== undefined && status >= 500) return true;
  if (throttled(err)) return true;
  if (e.$metadata?.clockSkewCorrected) return true;
  // No HTTP status: no (complete) answer at all. A 200 that still failed: an answer the SDK could not read.
  return status === undefined || status === 200;
}

function throttled(err: unknown): boolean {
  const name = (err as SdkError).name;
  return name === 'Throttling' || name === 'ThrottlingException' || name === 'RequestLimitExceeded';
}

function neverSent(err: unknown): boolean {
  const code = (err as SdkError).code;
  return code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN';
}

/**
 * The endpoint as a message may show it: parsed (so control characters are percent-encoded), without a
 * `user:password@` part, and quoted if anything unprintable is left. AWS's own endpoints by service and region.
 */
export function describeTarget(target: AwsTarget, service: Service = 'STS'): string {
  if (target.endpoint === undefined) return service === 'IAM' ? 'iam.amazonaws.com' : `sts.${target.region}`;
  return describeUrl(target.endpoint);
}

/** A URL as a message (or a file) may hold it: no userinfo, nothing unprintable. */
export function describeUrl(endpoint: string): string {
  let href: string;
  try {
    const url = new URL(endpoint);
    url.username = '';
    url.password = '';
    // The origin alone when there is no path, so the endpoint reads as the user wrote it.
    href = url.pathname === '/' && !url.search && !url.hash ? url.origin : url.href;
  } catch {
    return show(endpoint);
  }
  return /^[\x21-\x7e]+$/.test(href) ? href : show(href);
}

/** The last 4 characters of a key id: enough to tell keys apart, never enough to use one. */
export function keyHint(accessKeyId: string): string {
  return `...${accessKeyId.slice(-4)}`;
}

// Temporary credentials (an MFA session behind a role) are told apart from an IAM user's keys.
function describeKeys(keys: Credentials): string {
  return keys.sessionToken ? 'the cached MFA session' : `access key ${keyHint(keys.accessKeyId)}`;
}

function timedOut(service: Service, target: AwsTarget): NetworkError {
  return new NetworkError(
    `${service} at ${describeTarget(target, service)} did not answer in time; check your network and try again`,
  );
}

/** Real STS messages are one sentence; a longer one is cut (a 5 MB message must not fill the terminal). */
const MAX_MESSAGE = 500;

/** Error codes of a connection that failed: nothing, or nothing whole, came back. */
export const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNABORTED',
]);

/** One line that says what failed, at which service, for which profile, and what to do; never a secret. */
export function describeFailure(
  err: unknown,
  service: Service,
  operation: string,
  target: AwsTarget,
  keys: Credentials,
  context: CallContext,
): Error {
  const e = err as {
    name?: string;
    code?: string;
    message?: string;
    $metadata?: { httpStatusCode?: number };
    $fault?: string;
  };
  const where = `${service} at ${describeTarget(target, service)}`;
  if (err instanceof AnswerTooLarge) {
    return new NetworkError(
      `${where} answered ${operation} with more than ${MAX_ANSWER_BYTES / (1 << 20)} MiB; not read`,
    );
  }
  const keyKind = describeKeys(keys);
  const status = e.$metadata?.httpStatusCode;
  const profile = show(context.profile);
  // Both from the server: a code is shown as written only when it is a plain word; a message is one line, cut short.
  const code = e.name ?? 'Error';
  const shownCode = /^[A-Za-z0-9_.:-]{1,100}$/.test(code) ? code : show(code.slice(0, 100));
  const message = (e.message ?? '').trim().slice(0, MAX_MESSAGE);
  if (
    code === 'TimeoutError' ||
    code === 'RequestTimeout' ||
    code === 'AbortError' ||
    (/timed? ?out|aborted/i.test(message) && !status)
  ) {
    return timedOut(service, target);
  }
  if (e.code && NETWORK_CODES.has(e.code)) {
    return new NetworkError(`cannot reach ${where} (${e.code}); check your network, region and endpoint settings`);
  }
  switch (code) {
    case 'AccessDenied':
      if (/MultiFactorAuthentication|MFA/i.test(message)) {
        return new AwsRefusedError(
          `AWS rejected the MFA code for profile ${profile}; wait for the next code and try again`,
          'MfaRejected',
        );
      }
      return new AwsRefusedError(`${service} ${operation} for profile ${profile} was denied: ${show(message)}`, code);
    case 'ValidationError':
      if (/role chaining/i.test(message)) {
        return new AwsRefusedError(
          `a role assumed with temporary credentials is limited to 1 hour by STS (profile ${profile}); ask for 1h or less`,
          code,
        );
      }
      if (/MaxSessionDuration/i.test(message)) {
        return new AwsRefusedError(
          `the role of profile ${profile} does not allow sessions that long (its MaxSessionDuration); ask for less with --duration or duration_seconds`,
          code,
        );
      }
      return new AwsRefusedError(
        `${service} ${operation} for profile ${profile} refused the request: ${show(message)}`,
        code,
      );
    case 'InvalidClientTokenId':
      return new AwsRefusedError(
        keys.sessionToken
          ? `AWS no longer accepts ${keyKind} for profile ${profile} (InvalidClientTokenId); run mfa-env again with --refresh`
          : `AWS does not recognise ${keyKind} of profile ${profile} (InvalidClientTokenId); check its keys or create new ones`,
        code,
      );
    case 'SignatureDoesNotMatch':
      if (/expired|skew|time/i.test(message)) {
        return new AwsRefusedError(
          `${service} refused the request time; check this machine's clock (${show(message)})`,
          code,
        );
      }
      return new AwsRefusedError(
        `the secret key of profile ${profile} does not match access key ${keyHint(keys.accessKeyId)} (SignatureDoesNotMatch); check aws_secret_access_key`,
        code,
      );
    case 'ExpiredToken':
      return new AwsRefusedError(
        `the credentials used for profile ${profile} have expired (ExpiredToken); run mfa-env again`,
        code,
      );
  }
  if ((status !== undefined && status >= 500) || code === 'Throttling' || e.$fault === 'server') {
    return new NetworkError(
      `${where} is not answering properly (${shownCode}${status ? `, HTTP ${status}` : ''}); try again later`,
    );
  }
  if (status !== undefined && status >= 400) {
    return new AwsRefusedError(
      `${service} ${operation} for profile ${profile} failed: ${shownCode}: ${show(message)}`,
      code,
    );
  }
  return new NetworkError(
    `${where} gave an unusable answer to ${operation} (${shownCode}: ${show(message.slice(0, 200))}); try again`,
  );
}
