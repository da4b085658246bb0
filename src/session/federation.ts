// The AWS console through AWS Sign-In's federation endpoint (IAM User Guide, "Enable custom identity broker access
// to the AWS console"): role credentials become a sign-in token (`getSigninToken`), and the token a login URL.
// Neither the credentials, nor the token, nor the URL appear in any message: each of them is a way into the account.
import * as http from 'node:http';
import * as https from 'node:https';
import { AwsRefusedError, NetworkError, UsageError } from '../errors';
import { show } from '../text/showText';
import { type CallContext, DEFAULT_TIMEOUT_MS, describeUrl, MAX_ANSWER_BYTES, NETWORK_CODES } from './awsCall';
import type { TemporaryCredentials } from './sts';

export type Partition = 'aws' | 'aws-cn' | 'aws-us-gov';

/** AWS Sign-In and the console, per partition. */
const SIGNIN: Record<Partition, string> = {
  aws: 'https://signin.aws.amazon.com',
  'aws-cn': 'https://signin.amazonaws.cn',
  'aws-us-gov': 'https://signin.amazonaws-us-gov.com',
};
const CONSOLE: Record<Partition, string> = {
  aws: 'console.aws.amazon.com',
  'aws-cn': 'console.amazonaws.cn',
  'aws-us-gov': 'console.amazonaws-us-gov.com',
};

/** The partition of an ARN (`arn:aws-cn:...`); anything unknown is the main one. */
export function partitionOfArn(arn: string): Partition {
  const name = arn.split(':')[1];
  return name === 'aws-cn' || name === 'aws-us-gov' ? name : 'aws';
}

export function partitionOfRegion(region: string): Partition {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/** Where AWS Sign-In is for the partition, unless the endpoint settings say otherwise. */
export function defaultSigninEndpoint(partition: Partition): string {
  return SIGNIN[partition];
}

/** An IAM user's own sign-in page (password and MFA code), for the account of `accountId`. */
export function accountSigninPage(partition: Partition, accountId: string): string {
  return `https://${accountId}.${new URL(SIGNIN[partition]).host}/console`;
}

/** `ENDPOINT/federation`: the endpoint as configured, with the federation path after its own. */
function federationUrl(endpoint: string): URL {
  const url = new URL(endpoint);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/federation`;
  url.search = '';
  url.hash = '';
  return url;
}

/**
 * The console page to land on: `--destination` as given (an https URL of the partition's console), or the console
 * home or a service path (`--path s3`, `ec2/home#Instances`), in the region when there is one.
 */
export function consoleDestination(
  partition: Partition,
  region: string | undefined,
  options: { path?: string; destination?: string },
): string {
  const domain = CONSOLE[partition];
  const onConsole = (url: URL) =>
    url.protocol === 'https:' &&
    !url.username &&
    !url.password &&
    (url.hostname === domain || url.hostname.endsWith(`.${domain}`));
  if (options.destination !== undefined) {
    const url = parseUrl(options.destination);
    if (!url || !onConsole(url) || !/^[\x21-\x7e]+$/.test(options.destination)) {
      throw new UsageError(
        `--destination is ${show(options.destination)}, not an https URL of the AWS console (${domain} or a name under it)`,
      );
    }
    return url.href;
  }
  const host = region ? `${region}.${domain}` : domain;
  const path = options.path ?? 'console/home';
  // A path stays a path on the console: no scheme, no host of its own, nothing unprintable.
  const url =
    /^[A-Za-z0-9][\x21-\x7e]*$/.test(path) && !path.includes('\\') ? parseUrl(path, `https://${host}/`) : undefined;
  if (!url || url.host !== host || !onConsole(url)) {
    throw new UsageError(
      `--path is ${show(path)}, not a path of the AWS console; give it as s3, ec2/home#Instances or the like`,
    );
  }
  if (region && !url.searchParams.has('region')) url.searchParams.set('region', region);
  return url.href;
}

function parseUrl(text: string, base?: string): URL | undefined {
  try {
    return new URL(text, base);
  } catch {
    return undefined;
  }
}

export interface SigninRequest {
  /** AWS Sign-In's endpoint (not the federation URL itself). */
  endpoint: string;
  credentials: TemporaryCredentials;
  /** The console session's length (SessionDuration); only for a role assumed with long-term keys. */
  sessionDuration?: number;
}

/** A sign-in token is a string of the URL-safe kind; real ones are a few hundred to a few thousand characters. */
const MAX_TOKEN = 16_384;
const ATTEMPTS = 3;
const ATTEMPT_TIMEOUT_MS = 4_000;

/**
 * `getSigninToken`: a sign-in token for role credentials. Retried like the STS and IAM calls (no answer, a reset,
 * 5xx), within the context's timeout; an answer is read up to 1 MiB. A refusal (HTTP 4xx) says only the status and
 * `refusal`: the body is AWS's HTML page, or whatever a server put there.
 */
export async function getSigninToken(request: SigninRequest, context: CallContext, refusal: string): Promise<string> {
  const url = federationUrl(request.endpoint);
  const where = `AWS sign-in at ${describeUrl(url.href)}`;
  const query = new URLSearchParams({ Action: 'getSigninToken' });
  if (request.sessionDuration !== undefined) query.set('SessionDuration', String(request.sessionDuration));
  const { accessKeyId, secretAccessKey, sessionToken } = request.credentials;
  query.set('Session', JSON.stringify({ sessionId: accessKeyId, sessionKey: secretAccessKey, sessionToken }));
  const deadline = Date.now() + (context.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  for (let attempt = 1; ; attempt++) {
    context.debug?.(
      `getSigninToken at ${describeUrl(url.href)}${request.sessionDuration ? ` for a ${request.sessionDuration} s console session` : ''} (attempt ${attempt})`,
    );
    const remaining = deadline - Date.now();
    let failure: Error;
    let retry = false;
    try {
      const answer = await get(new URL(`${url.href}?${query}`), Math.max(1, Math.min(remaining, ATTEMPT_TIMEOUT_MS)));
      if (answer.status === 200) return signinTokenOf(answer.body, where);
      if (answer.status >= 500 || answer.status === 429) {
        failure = new NetworkError(`${where} is not answering properly (HTTP ${answer.status}); try again later`);
        retry = true;
      } else {
        failure = new AwsRefusedError(
          `${where} refused to sign in with the session of profile ${show(context.profile)} (HTTP ${answer.status}); ${refusal}`,
          `HTTP ${answer.status}`,
        );
      }
    } catch (err) {
      failure = transportFailure(err, where);
      retry = !(err instanceof AnswerTooLarge);
    }
    context.debug?.(`getSigninToken failed: ${failure.message}`);
    const backoff = 250 * 2 ** (attempt - 1);
    if (!retry || attempt >= ATTEMPTS || deadline - Date.now() <= backoff) throw failure;
    await new Promise((resolve) => setTimeout(resolve, backoff));
  }
}

/** The URL that signs the browser in and lands it on `destination`. A secret for as long as the token lasts (15 minutes). */
export function loginUrl(endpoint: string, signinToken: string, destination: string): string {
  const url = federationUrl(endpoint);
  url.search = new URLSearchParams({
    Action: 'login',
    Issuer: 'mfa-env',
    Destination: destination,
    SigninToken: signinToken,
  }).toString();
  return url.href;
}

function signinTokenOf(body: string, where: string): string {
  let token: unknown;
  try {
    token = (JSON.parse(body) as { SigninToken?: unknown }).SigninToken;
  } catch {
    token = undefined;
  }
  if (typeof token !== 'string' || token.length > MAX_TOKEN || !/^[\x21-\x7e]+$/.test(token)) {
    throw new NetworkError(
      `${where} gave an unusable answer to getSigninToken (no sign-in token mfa-env can use); try again`,
    );
  }
  return token;
}

class AnswerTooLarge extends Error {}

function transportFailure(err: unknown, where: string): Error {
  if (err instanceof AnswerTooLarge)
    return new NetworkError(
      `${where} answered getSigninToken with more than ${MAX_ANSWER_BYTES / (1 << 20)} MiB; not read`,
    );
  const e = err as { code?: string; name?: string };
  if (e.name === 'AbortError' || e.code === 'ABORT_ERR')
    return new NetworkError(`${where} did not answer in time; check your network and try again`);
  if (e.code && NETWORK_CODES.has(e.code))
    return new NetworkError(`cannot reach ${where} (${e.code}); check your network and endpoint settings`);
  return new NetworkError(`${where} did not give a whole answer (${show(e.code ?? e.name ?? 'error')}); try again`);
}

/** One GET, its answer read up to MAX_ANSWER_BYTES, the whole exchange bounded by `timeoutMs`. */
function get(url: URL, timeoutMs: number): Promise<{ status: number; body: string }> {
  const signal = AbortSignal.timeout(timeoutMs);
  return new Promise((resolve, reject) => {
    const request = (url.protocol === 'https:' ? https : http).get(
      url,
      { signal, headers: { accept: 'application/json' } },
      (response) => {
        const announced = Number(response.headers['content-length']);
        if (announced > MAX_ANSWER_BYTES) {
          response.destroy();
          reject(new AnswerTooLarge());
          return;
        }
        const chunks: Buffer[] = [];
        let seen = 0;
        response.on('data', (chunk: Buffer) => {
          seen += chunk.length;
          if (seen > MAX_ANSWER_BYTES) {
            response.destroy();
            reject(new AnswerTooLarge());
            return;
          }
          chunks.push(chunk);
        });
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
        response.on('error', reject);
        response.on('aborted', () => reject(Object.assign(new Error('aborted'), { code: 'ECONNRESET' })));
      },
    );
    request.on('error', reject);
  });
}
