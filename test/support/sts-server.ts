// A local stand-in for AWS STS, used by the unit tests, the CLI tests, the demo and the
// benchmark. It speaks the real query protocol over HTTP, verifies SigV4 signatures and TOTP
// codes, and answers with the XML shapes, error codes, HTTP statuses and messages real STS
// uses (as the STS API reference and the SDK document them), so the real AWS SDK can talk to it unchanged.
//
// Clocks: the server's clock is the real clock + clockSkewSeconds. It drives the Date
// header, the 5-minute signature window, expirations and TOTP checks: the server plays AWS,
// whose clock agrees with the user's phone, so a test simulating a wrong laptop clock should
// generate codes at server time (`totpCode(secret, server.nowMs())`).
import * as crypto from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { SignatureV4 } from '@smithy/signature-v4';
import { totpMatchStep } from './totp';

export const STS_NAMESPACE = 'https://sts.amazonaws.com/doc/2011-06-15/';
export const STS_VERSION = '2011-06-15';
/** IAM speaks the same query protocol; the server answers the IAM calls mfa-env makes (setup, rotate). */
export const IAM_NAMESPACE = 'https://iam.amazonaws.com/doc/2010-05-08/';
export const IAM_VERSION = '2010-05-08';

// ---------------------------------------------------------------------------------------------
// Public types

export interface StsMfaDevice {
  /** `arn:aws:iam::ACCOUNT:mfa/NAME` or a hardware serial such as `GAHT12345678`. */
  serial: string;
  /** Base32 TOTP secret, as shown when the virtual device was enrolled. */
  secret: string;
}

export interface StsUserConfig {
  userName: string;
  accountId: string;
  accessKeyId: string;
  secretAccessKey: string;
  mfaDevices?: StsMfaDevice[];
  /** Account root user: ARN `arn:aws:iam::ACCT:root`, GetSessionToken capped at 1 h, no AssumeRole. */
  isRoot?: boolean;
  /** ARN partition of the user; default `aws` (use `aws-cn` / `aws-us-gov` for China / GovCloud). */
  partition?: string;
  /**
   * The MFA-enforcing policy is attached (`mfa-env policy`, FACTS.md): the IAM calls that change access keys
   * (CreateAccessKey, DeleteAccessKey, UpdateAccessKey) are denied unless the caller's session carries MFA.
   */
  forceMfa?: boolean;
}

export interface StsRoleConfig {
  /** `arn:PARTITION:iam::ACCOUNT:role/[PATH/]NAME` */
  arn: string;
  /** Seconds; default 3600 (the IAM default), at most 43200. */
  maxSessionDuration?: number;
  /** Trust policy requires aws:MultiFactorAuthPresent. */
  requireMfa?: boolean;
  /** Trust policy requires sts:ExternalId to equal this. */
  externalId?: string;
  /** Accounts whose users may assume the role; default: any user known to the server. */
  trustedAccountIds?: string[];
}

export interface StsServerOptions {
  users: StsUserConfig[];
  roles?: StsRoleConfig[];
  /** Server clock = real clock + skew (Date header, signature window, expirations, TOTP). */
  clockSkewSeconds?: number;
  /** Default false; when true a TOTP code accepted once for a device is rejected again (AWS behaviour). */
  rejectReusedCodes?: boolean;
  /** Called once per request after it is answered (not JSON-configurable; the runner uses it to log). */
  onCall?: (call: StsCall) => void;
  /**
   * Opt-in, for hostile-response tests only: replaces fields of the <Credentials> a successful GetSessionToken or
   * AssumeRole answer carries (the values are XML-escaped as usual; `expirationXml` is the Expiration element's text).
   * The server still records and accepts only the real `issued` values.
   */
  tamper?: (issued: IssuedCredentials) => CredentialsTamper;
  /**
   * Opt-in, for tests of renewal: the credentials of every AssumeRole answer last this many seconds, whatever
   * DurationSeconds asked for (which is still validated), so a role session ends within seconds. Mutable on the server.
   */
  roleDurationSeconds?: number;
  /** The same for GetSessionToken answers (the MFA session behind roles). */
  sessionTokenDurationSeconds?: number;
  /** IAM's eventual consistency: how long a key made by CreateAccessKey is refused (see `keyPropagation`). */
  keyPropagation?: KeyPropagation;
}

/**
 * A new access key answers InvalidClientTokenId, as IAM's does for a while after CreateAccessKey, until `ms` have
 * passed since it was made and `calls` requests signed with it have been refused (either may be 0).
 */
export interface KeyPropagation {
  ms?: number;
  calls?: number;
}

/** An IAM user's access key as the server keeps it (the user's configured key is the first). */
export interface AccessKeyState {
  userName: string;
  accessKeyId: string;
  secretAccessKey: string;
  status: 'Active' | 'Inactive';
  /** Server-clock ms. */
  createdAtMs: number;
}

/** A sign-in token the federation endpoint gave out, for tests to trace back to the credentials it came from. */
export interface SigninTokenGrant {
  signinToken: string;
  /** The temporary credentials the token was made from. */
  accessKeyId: string;
  roleArn?: string;
  sessionDuration?: number;
  issuedAtMs: number;
}

/** A `login` request the federation endpoint answered with a redirect. */
export interface ConsoleLogin {
  signinToken: string;
  accessKeyId: string;
  destination: string;
  issuer?: string;
}

export type CredentialsTamper = Partial<{
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expirationXml: string;
}>;

/** Failures the CLI must survive; see `failNext`. */
export type StsFault =
  | { kind: 'http'; status: 500 | 503 }
  | { kind: 'throttle' }
  | { kind: 'reset' }
  | { kind: 'hang' }
  | { kind: 'malformed' }
  | { kind: 'truncated' }
  | { kind: 'delay'; ms: number }
  /**
   * The real answer (success or error) padded to `bytes` bytes by a `<Padding>` element before its closing tag (one
   * text node, the costliest thing for a client's XML parser; clients ignore unknown elements), streamed in 64 KiB
   * blocks as the client reads: never held whole, and no more is written once the client has gone. Announced with
   * Content-Length unless `contentLength` is false (then chunked). An answer longer than `bytes` is sent as is.
   */
  | { kind: 'huge'; bytes: number; contentLength?: boolean }
  /** The headers of a 200 answer with no Content-Length, then one byte of it every `intervalMs`, for ever. */
  | { kind: 'drip'; intervalMs: number }
  /** An error answer with any status, code and message (a hostile or broken server). */
  | { kind: 'error'; status: number; code: string; message: string }
  /** The request is carried out, and then the connection is reset instead of answering: the client cannot know. */
  | { kind: 'dropAnswer' };

/** One request as the server saw it. Holds no secret and no session token. */
export interface StsCall {
  action: string;
  /** From the Authorization header's Credential, '' when absent (recorded even when unknown). */
  accessKeyId: string;
  /** Signing region from the same credential scope, '' when absent. */
  region: string;
  /** Request parameters (TokenCode included; signature/token query parameters redacted). */
  params: Record<string, string>;
  /** HTTP status sent; 0 when none was (reset, hang). */
  status: number;
  errorCode?: string;
  /** Set when an injected fault shaped the answer. */
  fault?: StsFault['kind'];
  /** Real-clock milliseconds when the request arrived. */
  at: number;
}

/** Temporary credentials the server issued, so tests can compare them with what a client kept. */
export interface IssuedCredentials {
  action: 'GetSessionToken' | 'AssumeRole';
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  /** Exactly as sent in the XML, e.g. `2026-11-22T18:00:00Z`. */
  expiration: string;
  /** Same instant in ms (server clock). */
  expiresAtMs: number;
  /** Server-clock ms when issued. */
  issuedAtMs: number;
  /** Effective duration (after the root cap). */
  durationSeconds: number;
  /** The IAM user ultimately behind the session (through any role chain). */
  userName: string;
  /** Account of the identity: the user's for GetSessionToken, the role's for AssumeRole. */
  accountId: string;
  /** What GetCallerIdentity reports for these credentials. */
  arn: string;
  userId: string;
  /** The session carries MFA context (aws:MultiFactorAuthPresent). */
  mfa: boolean;
  mfaSerial?: string;
  roleArn?: string;
  roleSessionName?: string;
  /** Access key id that requested these credentials. */
  sourceAccessKeyId: string;
}

// ---------------------------------------------------------------------------------------------
// Errors and XML

type ErrorType = 'Sender' | 'Receiver';

class StsError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly type: ErrorType = status >= 500 ? 'Receiver' : 'Sender',
  ) {
    super(message);
  }
}

const MSG = {
  invalidToken: 'The security token included in the request is invalid.',
  expiredToken: 'The security token included in the request is expired',
  badSignature:
    'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
  badMfaCode: 'MultiFactorAuthentication failed with invalid MFA one time pass code. ',
  unknownMfaDevice:
    'MultiFactorAuthentication failed, unable to validate MFA code.  Please verify your MFA serial number is valid and associated with this user.',
  gstWithSession: 'Cannot call GetSessionToken with session credentials',
  chainedLimit: 'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.',
  overRoleMax: 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.',
  rootAssumeRole: 'Roles may not be assumed by root accounts.',
} as const;

function xmlEscape(value: string): string {
  return value.replace(
    /[&<>"']/g,
    (c) => `&${({ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot', "'": 'apos' } as const)[c as '&']};`,
  );
}

/** A tiny element tree; leaves are escaped on render so no caller can forget to. */
type XmlNode = [tag: string, content: string | XmlNode[]];

function renderXml([tag, content]: XmlNode, depth = 0, attrs = ''): string {
  const pad = '  '.repeat(depth);
  if (typeof content === 'string') return `${pad}<${tag}${attrs}>${xmlEscape(content)}</${tag}>\n`;
  return `${pad}<${tag}${attrs}>\n${content.map((c) => renderXml(c, depth + 1)).join('')}${pad}</${tag}>\n`;
}

function successXml(action: string, result: XmlNode[], requestId: string, namespace = STS_NAMESPACE): string {
  const root: XmlNode = [
    `${action}Response`,
    [
      [`${action}Result`, result],
      ['ResponseMetadata', [['RequestId', requestId]]],
    ],
  ];
  return renderXml(root, 0, ` xmlns="${namespace}"`);
}

function errorXml(err: StsError, requestId: string): string {
  const root: XmlNode = [
    'ErrorResponse',
    [
      [
        'Error',
        [
          ['Type', err.type],
          ['Code', err.code],
          ['Message', err.message],
        ],
      ],
      ['RequestId', requestId],
    ],
  ];
  return renderXml(root, 0, ` xmlns="${STS_NAMESPACE}"`);
}

function credentialsXml(c: IssuedCredentials, t: CredentialsTamper = {}): XmlNode {
  return [
    'Credentials',
    [
      ['AccessKeyId', t.accessKeyId ?? c.accessKeyId],
      ['SecretAccessKey', t.secretAccessKey ?? c.secretAccessKey],
      ['SessionToken', t.sessionToken ?? c.sessionToken],
      ['Expiration', t.expirationXml ?? c.expiration],
    ],
  ];
}

// ---------------------------------------------------------------------------------------------
// Parameter validation in the style of AWS's model validation ("N validation errors detected")

class Validator {
  private readonly problems: string[] = [];

  private add(field: string, value: string | undefined, constraint: string): void {
    const shown = value === undefined ? 'null' : `'${value}'`;
    this.problems.push(`Value ${shown} at '${field}' failed to satisfy constraint: ${constraint}`);
  }

  required(field: string, value: string | undefined): void {
    if (value === undefined) this.add(field, value, 'Member must not be null');
  }

  string(
    field: string,
    value: string | undefined,
    min: number,
    max: number,
    pattern?: { re: RegExp; text: string },
  ): void {
    if (value === undefined) return;
    if (value.length < min) this.add(field, value, `Member must have length greater than or equal to ${min}`);
    if (value.length > max) this.add(field, value, `Member must have length less than or equal to ${max}`);
    if (pattern && !pattern.re.test(value))
      this.add(field, value, `Member must satisfy regular expression pattern: ${pattern.text}`);
  }

  /** Returns the number, or undefined when absent or invalid (the problem is recorded). */
  int(field: string, value: string | undefined, min: number, max: number): number | undefined {
    if (value === undefined) return undefined;
    if (!/^-?\d+$/.test(value)) {
      this.add(field, value, 'Member must be an integer');
      return undefined;
    }
    const n = Number(value);
    if (n < min) this.add(field, value, `Member must have value greater than or equal to ${min}`);
    if (n > max) this.add(field, value, `Member must have value less than or equal to ${max}`);
    return n;
  }

  throwIfAny(): void {
    const n = this.problems.length;
    if (n === 0) return;
    throw new StsError(
      400,
      'ValidationError',
      `${n} validation error${n === 1 ? '' : 's'} detected: ${this.problems.join('; ')}`,
    );
  }
}

// Patterns from the STS API model.
const SERIAL_PATTERN = { re: /^[\w+=/:,.@-]*$/, text: '[\\w+=/:,.@-]*' };
const TOKEN_CODE_PATTERN = { re: /^\d*$/, text: '[\\d]*' };
const SESSION_NAME_PATTERN = { re: /^[\w+=,.@-]*$/, text: '[\\w+=,.@-]*' };
const EXTERNAL_ID_PATTERN = { re: /^[\w+=,.@:/-]*$/, text: '[\\w+=,.@:\\/-]*' };
const ARN_PATTERN = {
  re: /^[\t\n\r\u0020-\u007E\u0085\u00A0-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]*$/u,
  text: '[\\u0009\\u000A\\u000D\\u0020-\\u007E\\u0085\\u00A0-\\uD7FF\\uE000-\\uFFFD\\u10000-\\u10FFFF]+',
};

function validateMfaParams(v: Validator, p: Record<string, string>): void {
  v.string('serialNumber', p.SerialNumber, 9, 256, SERIAL_PATTERN);
  v.string('tokenCode', p.TokenCode, 6, 6, TOKEN_CODE_PATTERN);
}

function requireMfaPair(p: Record<string, string>): void {
  // Not taken from a captured AWS response: STS rejects a code without a device (and vice
  // versa) as invalid input; the wording here is ours.
  if ((p.SerialNumber === undefined) !== (p.TokenCode === undefined)) {
    throw new StsError(400, 'ValidationError', 'SerialNumber and TokenCode must be specified together.');
  }
}

// ---------------------------------------------------------------------------------------------
// SigV4 plumbing

type SourceData = string | ArrayBuffer | ArrayBufferView;

function toBuffer(data: SourceData): Buffer {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(data);
}

/**
 * SHA-256 / HMAC-SHA-256 over node's crypto, in the Hash shape @smithy/signature-v4 wants.
 * (The SDK uses the Sha256 in @smithy/core/checksum, which is not a direct dependency of this
 * project; the signing logic itself stays in @smithy/signature-v4.) Exported so tests can
 * sign hand-made requests: `new SignatureV4({ ..., sha256: NodeSha256 })`.
 */
export class NodeSha256 {
  private readonly hash: crypto.Hash | crypto.Hmac;
  constructor(secret?: SourceData) {
    this.hash = secret === undefined ? crypto.createHash('sha256') : crypto.createHmac('sha256', toBuffer(secret));
  }
  update(data: SourceData, encoding?: 'utf8' | 'ascii' | 'latin1'): void {
    if (typeof data === 'string') this.hash.update(data, encoding ?? 'utf8');
    else this.hash.update(toBuffer(data));
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.hash.digest()));
  }
}
const sha256Ctor: ConstructorParameters<typeof SignatureV4>[0]['sha256'] = NodeSha256;
type SignableRequest = Parameters<SignatureV4['sign']>[0];

interface ParsedAuth {
  header: string;
  accessKeyId: string;
  shortDate: string;
  region: string;
  service: string;
  terminator: string;
  signedHeaders: string[];
  signature: string;
}

function parseAuthorization(header: string): ParsedAuth {
  const space = header.indexOf(' ');
  const algorithm = space < 0 ? header : header.slice(0, space);
  if (algorithm !== 'AWS4-HMAC-SHA256') {
    throw new StsError(403, 'IncompleteSignature', `Unsupported AWS 'algorithm': '${algorithm}'`);
  }
  const fields = new Map<string, string>();
  for (const part of header.slice(space + 1).split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const missing = ['Credential', 'Signature', 'SignedHeaders']
    .filter((k) => !fields.get(k))
    .map((k) => `Authorization header requires '${k}' parameter.`);
  if (missing.length > 0) {
    throw new StsError(403, 'IncompleteSignature', `${missing.join(' ')} Authorization=${header}`);
  }
  const credential = fields.get('Credential') as string;
  const scope = credential.split('/');
  if (scope.length !== 5) {
    throw new StsError(
      403,
      'IncompleteSignature',
      `Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '${credential}'`,
    );
  }
  const [accessKeyId, shortDate, region, service, terminator] = scope as [string, string, string, string, string];
  return {
    header,
    accessKeyId,
    shortDate,
    region,
    service,
    terminator,
    signedHeaders: (fields.get('SignedHeaders') as string).split(';'),
    signature: fields.get('Signature') as string,
  };
}

/** `20261122T180000Z` <-> Date. */
function formatAmzDate(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:]/g, '');
}
function parseAmzDate(s: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(s);
  if (!m) return undefined;
  const ms = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
  return Number.isNaN(ms) ? undefined : ms;
}

function timingSafeEqualStr(a: string, b: string): boolean {
  const ba = Buffer.from(a);
  const bb = Buffer.from(b);
  return ba.length === bb.length && crypto.timingSafeEqual(ba, bb);
}

function headerValue(req: http.IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

// ---------------------------------------------------------------------------------------------
// Identities and credentials

interface UserRecord {
  config: StsUserConfig;
  arn: string;
  userId: string;
}

interface AccessKeyRecord {
  user: UserRecord;
  secret: string;
  status: 'Active' | 'Inactive';
  createdAtMs: number;
  /** Server-clock ms before which the key is refused (IAM propagation). */
  usableAtMs: number;
  /** Requests signed with the key still to be refused (IAM propagation). */
  refusalsLeft: number;
}

interface RoleRecord {
  config: StsRoleConfig;
  partition: string;
  accountId: string;
  roleName: string;
  roleId: string;
  maxSessionDuration: number;
}

/** `keyId`: which of the user's access keys signed the request (the configured one when absent). */
type Caller =
  | { kind: 'user'; user: UserRecord; keyId?: string }
  | { kind: 'temporary'; user: UserRecord; creds: IssuedCredentials };

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

function randomAlnum(n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += ALNUM[crypto.randomInt(ALNUM.length)];
  return s;
}

/** Stable IAM-style unique id (AIDA…, AROA…): 4-letter prefix + 17 chars derived from a name. */
function stableId(prefix: string, seed: string): string {
  const digest = crypto.createHash('sha256').update(seed).digest();
  let s = prefix;
  for (let i = 0; s.length < 21; i++) s += ALNUM[digest[i]! % ALNUM.length];
  return s;
}

/** Base64 like real session tokens: long, with '/', '+' and '=' (clients must quote/escape them). */
function newSessionToken(): string {
  for (;;) {
    // 400 bytes -> 536 base64 chars ending in '=='.
    const token = `IQoJb3JpZ2luX2VjE${crypto.randomBytes(400).toString('base64')}`;
    if (token.includes('/') && token.includes('+')) return token;
  }
}

function iso8601NoMillis(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

const ROLE_ARN_RE = /^arn:(aws[a-z-]*):iam::(\d{12}):role\/(?:[\w+=,.@/-]*\/)?([\w+=,.@-]+)$/;

// ---------------------------------------------------------------------------------------------
// The server

interface PendingFault {
  fault: StsFault;
  remaining: number;
  action?: string;
}

/** IAM's limit of access keys per user. */
const MAX_ACCESS_KEYS = 2;
/** IAM actions on access keys that the MFA-enforcing policy denies without MFA (FACTS.md: create and delete; update likewise). */
const MFA_FOR_KEYS = new Set(['CreateAccessKey', 'DeleteAccessKey', 'UpdateAccessKey']);
const MAX_BODY_BYTES = 1 << 20;
const PAD_BLOCK_BYTES = 64 * 1024;

type HugeFault = Extract<StsFault, { kind: 'huge' }>;
const SIGNATURE_WINDOW_MS = 5 * 60 * 1000;

export class StsServer {
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  readonly port: number;
  /** Mutable: tests may move the server's clock between requests. */
  clockSkewSeconds: number;
  rejectReusedCodes: boolean;
  /** See StsServerOptions: lifetimes that override the requested durations, when set. */
  roleDurationSeconds?: number;
  sessionTokenDurationSeconds?: number;
  /** Every request, including rejected and faulted ones, oldest first. */
  readonly calls: StsCall[] = [];
  /** Every set of temporary credentials issued, oldest first. */
  readonly issued: IssuedCredentials[] = [];
  /** Mutable: how long new access keys take to work (none by default). */
  keyPropagation: KeyPropagation;
  /** Every sign-in token the federation endpoint gave out, oldest first. */
  readonly signinTokens: SigninTokenGrant[] = [];
  /** Every console login the federation endpoint redirected, oldest first. */
  readonly consoleLogins: ConsoleLogin[] = [];

  private readonly usersByKey = new Map<string, UserRecord>();
  private readonly roles = new Map<string, RoleRecord>();
  private readonly issuedByKey = new Map<string, IssuedCredentials>();
  /** The IAM user behind each issued key (through any role chain), for MFA devices and trust. */
  private readonly userBehind = new Map<string, UserRecord>();
  private readonly usedSteps = new Map<string, Set<number>>();
  /** Every access key of every user, by id; a deleted key is gone from here and from usersByKey. */
  private readonly accessKeys = new Map<string, AccessKeyRecord>();
  private readonly usersByName = new Map<string, UserRecord>();
  private readonly faults: PendingFault[] = [];
  private readonly sockets = new Set<Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly onCall?: (call: StsCall) => void;
  private readonly tamper?: (issued: IssuedCredentials) => CredentialsTamper;
  private stopping?: Promise<void>;

  private constructor(
    private readonly server: http.Server,
    opts: StsServerOptions,
  ) {
    const address = server.address() as AddressInfo;
    this.port = address.port;
    this.url = `http://127.0.0.1:${address.port}`;
    this.clockSkewSeconds = opts.clockSkewSeconds ?? 0;
    this.rejectReusedCodes = opts.rejectReusedCodes ?? false;
    this.onCall = opts.onCall;
    this.tamper = opts.tamper;
    this.roleDurationSeconds = opts.roleDurationSeconds;
    this.sessionTokenDurationSeconds = opts.sessionTokenDurationSeconds;
    this.keyPropagation = opts.keyPropagation ?? {};
    for (const u of opts.users) this.addUser(u);
    for (const r of opts.roles ?? []) this.addRole(r);
    server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
      this.handle(req, res).catch(() => {
        // handle() answers every error itself; this only guards against a crash mid-write.
        res.destroy();
      });
    });
  }

  static async start(opts: StsServerOptions): Promise<StsServer> {
    // Validate before listening so a bad config never leaves a port open.
    StsServer.checkOptions(opts);
    const server = http.createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    const sts = new StsServer(server, opts);
    server.on('connection', (socket: Socket) => {
      sts.sockets.add(socket);
      socket.on('close', () => sts.sockets.delete(socket));
    });
    // A malformed request line must not crash the process; answer like a front end would.
    server.on('clientError', (_err: Error, socket: Socket) => {
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
      else socket.destroy();
    });
    return sts;
  }

  private static checkOptions(opts: StsServerOptions): void {
    for (const [name, value] of Object.entries({
      roleDurationSeconds: opts.roleDurationSeconds,
      sessionTokenDurationSeconds: opts.sessionTokenDurationSeconds,
    })) {
      if (value !== undefined && (!Number.isInteger(value) || value < 1))
        throw new Error(`StsServer: ${name} must be a whole number of seconds, at least 1`);
    }
    const keys = new Set<string>();
    for (const u of opts.users ?? []) {
      if (!u.userName || !/^\d{12}$/.test(u.accountId) || !u.accessKeyId || !u.secretAccessKey) {
        throw new Error(
          `StsServer: user needs userName, a 12-digit accountId, accessKeyId and secretAccessKey: ${u.userName}`,
        );
      }
      if (keys.has(u.accessKeyId)) throw new Error(`StsServer: duplicate access key id ${u.accessKeyId}`);
      keys.add(u.accessKeyId);
    }
    for (const r of opts.roles ?? []) {
      if (!ROLE_ARN_RE.test(r.arn)) throw new Error(`StsServer: not a role ARN: ${r.arn}`);
      const max = r.maxSessionDuration ?? 3600;
      if (max < 3600 || max > 43200) throw new Error(`StsServer: maxSessionDuration must be 3600..43200: ${r.arn}`);
    }
  }

  private addUser(u: StsUserConfig): void {
    const partition = u.partition ?? 'aws';
    const record: UserRecord = {
      config: u,
      arn: u.isRoot
        ? `arn:${partition}:iam::${u.accountId}:root`
        : `arn:${partition}:iam::${u.accountId}:user/${u.userName}`,
      // The root user's UserId is the account id, an IAM user's an AIDA… id.
      userId: u.isRoot ? u.accountId : stableId('AIDA', `${u.accountId}/${u.userName}`),
    };
    this.usersByKey.set(u.accessKeyId, record);
    this.usersByName.set(u.userName, record);
    const createdAtMs = Math.floor(this.nowMs() / 1000) * 1000;
    this.accessKeys.set(u.accessKeyId, {
      user: record,
      secret: u.secretAccessKey,
      status: 'Active',
      createdAtMs,
      usableAtMs: 0,
      refusalsLeft: 0,
    });
  }

  private addRole(r: StsRoleConfig): void {
    const m = ROLE_ARN_RE.exec(r.arn) as RegExpExecArray;
    this.roles.set(r.arn, {
      config: r,
      partition: m[1]!,
      accountId: m[2]!,
      roleName: m[3]!,
      roleId: stableId('AROA', r.arn),
      maxSessionDuration: r.maxSessionDuration ?? 3600,
    });
  }

  // ---- public helpers -----------------------------------------------------------------------

  /** The server's clock in ms (real clock + skew). */
  nowMs(): number {
    return Date.now() + this.clockSkewSeconds * 1000;
  }

  resetCalls(): void {
    this.calls.length = 0;
  }

  callsOf(action: string): StsCall[] {
    return this.calls.filter((c) => c.action === action);
  }

  issuedFor(accessKeyId: string): IssuedCredentials | undefined {
    return this.issuedByKey.get(accessKeyId);
  }

  lastIssued(): IssuedCredentials | undefined {
    return this.issued[this.issued.length - 1];
  }

  /** The user's access keys as IAM holds them now, oldest first. */
  accessKeysOf(userName: string): AccessKeyState[] {
    return [...this.accessKeys]
      .filter(([, k]) => k.user.config.userName === userName)
      .sort(([, a], [, b]) => a.createdAtMs - b.createdAtMs)
      .map(([accessKeyId, k]) => ({
        userName,
        accessKeyId,
        secretAccessKey: k.secret,
        status: k.status,
        createdAtMs: k.createdAtMs,
      }));
  }

  /** Whether a request signed with this key and secret would be accepted (propagation delays aside). */
  keyWorks(accessKeyId: string, secretAccessKey: string): boolean {
    const key = this.accessKeys.get(accessKeyId);
    return key !== undefined && key.status === 'Active' && timingSafeEqualStr(key.secret, secretAccessKey);
  }

  /** Gives a user another key, as if made in the console; returns it. */
  addAccessKey(
    userName: string,
    accessKeyId = `AKIA${randomAlnum(16)}`,
    secretAccessKey = crypto.randomBytes(30).toString('base64'),
  ): AccessKeyState {
    const user = this.usersByName.get(userName);
    if (!user) throw new Error(`StsServer: no user ${userName}`);
    if (this.accessKeys.has(accessKeyId)) throw new Error(`StsServer: duplicate access key id ${accessKeyId}`);
    const createdAtMs = Math.floor(this.nowMs() / 1000) * 1000;
    this.accessKeys.set(accessKeyId, {
      user,
      secret: secretAccessKey,
      status: 'Active',
      createdAtMs,
      usableAtMs: 0,
      refusalsLeft: 0,
    });
    this.usersByKey.set(accessKeyId, user);
    return { userName, accessKeyId, secretAccessKey, status: 'Active', createdAtMs };
  }

  /** Makes a key Active or Inactive, as if in the console. */
  setAccessKeyStatus(accessKeyId: string, status: 'Active' | 'Inactive'): void {
    const key = this.accessKeys.get(accessKeyId);
    if (!key) throw new Error(`StsServer: no access key ${accessKeyId}`);
    key.status = status;
  }

  /** Deletes a key, as if in the console. */
  removeAccessKey(accessKeyId: string): void {
    this.accessKeys.delete(accessKeyId);
    this.usersByKey.delete(accessKeyId);
  }

  /** Make the next `count` requests (optionally only those for `action`) fail with `fault`. */
  failNext(fault: StsFault, count = 1, action?: string): void {
    if (count > 0) this.faults.push({ fault, remaining: count, action });
  }

  clearFaults(): void {
    this.faults.length = 0;
  }

  /** Close the listener and every socket, hanging ones included, so test runners exit. */
  stop(): Promise<void> {
    this.stopping ??= new Promise<void>((resolve) => {
      for (const t of this.timers) clearTimeout(t);
      this.timers.clear();
      this.faults.length = 0;
      this.server.close(() => resolve());
      for (const s of this.sockets) s.destroy();
    });
    return this.stopping;
  }

  // ---- request handling ---------------------------------------------------------------------

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const at = Date.now();
    const requestId = crypto.randomUUID();
    const body = await readBody(req);
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const params = collectParams(url, body, headerValue(req, 'content-type'));
    const action = params.Action ?? '';
    // Best effort, before any validation: even rejected requests say who and where.
    const scope = /Credential=([^/,\s]*)(?:\/[^/,\s]*\/([^/,\s]*))?/.exec(headerValue(req, 'authorization') ?? '');
    const call: StsCall = {
      action,
      accessKeyId: scope?.[1] ?? '',
      region: scope?.[2] ?? '',
      params: redactParams(params),
      status: 0,
      at,
    };

    const fault = this.takeFault(action);
    if (fault && fault.kind !== 'delay' && fault.kind !== 'huge' && fault.kind !== 'dropAnswer') {
      call.fault = fault.kind;
      this.applyFault(fault, action, requestId, req, res, call);
      return;
    }
    // The others shape the real answer: it comes late, padded, or not at all.
    if (fault) call.fault = fault.kind;
    const huge = fault?.kind === 'huge' ? fault : undefined;
    if (fault?.kind === 'delay') {
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => {
          this.timers.delete(t);
          resolve();
        }, fault.ms);
        this.timers.add(t);
      });
      if (res.destroyed) return; // stop() ran while we waited
    }
    if (fault?.kind === 'dropAnswer') {
      // Done as asked, then the answer is lost: the caller cannot tell whether anything happened.
      try {
        if (body !== undefined) await this.dispatch(req, url, body, params, requestId);
      } catch {
        // an error answer is lost the same way
      }
      this.record(call);
      req.socket.resetAndDestroy();
      return;
    }
    if (url.pathname === '/federation') {
      this.federation(req, url, params, call, res, huge);
      return;
    }

    let xml: string;
    try {
      if (body === undefined) throw new StsError(413, 'RequestEntityTooLarge', 'Request body too large');
      xml = await this.dispatch(req, url, body, params, requestId);
    } catch (e) {
      const err =
        e instanceof StsError
          ? e
          : new StsError(
              500,
              'InternalFailure',
              'The request processing has failed because of an unknown error, exception or failure.',
            );
      this.sendError(res, call, requestId, err, huge);
      return;
    }
    call.status = 200;
    this.record(call);
    this.send(res, 200, xml, requestId, huge);
  }

  private send(res: http.ServerResponse, status: number, xml: string, requestId: string, huge?: HugeFault): void {
    if (res.destroyed) return;
    if (huge) {
      this.sendPadded(res, status, xml, requestId, huge);
      return;
    }
    this.writeHead(res, status, Buffer.byteLength(xml), requestId);
    res.end(xml);
  }

  private sendError(res: http.ServerResponse, call: StsCall, requestId: string, err: StsError, huge?: HugeFault): void {
    call.status = err.status;
    call.errorCode = err.code;
    this.record(call);
    this.send(res, err.status, errorXml(err, requestId), requestId, huge);
  }

  /** `xml` with `<Padding>xxx...</Padding>` before its closing tag, `bytes` long in all, written as fast as the client reads. */
  private sendPadded(
    res: http.ServerResponse,
    status: number,
    xml: string,
    requestId: string,
    { bytes, contentLength = true }: HugeFault,
  ): void {
    const close = xml.lastIndexOf('</');
    const head = Buffer.from(`${xml.slice(0, close)}<Padding>`);
    const tail = Buffer.from(`</Padding>\n${xml.slice(close)}`);
    let filler = Math.max(0, bytes - head.length - tail.length);
    this.writeHead(res, status, contentLength ? head.length + filler + tail.length : undefined, requestId);
    let gone = false;
    res.once('close', () => (gone = true));
    const block = Buffer.alloc(Math.min(filler, PAD_BLOCK_BYTES), 'x');
    const pump = (): void => {
      while (filler > 0) {
        if (gone) return;
        const n = Math.min(filler, block.length);
        filler -= n;
        if (!res.write(n === block.length ? block : block.subarray(0, n))) {
          res.once('drain', pump);
          return;
        }
      }
      if (!gone) res.end(tail);
    };
    res.write(head);
    pump();
  }

  /** `contentLength` undefined: none, so node sends the body chunked. */
  private writeHead(
    res: http.ServerResponse,
    status: number,
    contentLength: number | undefined,
    requestId: string,
  ): void {
    // Node would stamp its own (real-clock) Date header; STS's Date is the server clock.
    res.sendDate = false;
    res.writeHead(status, {
      'x-amzn-RequestId': requestId,
      'Content-Type': 'text/xml',
      ...(contentLength === undefined ? {} : { 'Content-Length': contentLength }),
      Date: new Date(this.nowMs()).toUTCString(),
    });
  }

  private record(call: StsCall): void {
    this.calls.push(call);
    this.onCall?.(call);
  }

  private takeFault(action: string): StsFault | undefined {
    const i = this.faults.findIndex((f) => f.action === undefined || f.action === action);
    if (i < 0) return undefined;
    const pending = this.faults[i]!;
    if (--pending.remaining <= 0) this.faults.splice(i, 1);
    return pending.fault;
  }

  private applyFault(
    fault: Exclude<StsFault, { kind: 'delay' | 'huge' }>,
    action: string,
    requestId: string,
    req: http.IncomingMessage,
    res: http.ServerResponse,
    call: StsCall,
  ): void {
    const socket = req.socket;
    // The action names XML elements below; never let a request choose arbitrary markup.
    const tag = /^[A-Za-z]{1,64}$/.test(action) ? action : 'Unknown';
    switch (fault.kind) {
      case 'error':
        this.sendError(res, call, requestId, new StsError(fault.status, fault.code, fault.message));
        return;
      case 'http':
        this.sendError(
          res,
          call,
          requestId,
          fault.status === 503
            ? new StsError(
                503,
                'ServiceUnavailable',
                'The request has failed due to a temporary failure of the server.',
              )
            : new StsError(
                500,
                'InternalFailure',
                'The request processing has failed because of an unknown error, exception or failure.',
              ),
        );
        return;
      case 'throttle':
        this.sendError(res, call, requestId, new StsError(400, 'Throttling', 'Rate exceeded'));
        return;
      case 'reset':
        this.record(call);
        // A status line and half a header block, then a TCP RST (node's client reports
        // "socket hang up" / ECONNRESET).
        socket.write(`HTTP/1.1 200 OK\r\nx-amzn-RequestId: ${requestId}\r\nContent-Type: text/x`, () => {
          socket.resetAndDestroy();
        });
        return;
      case 'hang':
        // Keep the socket open and never answer; stop() destroys it.
        this.record(call);
        return;
      case 'drip': {
        call.status = 200;
        this.record(call);
        // The start of an answer, then whitespace (still well-formed so far), one byte at a time until the client
        // goes away or stop() runs.
        const text = `<${tag}Response xmlns="${STS_NAMESPACE}">`;
        this.writeHead(res, 200, undefined, requestId);
        res.flushHeaders();
        let sent = 0;
        const timer = setInterval(() => res.write(text[sent++] ?? ' '), fault.intervalMs);
        this.timers.add(timer);
        res.once('close', () => {
          clearInterval(timer);
          this.timers.delete(timer);
        });
        return;
      }
      case 'malformed': {
        call.status = 200;
        this.record(call);
        // Mismatched and unclosed tags: any XML parser must reject it.
        const xml =
          `<${tag}Response xmlns="${STS_NAMESPACE}">\n  <${tag}Result>\n` +
          `    <Credentials><AccessKeyId>ASIA</SecretAccessKey></Credentials>\n  <<<\n`;
        this.send(res, 200, xml, requestId);
        return;
      }
      case 'truncated': {
        call.status = 200;
        this.record(call);
        // A well-formed success body announced in full but cut in half, then the connection closes.
        const fake = successXml(tag, [['Credentials', [['AccessKeyId', `ASIA${randomAlnum(16)}`]]]], requestId);
        this.writeHead(res, 200, Buffer.byteLength(fake), requestId);
        res.write(fake.slice(0, Math.floor(fake.length / 2)), () => socket.destroy());
        return;
      }
    }
  }

  private async dispatch(
    req: http.IncomingMessage,
    url: URL,
    body: Buffer,
    params: Record<string, string>,
    requestId: string,
  ): Promise<string> {
    if (req.method !== 'POST' && req.method !== 'GET') {
      throw new StsError(
        405,
        'MethodNotAllowed',
        `The HTTP method ${req.method ?? ''} is not allowed; use POST or GET.`,
      );
    }
    const action = params.Action;
    if (!action) throw new StsError(400, 'MissingAction', 'Missing Action');
    if (params.Version === undefined)
      throw new StsError(400, 'MissingParameter', 'The request must contain the parameter Version');
    if (params.Version === IAM_VERSION && action === 'ListMFADevices') {
      const caller = await this.authenticate(req, url, body, 'iam');
      return successXml(action, this.listMfaDevices(caller, params), requestId, IAM_NAMESPACE);
    }
    if (params.Version === IAM_VERSION && Object.hasOwn(this.iamKeyHandlers, action)) {
      const caller = await this.authenticate(req, url, body, 'iam');
      return successXml(action, this.iamKeyHandlers[action](caller, params), requestId, IAM_NAMESPACE);
    }
    const handler = Object.hasOwn(this.handlers, action) ? this.handlers[action] : undefined;
    if (params.Version !== STS_VERSION || !handler) {
      throw new StsError(400, 'InvalidAction', `Could not find operation ${action} for version ${params.Version}`);
    }
    const caller = await this.authenticate(req, url, body);
    return successXml(action, handler(caller, params), requestId);
  }

  /** IAM ListMFADevices for the calling user (the MFA-enforcing policy allows it without MFA). */
  private listMfaDevices(caller: Caller, p: Record<string, string>): XmlNode[] {
    const user = caller.user;
    if (p.UserName !== undefined && p.UserName !== user.config.userName) {
      throw new StsError(
        403,
        'AccessDenied',
        `User: ${this.identityOf(caller).arn} is not authorized to perform: iam:ListMFADevices on resource: user ${p.UserName}`,
      );
    }
    const enabled = new Date(Date.UTC(2026, 0, 2, 3, 4, 5)).toISOString().replace(/\.\d{3}Z$/, 'Z');
    return [
      [
        'MFADevices',
        (user.config.mfaDevices ?? []).map(
          (d): XmlNode => [
            'member',
            [
              ['UserName', user.config.userName],
              ['SerialNumber', d.serial],
              ['EnableDate', enabled],
            ],
          ],
        ),
      ],
      ['IsTruncated', 'false'],
    ];
  }

  // ---- IAM access keys ----------------------------------------------------------------------

  /**
   * The key's record when a request signed with it may go on. A key IAM does not know, an inactive one, and one
   * still propagating all answer as AWS does for an unknown key.
   */
  private usableKey(accessKeyId: string): AccessKeyRecord {
    const key = this.accessKeys.get(accessKeyId);
    if (key?.status !== 'Active') throw new StsError(403, 'InvalidClientTokenId', MSG.invalidToken);
    const propagating = this.nowMs() < key.usableAtMs || key.refusalsLeft > 0;
    if (key.refusalsLeft > 0) key.refusalsLeft--;
    if (propagating) throw new StsError(403, 'InvalidClientTokenId', MSG.invalidToken);
    return key;
  }

  /**
   * The IAM user an access-key call is about, as IAM decides it: credentials from GetSessionToken without MFA cannot
   * call IAM at all; temporary credentials must name the user (UserName) and role credentials are not the user; a
   * user may manage only their own keys; under the MFA policy, changing keys needs a session with MFA.
   */
  private keyOwner(caller: Caller, p: Record<string, string>, action: string): UserRecord {
    if (caller.kind === 'temporary' && caller.creds.action === 'GetSessionToken' && !caller.creds.mfa) {
      throw new StsError(403, 'InvalidClientTokenId', MSG.invalidToken);
    }
    if (caller.kind === 'temporary' && p.UserName === undefined) {
      throw new StsError(400, 'ValidationError', 'Must specify userName when calling with non-User credentials');
    }
    const callerArn = this.identityOf(caller).arn;
    const user = caller.user;
    const userName = p.UserName ?? user.config.userName;
    const denied = (why = '') =>
      new StsError(
        403,
        'AccessDenied',
        `User: ${callerArn} is not authorized to perform: iam:${action} on resource: user ${userName}${why}`,
      );
    if ((caller.kind === 'temporary' && caller.creds.action !== 'GetSessionToken') || userName !== user.config.userName)
      throw denied();
    const mfa = caller.kind === 'temporary' && caller.creds.mfa;
    if (user.config.forceMfa && !mfa && MFA_FOR_KEYS.has(action))
      throw denied(' with an explicit deny in an identity-based policy');
    return user;
  }

  private keysOf(user: UserRecord): Array<[string, AccessKeyRecord]> {
    return [...this.accessKeys]
      .filter(([, k]) => k.user === user)
      .sort(([, a], [, b]) => a.createdAtMs - b.createdAtMs);
  }

  private ownKey(user: UserRecord, p: Record<string, string>): [string, AccessKeyRecord] {
    const v = new Validator();
    v.required('accessKeyId', p.AccessKeyId);
    v.string('accessKeyId', p.AccessKeyId, 16, 128, { re: /^\w*$/, text: '[\\w]+' });
    v.throwIfAny();
    const key = this.accessKeys.get(p.AccessKeyId!);
    if (!key || key.user !== user)
      throw new StsError(404, 'NoSuchEntity', `The Access Key with id ${p.AccessKeyId} cannot be found.`);
    return [p.AccessKeyId!, key];
  }

  private readonly iamKeyHandlers: Record<string, (caller: Caller, p: Record<string, string>) => XmlNode[]> = {
    ListAccessKeys: (caller, p) => {
      const user = this.keyOwner(caller, p, 'ListAccessKeys');
      return [
        [
          'AccessKeyMetadata',
          this.keysOf(user).map(
            ([id, k]): XmlNode => [
              'member',
              [
                ['UserName', user.config.userName],
                ['AccessKeyId', id],
                ['Status', k.status],
                ['CreateDate', iso8601NoMillis(k.createdAtMs)],
              ],
            ],
          ),
        ],
        ['IsTruncated', 'false'],
      ];
    },
    CreateAccessKey: (caller, p) => {
      const user = this.keyOwner(caller, p, 'CreateAccessKey');
      if (this.keysOf(user).length >= MAX_ACCESS_KEYS)
        throw new StsError(409, 'LimitExceeded', `Cannot exceed quota for AccessKeysPerUser: ${MAX_ACCESS_KEYS}`);
      const accessKeyId = `AKIA${randomAlnum(16)}`;
      const createdAtMs = Math.floor(this.nowMs() / 1000) * 1000;
      const record: AccessKeyRecord = {
        user,
        // 40 characters of base64, as real secret keys are.
        secret: crypto.randomBytes(30).toString('base64'),
        status: 'Active',
        createdAtMs,
        usableAtMs: this.nowMs() + (this.keyPropagation.ms ?? 0),
        refusalsLeft: this.keyPropagation.calls ?? 0,
      };
      this.accessKeys.set(accessKeyId, record);
      this.usersByKey.set(accessKeyId, user);
      return [
        [
          'AccessKey',
          [
            ['UserName', user.config.userName],
            ['AccessKeyId', accessKeyId],
            ['Status', 'Active'],
            ['SecretAccessKey', record.secret],
            ['CreateDate', iso8601NoMillis(createdAtMs)],
          ],
        ],
      ];
    },
    DeleteAccessKey: (caller, p) => {
      const user = this.keyOwner(caller, p, 'DeleteAccessKey');
      const [id] = this.ownKey(user, p);
      this.accessKeys.delete(id);
      this.usersByKey.delete(id);
      return [];
    },
    UpdateAccessKey: (caller, p) => {
      const user = this.keyOwner(caller, p, 'UpdateAccessKey');
      const v = new Validator();
      v.required('status', p.Status);
      if (p.Status !== undefined && p.Status !== 'Active' && p.Status !== 'Inactive') {
        v.string('status', p.Status, 0, 0, { re: /^(Active|Inactive)$/, text: 'Enum [Active, Inactive]' });
      }
      v.throwIfAny();
      const [, key] = this.ownKey(user, p);
      key.status = p.Status as 'Active' | 'Inactive';
      return [];
    },
  };

  // ---- console federation -------------------------------------------------------------------

  /**
   * `GET /federation`: `Action=getSigninToken` turns role credentials into a sign-in token (JSON), `Action=login`
   * turns a token into a redirect to the console destination, as signin.aws.amazon.com does. Only AssumeRole
   * credentials are taken (not GetSessionToken's), and SessionDuration not with credentials from role chaining.
   * AWS answers a refusal with an HTML page; the status is what clients go by.
   */
  private federation(
    req: http.IncomingMessage,
    _url: URL,
    p: Record<string, string>,
    call: StsCall,
    res: http.ServerResponse,
    huge?: HugeFault,
  ): void {
    const fail = (status: number, text: string) => {
      call.status = status;
      call.errorCode = text;
      this.record(call);
      res.writeHead(status, { 'Content-Type': 'text/html' });
      res.end(`<html><body><h1>${xmlEscape(text)}</h1></body></html>\n`);
    };
    if (req.method !== 'GET' && req.method !== 'POST') {
      fail(405, 'Method not allowed');
      return;
    }
    if (p.Action === 'getSigninToken') {
      let session: { sessionId?: unknown; sessionKey?: unknown; sessionToken?: unknown } = {};
      try {
        session = JSON.parse(p.Session ?? '') as typeof session;
      } catch {
        fail(400, 'Invalid Session parameter');
        return;
      }
      const creds = typeof session.sessionId === 'string' ? this.issuedByKey.get(session.sessionId) : undefined;
      if (
        !creds ||
        typeof session.sessionKey !== 'string' ||
        typeof session.sessionToken !== 'string' ||
        !timingSafeEqualStr(session.sessionKey, creds.secretAccessKey) ||
        !timingSafeEqualStr(session.sessionToken, creds.sessionToken) ||
        this.nowMs() >= creds.expiresAtMs
      ) {
        fail(400, 'Invalid credentials parameter');
        return;
      }
      if (creds.action !== 'AssumeRole') {
        fail(400, 'Only federation tokens or assume role tokens may be used for federated login.');
        return;
      }
      let sessionDuration: number | undefined;
      if (p.SessionDuration !== undefined) {
        sessionDuration = /^\d{1,6}$/.test(p.SessionDuration) ? Number(p.SessionDuration) : NaN;
        if (!(sessionDuration >= 900 && sessionDuration <= 43200)) {
          fail(400, 'Invalid SessionDuration parameter');
          return;
        }
        // A role assumed with temporary credentials (from GetSessionToken or another role) is role chaining.
        if (this.issuedByKey.has(creds.sourceAccessKeyId)) {
          fail(400, 'Invalid credentials parameter');
          return;
        }
      }
      const signinToken = crypto.randomBytes(300).toString('base64url');
      this.signinTokens.push({
        signinToken,
        accessKeyId: creds.accessKeyId,
        roleArn: creds.roleArn,
        sessionDuration,
        issuedAtMs: this.nowMs(),
      });
      call.status = 200;
      this.record(call);
      let json = JSON.stringify({ SigninToken: signinToken });
      if (huge) json = `${json.slice(0, -1)},"Padding":"${'x'.repeat(Math.max(0, huge.bytes - json.length - 14))}"}`;
      res.writeHead(200, {
        'Content-Type': 'application/json',
        ...(huge?.contentLength === false ? {} : { 'Content-Length': Buffer.byteLength(json) }),
      });
      res.end(json);
      return;
    }
    if (p.Action === 'login') {
      // A sign-in token is good for 15 minutes.
      const grant = this.signinTokens.find((g) => g.signinToken === p.SigninToken);
      if (!grant || this.nowMs() - grant.issuedAtMs > 15 * 60_000) {
        fail(400, 'Invalid SigninToken');
        return;
      }
      let destination: URL | undefined;
      try {
        destination = new URL(p.Destination ?? '');
      } catch {
        destination = undefined;
      }
      if (destination?.protocol !== 'https:') {
        fail(400, 'Invalid Destination');
        return;
      }
      this.consoleLogins.push({
        signinToken: grant.signinToken,
        accessKeyId: grant.accessKeyId,
        destination: destination.href,
        issuer: p.Issuer,
      });
      call.status = 302;
      this.record(call);
      res.writeHead(302, { Location: destination.href });
      res.end();
      return;
    }
    fail(400, 'Invalid Action');
  }

  private readonly handlers: Record<string, (caller: Caller, p: Record<string, string>) => XmlNode[]> = {
    GetSessionToken: (caller, p) => this.getSessionToken(caller, p),
    AssumeRole: (caller, p) => this.assumeRole(caller, p),
    GetCallerIdentity: (caller) => {
      const id = this.identityOf(caller);
      return [
        ['Arn', id.arn],
        ['UserId', id.userId],
        ['Account', id.accountId],
      ];
    },
  };

  // ---- SigV4 --------------------------------------------------------------------------------

  private async authenticate(req: http.IncomingMessage, url: URL, body: Buffer, service = 'sts'): Promise<Caller> {
    const authorization = headerValue(req, 'authorization');
    if (!authorization) {
      if (url.searchParams.has('X-Amz-Signature') || url.searchParams.has('X-Amz-Credential')) {
        throw new StsError(
          403,
          'IncompleteSignature',
          'Query-string (presigned) authentication is not supported by this test server.',
        );
      }
      throw new StsError(403, 'MissingAuthenticationToken', 'Request is missing Authentication Token');
    }
    const auth = parseAuthorization(authorization);

    const amzDate = headerValue(req, 'x-amz-date');
    if (!amzDate) {
      throw new StsError(
        403,
        'IncompleteSignature',
        `Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=${authorization}`,
      );
    }
    const signedAt = parseAmzDate(amzDate);
    if (signedAt === undefined) {
      throw new StsError(
        403,
        'IncompleteSignature',
        `Date must be in ISO-8601 'basic format'. Got '${amzDate}'. See http://en.wikipedia.org/wiki/ISO_8601`,
      );
    }
    if (auth.service !== service) {
      throw new StsError(
        403,
        'SignatureDoesNotMatch',
        `Credential should be scoped to correct service: '${service}'. `,
      );
    }
    if (auth.terminator !== 'aws4_request') {
      throw new StsError(
        403,
        'SignatureDoesNotMatch',
        `Credential should be scoped with a valid terminator: 'aws4_request', not '${auth.terminator}'. `,
      );
    }
    if (auth.shortDate !== amzDate.slice(0, 8)) {
      throw new StsError(
        403,
        'SignatureDoesNotMatch',
        `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${auth.shortDate}' != '${amzDate.slice(0, 8)}', from '${amzDate}'.`,
      );
    }
    if (!auth.signedHeaders.includes('host')) {
      throw new StsError(
        403,
        'IncompleteSignature',
        "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.",
      );
    }

    // The window is checked against the server clock; the SDK reads our Date header from this
    // error, corrects its offset and retries.
    const now = this.nowMs();
    if (signedAt < now - SIGNATURE_WINDOW_MS) {
      throw new StsError(
        403,
        'SignatureDoesNotMatch',
        `Signature expired: ${amzDate} is now earlier than ${formatAmzDate(now - SIGNATURE_WINDOW_MS)} (${formatAmzDate(now)} - 5 min.)`,
      );
    }
    if (signedAt > now + SIGNATURE_WINDOW_MS) {
      throw new StsError(
        403,
        'SignatureDoesNotMatch',
        `Signature not yet current: ${amzDate} is still later than ${formatAmzDate(now + SIGNATURE_WINDOW_MS)} (${formatAmzDate(now)} + 5 min.)`,
      );
    }

    // Whose key? Long-term user keys, then temporary keys we issued (which need their token).
    const token = headerValue(req, 'x-amz-security-token');
    let caller: Caller;
    let secret: string;
    const user = this.usersByKey.get(auth.accessKeyId);
    if (user) {
      // A session token alongside long-term keys is a token that does not belong to them.
      if (token !== undefined) throw new StsError(403, 'InvalidClientTokenId', MSG.invalidToken);
      caller = { kind: 'user', user, keyId: auth.accessKeyId };
      secret = this.usableKey(auth.accessKeyId).secret;
    } else {
      const creds = this.issuedByKey.get(auth.accessKeyId);
      if (!creds || token === undefined || !timingSafeEqualStr(token, creds.sessionToken)) {
        throw new StsError(403, 'InvalidClientTokenId', MSG.invalidToken);
      }
      if (now >= creds.expiresAtMs) throw new StsError(400, 'ExpiredToken', MSG.expiredToken);
      caller = { kind: 'temporary', user: this.userBehind.get(creds.accessKeyId) as UserRecord, creds };
      secret = creds.secretAccessKey;
    }

    // The signer trusts x-amz-content-sha256 as the payload hash, so check it against the body
    // ourselves, or a tampered body with the original hash header would verify.
    const signed = new Set(auth.signedHeaders);
    const contentSha = headerValue(req, 'x-amz-content-sha256');
    if (signed.has('x-amz-content-sha256') && contentSha !== crypto.createHash('sha256').update(body).digest('hex')) {
      throw new StsError(403, 'SignatureDoesNotMatch', MSG.badSignature);
    }

    const expected = await this.computeSignature(req, url, body, auth, secret, signedAt);
    if (!timingSafeEqualStr(expected, auth.signature)) {
      throw new StsError(403, 'SignatureDoesNotMatch', MSG.badSignature);
    }
    return caller;
  }

  /** Re-sign the request as received, with the client's signed headers, date and scope. */
  private async computeSignature(
    req: http.IncomingMessage,
    url: URL,
    body: Buffer,
    auth: ParsedAuth,
    secretAccessKey: string,
    signedAt: number,
  ): Promise<string> {
    const headers: Record<string, string> = {};
    for (const name of auth.signedHeaders) {
      const value = headerValue(req, name);
      if (value !== undefined) headers[name] = value;
    }
    const query: Record<string, string | string[]> = {};
    for (const [k, v] of url.searchParams) {
      const prev = query[k];
      query[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
    }
    let path = url.pathname;
    try {
      path = decodeURIComponent(path);
    } catch {
      // keep the raw path; the signature will simply not match
    }
    const request: SignableRequest = {
      method: req.method ?? 'POST',
      protocol: 'http:',
      hostname: '127.0.0.1',
      port: this.port,
      path,
      query,
      headers,
      body: body.length > 0 ? body : undefined,
    };
    const signer = new SignatureV4({
      service: auth.service,
      region: auth.region,
      // No sessionToken here: the signer would inject it as a header; the client's own
      // x-amz-security-token header is already in `headers` when it was signed.
      credentials: { accessKeyId: auth.accessKeyId, secretAccessKey },
      sha256: sha256Ctor,
      // Never add an x-amz-content-sha256 header the client did not sign.
      applyChecksum: false,
    });
    const resigned = await signer.sign(request, {
      signingDate: new Date(signedAt),
      signingRegion: auth.region,
      signingService: auth.service,
      // Sign exactly what the client listed, even headers the signer would normally skip.
      signableHeaders: new Set(auth.signedHeaders),
    });
    const authHeader = String(resigned.headers.authorization ?? '');
    return /Signature=([0-9a-f]+)/.exec(authHeader)?.[1] ?? '';
  }

  // ---- actions ------------------------------------------------------------------------------

  private identityOf(caller: Caller): { arn: string; userId: string; accountId: string } {
    if (caller.kind === 'temporary')
      return { arn: caller.creds.arn, userId: caller.creds.userId, accountId: caller.creds.accountId };
    return { arn: caller.user.arn, userId: caller.user.userId, accountId: caller.user.config.accountId };
  }

  private getSessionToken(caller: Caller, p: Record<string, string>): XmlNode[] {
    if (caller.kind === 'temporary') throw new StsError(403, 'AccessDenied', MSG.gstWithSession);
    const v = new Validator();
    const requested = v.int('durationSeconds', p.DurationSeconds, 900, 129600);
    validateMfaParams(v, p);
    v.throwIfAny();
    requireMfaPair(p);

    const user = caller.user;
    let mfaSerial: string | undefined;
    if (p.SerialNumber !== undefined) {
      this.verifyMfa(user, p.SerialNumber, p.TokenCode as string);
      mfaSerial = p.SerialNumber;
    }
    // The API reference: "If the duration is longer than one hour, the session for AWS
    // account owners defaults to one hour" -- capped, not rejected.
    let duration = requested ?? 43200;
    if (user.config.isRoot) duration = Math.min(duration, 3600);
    duration = this.sessionTokenDurationSeconds ?? duration;

    const creds = this.issue(
      {
        action: 'GetSessionToken',
        duration,
        userName: user.config.userName,
        accountId: user.config.accountId,
        arn: user.arn,
        userId: user.userId,
        mfa: mfaSerial !== undefined,
        mfaSerial,
        sourceAccessKeyId: caller.keyId ?? user.config.accessKeyId,
      },
      user,
    );
    return [credentialsXml(creds, this.tamper?.(creds))];
  }

  private assumeRole(caller: Caller, p: Record<string, string>): XmlNode[] {
    const v = new Validator();
    v.required('roleArn', p.RoleArn);
    v.string('roleArn', p.RoleArn, 20, 2048, ARN_PATTERN);
    v.required('roleSessionName', p.RoleSessionName);
    v.string('roleSessionName', p.RoleSessionName, 2, 64, SESSION_NAME_PATTERN);
    const requested = v.int('durationSeconds', p.DurationSeconds, 900, 43200);
    v.string('externalId', p.ExternalId, 2, 1224, EXTERNAL_ID_PATTERN);
    validateMfaParams(v, p);
    v.throwIfAny();
    requireMfaPair(p);

    const roleArn = p.RoleArn as string;
    const sessionName = p.RoleSessionName as string;
    const callerId = this.identityOf(caller);
    const notAuthorized = new StsError(
      403,
      'AccessDenied',
      `User: ${callerId.arn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
    );

    // Root's keys and root's session credentials alike.
    if (caller.user.config.isRoot) throw new StsError(403, 'AccessDenied', MSG.rootAssumeRole);
    const role = this.roles.get(roleArn);
    if (!role) throw notAuthorized;
    const trusted = role.config.trustedAccountIds;
    if (trusted && !trusted.includes(caller.user.config.accountId)) throw notAuthorized;
    if (role.config.externalId !== undefined && p.ExternalId !== role.config.externalId) throw notAuthorized;

    // Duration before the MFA check so a request that cannot succeed never burns a code.
    const duration = requested ?? 3600;
    if (caller.kind === 'temporary' && duration > 3600) throw new StsError(400, 'ValidationError', MSG.chainedLimit);
    if (duration > role.maxSessionDuration) throw new StsError(400, 'ValidationError', MSG.overRoleMax);

    // MFA context: inherited from the caller's session, or proven now with a code from a
    // device of the user behind the caller.
    let mfa = caller.kind === 'temporary' && caller.creds.mfa;
    let mfaSerial = caller.kind === 'temporary' ? caller.creds.mfaSerial : undefined;
    if (p.SerialNumber !== undefined) {
      this.verifyMfa(caller.user, p.SerialNumber, p.TokenCode as string);
      mfa = true;
      mfaSerial = p.SerialNumber;
    }
    if (role.config.requireMfa && !mfa) throw notAuthorized;

    const arn = `arn:${role.partition}:sts::${role.accountId}:assumed-role/${role.roleName}/${sessionName}`;
    const userId = `${role.roleId}:${sessionName}`;
    const creds = this.issue(
      {
        action: 'AssumeRole',
        duration: this.roleDurationSeconds ?? duration,
        userName: caller.user.config.userName,
        accountId: role.accountId,
        arn,
        userId,
        mfa,
        mfaSerial,
        roleArn,
        roleSessionName: sessionName,
        sourceAccessKeyId:
          caller.kind === 'temporary' ? caller.creds.accessKeyId : (caller.keyId ?? caller.user.config.accessKeyId),
      },
      caller.user,
    );
    return [
      credentialsXml(creds, this.tamper?.(creds)),
      [
        'AssumedRoleUser',
        [
          ['AssumedRoleId', userId],
          ['Arn', arn],
        ],
      ],
    ];
  }

  private verifyMfa(user: UserRecord, serial: string, code: string): void {
    const device = user.config.mfaDevices?.find((d) => d.serial === serial);
    if (!device) throw new StsError(403, 'AccessDenied', MSG.unknownMfaDevice);
    const now = this.nowMs();
    // One 30-s step either side of the server clock, like AWS's tolerance for phone drift.
    const step = totpMatchStep(device.secret, code, now, 1);
    if (step === null) throw new StsError(403, 'AccessDenied', MSG.badMfaCode);
    if (this.rejectReusedCodes) {
      const used = this.usedSteps.get(serial) ?? new Set<number>();
      if (used.has(step)) throw new StsError(403, 'AccessDenied', MSG.badMfaCode);
      const current = Math.floor(now / 30000);
      for (const s of used) if (s < current - 2) used.delete(s);
      used.add(step);
      this.usedSteps.set(serial, used);
    }
  }

  private issue(
    f: Omit<
      IssuedCredentials,
      | 'accessKeyId'
      | 'secretAccessKey'
      | 'sessionToken'
      | 'expiration'
      | 'expiresAtMs'
      | 'issuedAtMs'
      | 'durationSeconds'
    > & { duration: number },
    user: UserRecord,
  ): IssuedCredentials {
    // Whole seconds, so the Expiration in the XML is exactly expiresAtMs.
    const issuedAtMs = Math.floor(this.nowMs() / 1000) * 1000;
    const expiresAtMs = issuedAtMs + f.duration * 1000;
    const { duration, ...rest } = f;
    const creds: IssuedCredentials = {
      ...rest,
      accessKeyId: `ASIA${randomAlnum(16)}`,
      secretAccessKey: crypto.randomBytes(30).toString('base64'),
      sessionToken: newSessionToken(),
      expiration: iso8601NoMillis(expiresAtMs),
      expiresAtMs,
      issuedAtMs,
      durationSeconds: duration,
    };
    this.issued.push(creds);
    this.issuedByKey.set(creds.accessKeyId, creds);
    this.userBehind.set(creds.accessKeyId, user);
    return creds;
  }
}

/** Shortcut for `StsServer.start(opts)`. */
export function startStsServer(opts: StsServerOptions): Promise<StsServer> {
  return StsServer.start(opts);
}

// ---------------------------------------------------------------------------------------------
// HTTP helpers

/** The whole body, or undefined when it exceeds the limit (the rest is drained, not buffered). */
function readBody(req: http.IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooBig = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) tooBig = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(tooBig ? undefined : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Query-string parameters, overridden by form-body parameters (both are valid for STS). */
function collectParams(url: URL, body: Buffer | undefined, contentType: string | undefined): Record<string, string> {
  const params: Record<string, string> = {};
  for (const [k, v] of url.searchParams) params[k] = v;
  const isForm = contentType === undefined || contentType.toLowerCase().startsWith('application/x-www-form-urlencoded');
  if (body && body.length > 0 && isForm) {
    for (const [k, v] of new URLSearchParams(body.toString('utf8'))) params[k] = v;
  }
  return params;
}

function redactParams(params: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(params)) {
    // The federation endpoint's Session holds a secret key and token; a SigninToken is a console login.
    out[k] =
      /^x-amz-(security-token|signature)$/i.test(k) || /secret/i.test(k) || k === 'Session' || k === 'SigninToken'
        ? '<redacted>'
        : v;
  }
  return out;
}
