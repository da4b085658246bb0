import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TemporaryCredentials } from '../session/sts';
import { rfc3339 } from '../text/rfc3339';

/** The one route: everything else is 404 (or 403 without the token). */
export const CREDENTIALS_PATH = '/credentials';

// Bounds on what a client may send: a request is one short GET; the headers of a real SDK are well under 2 KB.
const MAX_HEADER_BYTES = 8192;
const REQUEST_TIMEOUT_MS = 10_000;
const MAX_CONNECTIONS = 64;

export interface EndpointOptions {
  /** The credentials to hand out now (a cache hit, or a renewal); a rejection is answered with `failure`'s error. */
  credentials(): Promise<TemporaryCredentials>;
  /** The error answer for a failure: a code and a one-line message, never a secret. */
  failure(err: unknown): { code: string; message: string };
  debug?(message: string): void;
}

export interface CredentialEndpoint {
  /** `http://127.0.0.1:PORT/credentials`: the AWS SDKs accept plain http only for loopback (botocore: 127.0.0.1). */
  url: string;
  /** What the Authorization header must be: 256 random bits, new for every run. */
  token: string;
  /** Stops listening and drops every connection. */
  close(): void;
}

/**
 * A credential endpoint in the container credentials protocol (what `AWS_CONTAINER_CREDENTIALS_FULL_URI` and
 * `AWS_CONTAINER_AUTHORIZATION_TOKEN` point the AWS CLI and SDKs at), listening on 127.0.0.1 only, on a port the
 * kernel picks. Every request must carry the token, compared in constant time; the only route is `GET
 * /credentials`, answered `{"AccessKeyId","SecretAccessKey","Token","Expiration"}`. It lives in this process, so it
 * ends with it, however it ends.
 */
export async function startCredentialEndpoint(options: EndpointOptions): Promise<CredentialEndpoint> {
  const token = randomBytes(32).toString('base64url');
  const expected = digest(token);
  let port = 0;
  const server = createServer(
    { maxHeaderSize: MAX_HEADER_BYTES, requestTimeout: REQUEST_TIMEOUT_MS, headersTimeout: REQUEST_TIMEOUT_MS },
    (req, res) => {
      const answer = (status: number, body: object, headers: Record<string, string> = {}) => {
        if (res.headersSent || res.destroyed) return;
        const text = JSON.stringify(body);
        res.writeHead(status, {
          'Content-Type': 'application/json',
          'Cache-Control': 'no-store',
          'Content-Length': String(Buffer.byteLength(text)),
          ...headers,
        });
        res.end(text);
        options.debug?.(`credential endpoint: ${status} to ${req.method ?? '?'} request`);
      };
      const refuse = (status: number, code: string, message: string, headers: Record<string, string> = {}) =>
        // A refused client gets no second chance on the same connection, and its body (if any) is never read.
        answer(status, { Code: code, Message: message }, { Connection: 'close', ...headers });
      // A web page that rebinds a host name of its own to 127.0.0.1 would send that name; SDKs send the address.
      if (!hostAllowed(req.headers.host, port)) return refuse(403, 'AccessDenied', 'wrong Host header');
      if (!authorized(req.headers.authorization, expected))
        return refuse(403, 'AccessDenied', 'missing or wrong authorization token');
      if (req.method !== 'GET') return refuse(405, 'MethodNotAllowed', 'only GET', { Allow: 'GET' });
      if (req.url !== CREDENTIALS_PATH) return refuse(404, 'NotFound', 'no such path');
      if (hasBody(req)) return refuse(400, 'BadRequest', 'a GET has no body');
      options.credentials().then(
        (credentials) => answer(200, body(credentials)),
        (err: unknown) => {
          const { code, message } = options.failure(err);
          answer(503, { Code: code, Message: message });
        },
      );
    },
  );
  server.maxConnections = MAX_CONNECTIONS;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0, exclusive: true }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}${CREDENTIALS_PATH}`,
    token,
    close() {
      server.close();
      server.closeAllConnections();
    },
  };
}

function body(credentials: TemporaryCredentials): object {
  return {
    AccessKeyId: credentials.accessKeyId,
    SecretAccessKey: credentials.secretAccessKey,
    Token: credentials.sessionToken,
    // The real end: the SDKs come back before it (botocore 10-15 minutes, the JS SDK 5 minutes), and what they get
    // then is renewed when it has less than MFA_ENV_MIN_TTL left.
    Expiration: rfc3339(credentials.expiration),
  };
}

/** Equal digests of equal length: how long the comparison takes says nothing about the token. */
function authorized(header: string | undefined, expected: Buffer): boolean {
  return timingSafeEqual(digest(header ?? ''), expected) && header !== undefined;
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

function hostAllowed(host: string | undefined, port: number): boolean {
  return host === undefined || host === `127.0.0.1:${port}` || host === `localhost:${port}`;
}

function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}
