// Tests for the test STS server itself, driven by the real AWS SDK over HTTP: if the SDK
// accepts its answers (and its errors) the CLI will meet the same behaviour as with AWS.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  AssumeRoleCommand,
  GetCallerIdentityCommand,
  GetSessionTokenCommand,
  STSClient,
  type STSClientConfig,
} from '@aws-sdk/client-sts';
import { SignatureV4 } from '@smithy/signature-v4';
import {
  type IssuedCredentials,
  NodeSha256,
  STS_NAMESPACE,
  StsServer,
  type StsServerOptions,
  startStsServer,
} from '../support/sts-server';
import { newTotpSecret, totpCode } from '../support/totp';
import { until } from '../support/until';

const ACCOUNT = '111122223333';
const OTHER_ACCOUNT = '444455556666';
const ALICE_SERIAL = `arn:aws:iam::${ACCOUNT}:mfa/alice`;
const ALICE_TOTP = newTotpSecret();
const ROOT_TOTP = newTotpSecret();

const alice = {
  userName: 'alice',
  accountId: ACCOUNT,
  accessKeyId: 'AKIAALICE00000000001',
  secretAccessKey: 'aliceSecretKey/with+chars0000000000000000',
  mfaDevices: [{ serial: ALICE_SERIAL, secret: ALICE_TOTP }],
};
const bob = {
  userName: 'bob',
  accountId: OTHER_ACCOUNT,
  accessKeyId: 'AKIABOB0000000000002',
  secretAccessKey: 'bobSecretKey00000000000000000000000000000',
};
const root = {
  userName: 'root',
  accountId: ACCOUNT,
  accessKeyId: 'AKIAROOT000000000003',
  secretAccessKey: 'rootSecretKey0000000000000000000000000000',
  isRoot: true,
  mfaDevices: [{ serial: `arn:aws:iam::${ACCOUNT}:mfa/root-account-mfa-device`, secret: ROOT_TOTP }],
};

const ADMIN_ROLE = `arn:aws:iam::${OTHER_ACCOUNT}:role/Admin`; // MFA required, 12 h max
const READONLY_ROLE = `arn:aws:iam::${OTHER_ACCOUNT}:role/teams/ReadOnly`; // no MFA, 1 h max
const PARTNER_ROLE = `arn:aws:iam::${OTHER_ACCOUNT}:role/Partner`; // external id
const LOCAL_ROLE = `arn:aws:iam::${ACCOUNT}:role/LocalOnly`; // trusts only ACCOUNT

const options: StsServerOptions = {
  users: [alice, bob, root],
  roles: [
    { arn: ADMIN_ROLE, requireMfa: true, maxSessionDuration: 43200 },
    { arn: READONLY_ROLE },
    { arn: PARTNER_ROLE, externalId: 'partner-ext-42' },
    { arn: LOCAL_ROLE, trustedAccountIds: [ACCOUNT] },
  ],
};

const MSG_BAD_CODE = 'MultiFactorAuthentication failed with invalid MFA one time pass code. ';

type Creds = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };

let server: StsServer;
const clients: STSClient[] = [];

function client(creds: Creds, extra: Partial<STSClientConfig> = {}): STSClient {
  const c = new STSClient({ region: 'us-east-1', endpoint: server.url, credentials: creds, maxAttempts: 1, ...extra });
  clients.push(c);
  return c;
}

function credsOf(issued: IssuedCredentials): Creds {
  return {
    accessKeyId: issued.accessKeyId,
    secretAccessKey: issued.secretAccessKey,
    sessionToken: issued.sessionToken,
  };
}

/** A code that is not valid now: one from 10 minutes ago (outside the ±1 step window). */
function staleCode(secret: string): string {
  const valid = [-30000, 0, 30000].map((d) => totpCode(secret, server.nowMs() + d));
  for (let back = 10; ; back++) {
    const code = totpCode(secret, server.nowMs() - back * 60000);
    if (!valid.includes(code)) return code;
  }
}

interface SdkError {
  name: string;
  message: string;
  code?: string;
  $fault?: string;
  $metadata?: { httpStatusCode?: number; requestId?: string; attempts?: number };
}

async function failure(p: Promise<unknown>): Promise<SdkError> {
  const outcome = await p.then(
    () => ({ ok: true as const }),
    (e: unknown) => ({ ok: false as const, e }),
  );
  if (outcome.ok) throw new Error('expected the call to fail');
  return outcome.e as SdkError;
}

async function expectStsError(
  p: Promise<unknown>,
  code: string,
  status: number,
  message?: string | RegExp,
): Promise<SdkError> {
  const err = await failure(p);
  expect(err.name).toBe(code);
  expect(err.$metadata?.httpStatusCode).toBe(status);
  if (typeof message === 'string') expect(err.message).toBe(message);
  else if (message) expect(err.message).toMatch(message);
  return err;
}

async function sessionWithMfa(durationSeconds?: number): Promise<IssuedCredentials> {
  await client(alice).send(
    new GetSessionTokenCommand({
      SerialNumber: ALICE_SERIAL,
      TokenCode: totpCode(ALICE_TOTP),
      DurationSeconds: durationSeconds,
    }),
  );
  return server.lastIssued() as IssuedCredentials;
}

/** Sign and send a hand-made request, for what the SDK will not send (GET, bad params). */
async function rawRequest(
  params: Record<string, string> | undefined,
  creds: Creds | undefined,
  opts: { method?: 'GET' | 'POST'; tamperBody?: string } = {},
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  const method = opts.method ?? 'POST';
  const form = new URLSearchParams(params ?? {}).toString();
  const headers: Record<string, string> = { host: `127.0.0.1:${server.port}` };
  if (method === 'POST') headers['content-type'] = 'application/x-www-form-urlencoded; charset=utf-8';
  let signedHeaders = headers;
  if (creds) {
    const signer = new SignatureV4({ service: 'sts', region: 'us-east-1', credentials: creds, sha256: NodeSha256 });
    const signed = await signer.sign({
      method,
      protocol: 'http:',
      hostname: '127.0.0.1',
      port: server.port,
      path: '/',
      headers,
      query: method === 'GET' ? { ...params } : {},
      body: method === 'POST' ? form : undefined,
    });
    signedHeaders = signed.headers;
  }
  const body = method === 'POST' ? (opts.tamperBody ?? form) : undefined;
  return new Promise((resolve, reject) => {
    const req = http.request(
      `${server.url}/${method === 'GET' ? `?${form}` : ''}`,
      { method, headers: signedHeaders },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

beforeEach(async () => {
  server = await startStsServer(options);
});

afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy();
  await server.stop();
});

describe('GetSessionToken', () => {
  test('a valid TOTP code yields the credentials the server issued, carrying MFA context', async () => {
    const before = server.nowMs();
    const out = await client(alice).send(
      new GetSessionTokenCommand({ SerialNumber: ALICE_SERIAL, TokenCode: totpCode(ALICE_TOTP) }),
    );
    expect(server.issued).toHaveLength(1);
    const issued = server.issued[0]!;
    expect(out.Credentials).toEqual({
      AccessKeyId: issued.accessKeyId,
      SecretAccessKey: issued.secretAccessKey,
      SessionToken: issued.sessionToken,
      Expiration: new Date(issued.expiration),
    });
    expect(issued.accessKeyId).toMatch(/^ASIA[A-Z0-9]{16}$/);
    expect(issued.secretAccessKey).toHaveLength(40);
    expect(issued.sessionToken.length).toBeGreaterThan(400);
    for (const ch of ['/', '+', '=']) expect(issued.sessionToken).toContain(ch);
    expect(issued.expiration).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    // Default 12 h from the (whole-second) issue time.
    expect(issued.expiresAtMs - issued.issuedAtMs).toBe(43200_000);
    expect(issued.issuedAtMs).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
    expect(issued.issuedAtMs).toBeLessThanOrEqual(server.nowMs());
    expect(issued).toMatchObject({
      action: 'GetSessionToken',
      mfa: true,
      mfaSerial: ALICE_SERIAL,
      userName: 'alice',
      durationSeconds: 43200,
    });
  });

  test('calls are recorded with the TokenCode but without secrets or tokens', async () => {
    const code = totpCode(ALICE_TOTP);
    await client(alice).send(
      new GetSessionTokenCommand({ SerialNumber: ALICE_SERIAL, TokenCode: code, DurationSeconds: 900 }),
    );
    const issued = server.lastIssued() as IssuedCredentials;
    await client(credsOf(issued)).send(new GetCallerIdentityCommand({}));
    expect(server.calls.map((c) => [c.action, c.status])).toEqual([
      ['GetSessionToken', 200],
      ['GetCallerIdentity', 200],
    ]);
    expect(server.callsOf('GetSessionToken')[0]).toMatchObject({
      accessKeyId: alice.accessKeyId,
      region: 'us-east-1',
      params: {
        Action: 'GetSessionToken',
        Version: '2011-06-15',
        SerialNumber: ALICE_SERIAL,
        TokenCode: code,
        DurationSeconds: '900',
      },
    });
    expect(server.callsOf('GetCallerIdentity')[0]?.accessKeyId).toBe(issued.accessKeyId);
    const recorded = JSON.stringify(server.calls);
    for (const secret of [alice.secretAccessKey, issued.secretAccessKey, issued.sessionToken])
      expect(recorded).not.toContain(secret);
    server.resetCalls();
    expect(server.calls).toHaveLength(0);
  });

  test('without MFA it succeeds but the session carries no MFA context', async () => {
    await client(alice).send(new GetSessionTokenCommand({ DurationSeconds: 900 }));
    expect(server.lastIssued()).toMatchObject({ mfa: false, durationSeconds: 900 });
  });

  test('a wrong code is AccessDenied', async () => {
    const c = client(alice);
    await expectStsError(
      c.send(new GetSessionTokenCommand({ SerialNumber: ALICE_SERIAL, TokenCode: staleCode(ALICE_TOTP) })),
      'AccessDenied',
      403,
      MSG_BAD_CODE,
    );
    expect(server.issued).toHaveLength(0);
    expect(server.calls[0]).toMatchObject({ status: 403, errorCode: 'AccessDenied' });
  });

  test('codes from the previous and next 30-s steps are accepted (phone drift)', async () => {
    const c = client(alice);
    await c.send(
      new GetSessionTokenCommand({
        SerialNumber: ALICE_SERIAL,
        TokenCode: totpCode(ALICE_TOTP, server.nowMs() - 30000),
      }),
    );
    await c.send(
      new GetSessionTokenCommand({
        SerialNumber: ALICE_SERIAL,
        TokenCode: totpCode(ALICE_TOTP, server.nowMs() + 30000),
      }),
    );
    expect(server.issued).toHaveLength(2);
  });

  test("a serial that is not the user's device is AccessDenied", async () => {
    await expectStsError(
      client(alice).send(
        new GetSessionTokenCommand({
          SerialNumber: `arn:aws:iam::${ACCOUNT}:mfa/mallory`,
          TokenCode: totpCode(ALICE_TOTP),
        }),
      ),
      'AccessDenied',
      403,
      /^MultiFactorAuthentication failed, unable to validate MFA code/,
    );
  });

  test('TokenCode without SerialNumber, or a 5-digit code, is a ValidationError', async () => {
    const c = client(alice);
    await expectStsError(
      c.send(new GetSessionTokenCommand({ TokenCode: totpCode(ALICE_TOTP) })),
      'ValidationError',
      400,
    );
    await expectStsError(c.send(new GetSessionTokenCommand({ SerialNumber: ALICE_SERIAL })), 'ValidationError', 400);
    await expectStsError(
      c.send(new GetSessionTokenCommand({ SerialNumber: ALICE_SERIAL, TokenCode: '12345' })),
      'ValidationError',
      400,
      "1 validation error detected: Value '12345' at 'tokenCode' failed to satisfy constraint: Member must have length greater than or equal to 6",
    );
  });

  test('session credentials cannot call GetSessionToken', async () => {
    const session = await sessionWithMfa();
    await expectStsError(
      client(credsOf(session)).send(new GetSessionTokenCommand({})),
      'AccessDenied',
      403,
      'Cannot call GetSessionToken with session credentials',
    );
  });

  test('duration limits: 900..129600 for users', async () => {
    const c = client(alice);
    await expectStsError(
      c.send(new GetSessionTokenCommand({ DurationSeconds: 899 })),
      'ValidationError',
      400,
      "1 validation error detected: Value '899' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900",
    );
    await expectStsError(
      c.send(new GetSessionTokenCommand({ DurationSeconds: 129601 })),
      'ValidationError',
      400,
      "1 validation error detected: Value '129601' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to 129600",
    );
    await c.send(new GetSessionTokenCommand({ DurationSeconds: 900 }));
    await c.send(new GetSessionTokenCommand({ DurationSeconds: 129600 }));
    expect(server.issued.map((i) => i.durationSeconds)).toEqual([900, 129600]);
  });

  test('root: sessions are capped at one hour (3601 and the default both give 3600)', async () => {
    const c = client(root);
    const out = await c.send(new GetSessionTokenCommand({ DurationSeconds: 3601 }));
    const issued = server.lastIssued() as IssuedCredentials;
    expect(issued.durationSeconds).toBe(3600);
    expect(out.Credentials?.Expiration?.getTime()).toBe(issued.issuedAtMs + 3600_000);
    await c.send(new GetSessionTokenCommand({}));
    expect(server.lastIssued()?.durationSeconds).toBe(3600);
    await expectStsError(c.send(new GetSessionTokenCommand({ DurationSeconds: 899 })), 'ValidationError', 400);
  });

  test('rejectReusedCodes: a code accepted once is refused the second time', async () => {
    const c = client(alice);
    const code = totpCode(ALICE_TOTP);
    await c.send(new GetSessionTokenCommand({ SerialNumber: ALICE_SERIAL, TokenCode: code }));
    await c.send(new GetSessionTokenCommand({ SerialNumber: ALICE_SERIAL, TokenCode: code })); // default: allowed
    server.rejectReusedCodes = true;
    const fresh = totpCode(ALICE_TOTP, server.nowMs() + 30000);
    await c.send(new GetSessionTokenCommand({ SerialNumber: ALICE_SERIAL, TokenCode: fresh }));
    await expectStsError(
      c.send(new GetSessionTokenCommand({ SerialNumber: ALICE_SERIAL, TokenCode: fresh })),
      'AccessDenied',
      403,
      MSG_BAD_CODE,
    );
  });
});

describe('SigV4 and credentials', () => {
  test('a wrong secret is SignatureDoesNotMatch', async () => {
    await expectStsError(
      client({ ...alice, secretAccessKey: 'not-the-secret' }).send(new GetCallerIdentityCommand({})),
      'SignatureDoesNotMatch',
      403,
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
    );
  });

  test('an unknown key is InvalidClientTokenId', async () => {
    await expectStsError(
      client({ accessKeyId: 'AKIAUNKNOWN000000000', secretAccessKey: 'x' }).send(new GetCallerIdentityCommand({})),
      'InvalidClientTokenId',
      403,
      'The security token included in the request is invalid.',
    );
  });

  test('temporary keys need their own session token', async () => {
    const session = await sessionWithMfa();
    const { accessKeyId, secretAccessKey } = session;
    await expectStsError(
      client({ accessKeyId, secretAccessKey }).send(new GetCallerIdentityCommand({})),
      'InvalidClientTokenId',
      403,
    );
    const other = await sessionWithMfa();
    await expectStsError(
      client({ accessKeyId, secretAccessKey, sessionToken: other.sessionToken }).send(new GetCallerIdentityCommand({})),
      'InvalidClientTokenId',
      403,
    );
    // And long-term keys must not come with one.
    await expectStsError(
      client({ ...alice, sessionToken: session.sessionToken }).send(new GetCallerIdentityCommand({})),
      'InvalidClientTokenId',
      403,
    );
  });

  test('expired temporary credentials are ExpiredToken', async () => {
    const session = await sessionWithMfa(900);
    // 1000 s later for both sides: the server clock moves, and so does the client's.
    server.clockSkewSeconds = 1000;
    await expectStsError(
      client(credsOf(session), { systemClockOffset: 1_000_000 }).send(new GetCallerIdentityCommand({})),
      'ExpiredToken',
      400,
      'The security token included in the request is expired',
    );
  });

  test('a 10-minute clock skew is refused once, then corrected by the SDK from the Date header', async () => {
    server.clockSkewSeconds = 600;
    await expectStsError(
      client(alice).send(new GetCallerIdentityCommand({})),
      'SignatureDoesNotMatch',
      403,
      /^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 5 min\.\)$/,
    );
    server.resetCalls();
    const out = await client(alice, { maxAttempts: 3 }).send(new GetCallerIdentityCommand({}));
    expect(out.Arn).toBe(`arn:aws:iam::${ACCOUNT}:user/alice`);
    expect(server.calls.map((c) => c.errorCode ?? c.status)).toEqual(['SignatureDoesNotMatch', 200]);
    // A server running behind is refused with the "not yet current" wording.
    server.clockSkewSeconds = -600;
    await expectStsError(
      client(alice).send(new GetCallerIdentityCommand({})),
      'SignatureDoesNotMatch',
      403,
      /^Signature not yet current: /,
    );
  });

  test('the Date header is the server clock; errors are ErrorResponse XML with a request id', async () => {
    server.clockSkewSeconds = 3600;
    const res = await rawRequest({ Action: 'GetCallerIdentity', Version: '2011-06-15' }, undefined);
    expect(res.status).toBe(403);
    expect(Math.abs(Date.parse(String(res.headers.date)) - (Date.now() + 3600_000))).toBeLessThan(2000);
    const requestId = String(res.headers['x-amzn-requestid']);
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.body).toContain(`<ErrorResponse xmlns="${STS_NAMESPACE}">`);
    expect(res.body).toMatch(
      /<Error>\s*<Type>Sender<\/Type>\s*<Code>MissingAuthenticationToken<\/Code>\s*<Message>Request is missing Authentication Token<\/Message>\s*<\/Error>/,
    );
    expect(res.body).toContain(`<RequestId>${requestId}</RequestId>`);
  });

  test('GET with query parameters works like POST, with the documented XML shape', async () => {
    const res = await rawRequest({ Action: 'GetCallerIdentity', Version: '2011-06-15' }, alice, { method: 'GET' });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/xml');
    const requestId = String(res.headers['x-amzn-requestid']);
    expect(res.body.replace(/>\s+</g, '><').trim()).toMatch(
      new RegExp(
        `^<GetCallerIdentityResponse xmlns="${STS_NAMESPACE}"><GetCallerIdentityResult>` +
          `<Arn>arn:aws:iam::${ACCOUNT}:user/alice</Arn><UserId>AIDA[A-Z0-9]{17}</UserId><Account>${ACCOUNT}</Account>` +
          `</GetCallerIdentityResult><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></GetCallerIdentityResponse>$`,
      ),
    );
  });

  test('a body that differs from the signed one fails the signature check', async () => {
    const res = await rawRequest({ Action: 'GetSessionToken', Version: '2011-06-15', DurationSeconds: '900' }, alice, {
      tamperBody: 'Action=GetSessionToken&Version=2011-06-15&DurationSeconds=129600',
    });
    expect(res.status).toBe(403);
    expect(res.body).toContain('<Code>SignatureDoesNotMatch</Code>');
    expect(server.issued).toHaveLength(0);
  });

  test('unknown Action is InvalidAction; missing Version is MissingParameter', async () => {
    const bad = await rawRequest({ Action: 'GetFederationTokenz', Version: '2011-06-15' }, alice);
    expect(bad.status).toBe(400);
    expect(bad.body).toContain('<Code>InvalidAction</Code>');
    const noVersion = await rawRequest({ Action: 'GetCallerIdentity' }, alice);
    expect(noVersion.status).toBe(400);
    expect(noVersion.body).toContain('<Code>MissingParameter</Code>');
  });
});

describe('AssumeRole', () => {
  test('MFA-context session credentials satisfy an MFA-requiring role without a code', async () => {
    const session = await sessionWithMfa();
    const out = await client(credsOf(session)).send(
      new AssumeRoleCommand({ RoleArn: ADMIN_ROLE, RoleSessionName: 'alice-admin' }),
    );
    const issued = server.lastIssued() as IssuedCredentials;
    expect(out.Credentials).toEqual({
      AccessKeyId: issued.accessKeyId,
      SecretAccessKey: issued.secretAccessKey,
      SessionToken: issued.sessionToken,
      Expiration: new Date(issued.expiration),
    });
    expect(out.AssumedRoleUser?.Arn).toBe(`arn:aws:sts::${OTHER_ACCOUNT}:assumed-role/Admin/alice-admin`);
    expect(out.AssumedRoleUser?.AssumedRoleId).toMatch(/^AROA[A-Z0-9]{17}:alice-admin$/);
    expect(issued).toMatchObject({
      action: 'AssumeRole',
      mfa: true,
      roleArn: ADMIN_ROLE,
      roleSessionName: 'alice-admin',
      durationSeconds: 3600,
      userName: 'alice',
    });
  });

  test('without MFA context an MFA-requiring role is AccessDenied', async () => {
    await client(alice).send(new GetSessionTokenCommand({}));
    const plain = server.lastIssued() as IssuedCredentials;
    await expectStsError(
      client(credsOf(plain)).send(new AssumeRoleCommand({ RoleArn: ADMIN_ROLE, RoleSessionName: 's1' })),
      'AccessDenied',
      403,
      `User: arn:aws:iam::${ACCOUNT}:user/alice is not authorized to perform: sts:AssumeRole on resource: ${ADMIN_ROLE}`,
    );
    await expectStsError(
      client(alice).send(new AssumeRoleCommand({ RoleArn: ADMIN_ROLE, RoleSessionName: 's1' })),
      'AccessDenied',
      403,
    );
    // A code from the user behind the session credentials supplies the MFA.
    await client(credsOf(plain)).send(
      new AssumeRoleCommand({
        RoleArn: ADMIN_ROLE,
        RoleSessionName: 's1',
        SerialNumber: ALICE_SERIAL,
        TokenCode: totpCode(ALICE_TOTP),
      }),
    );
    expect(server.lastIssued()).toMatchObject({ mfa: true, roleArn: ADMIN_ROLE });
  });

  test('role chaining is capped at one hour', async () => {
    const session = await sessionWithMfa();
    await expectStsError(
      client(credsOf(session)).send(
        new AssumeRoleCommand({ RoleArn: ADMIN_ROLE, RoleSessionName: 'chained', DurationSeconds: 7200 }),
      ),
      'ValidationError',
      400,
      'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.',
    );
  });

  test('roleDurationSeconds and sessionTokenDurationSeconds make credentials that end within seconds, and the server refuses them after', async () => {
    server.sessionTokenDurationSeconds = 3;
    const session = await sessionWithMfa(3600);
    expect(session).toMatchObject({ durationSeconds: 3 });
    expect(session.expiresAtMs).toBe(session.issuedAtMs + 3000);
    server.roleDurationSeconds = 2;
    const out = await client(credsOf(session)).send(
      new AssumeRoleCommand({ RoleArn: ADMIN_ROLE, RoleSessionName: 'short', DurationSeconds: 3600 }),
    );
    const role = server.lastIssued() as IssuedCredentials;
    expect(role).toMatchObject({ action: 'AssumeRole', durationSeconds: 2 });
    expect(out.Credentials?.Expiration?.getTime()).toBe(role.issuedAtMs + 2000);
    // The requested duration is still checked as STS checks it.
    await expectStsError(
      client(credsOf(session)).send(
        new AssumeRoleCommand({ RoleArn: ADMIN_ROLE, RoleSessionName: 'short', DurationSeconds: 7200 }),
      ),
      'ValidationError',
      400,
    );
    server.clockSkewSeconds = 3;
    await expectStsError(client(credsOf(role)).send(new GetCallerIdentityCommand({})), 'ExpiredToken', 400);
  });

  test('direct AssumeRole with a code may exceed one hour up to the role maximum', async () => {
    const out = await client(alice).send(
      new AssumeRoleCommand({
        RoleArn: ADMIN_ROLE,
        RoleSessionName: 'long',
        DurationSeconds: 7200,
        SerialNumber: ALICE_SERIAL,
        TokenCode: totpCode(ALICE_TOTP),
      }),
    );
    const issued = server.lastIssued() as IssuedCredentials;
    expect(issued.durationSeconds).toBe(7200);
    expect(out.Credentials?.Expiration?.getTime()).toBe(issued.issuedAtMs + 7200_000);
    await expectStsError(
      client(alice).send(
        new AssumeRoleCommand({ RoleArn: READONLY_ROLE, RoleSessionName: 'long', DurationSeconds: 7200 }),
      ),
      'ValidationError',
      400,
      'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.',
    );
  });

  test('a wrong MFA code on AssumeRole is AccessDenied', async () => {
    await expectStsError(
      client(alice).send(
        new AssumeRoleCommand({
          RoleArn: ADMIN_ROLE,
          RoleSessionName: 'x1',
          SerialNumber: ALICE_SERIAL,
          TokenCode: staleCode(ALICE_TOTP),
        }),
      ),
      'AccessDenied',
      403,
      MSG_BAD_CODE,
    );
  });

  test('external id must match', async () => {
    const c = client(alice);
    const denied = `User: arn:aws:iam::${ACCOUNT}:user/alice is not authorized to perform: sts:AssumeRole on resource: ${PARTNER_ROLE}`;
    await expectStsError(
      c.send(new AssumeRoleCommand({ RoleArn: PARTNER_ROLE, RoleSessionName: 'p1' })),
      'AccessDenied',
      403,
      denied,
    );
    await expectStsError(
      c.send(new AssumeRoleCommand({ RoleArn: PARTNER_ROLE, RoleSessionName: 'p1', ExternalId: 'wrong-id' })),
      'AccessDenied',
      403,
      denied,
    );
    await c.send(new AssumeRoleCommand({ RoleArn: PARTNER_ROLE, RoleSessionName: 'p1', ExternalId: 'partner-ext-42' }));
    expect(server.lastIssued()?.roleArn).toBe(PARTNER_ROLE);
  });

  test('session names are validated, and echoed values are XML-escaped', async () => {
    const c = client(alice);
    await expectStsError(
      c.send(new AssumeRoleCommand({ RoleArn: READONLY_ROLE, RoleSessionName: '<a&b\'">' })),
      'ValidationError',
      400,
      `1 validation error detected: Value '<a&b'">' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*`,
    );
    await expectStsError(
      c.send(new AssumeRoleCommand({ RoleArn: READONLY_ROLE, RoleSessionName: 'a' })),
      'ValidationError',
      400,
      "1 validation error detected: Value 'a' at 'roleSessionName' failed to satisfy constraint: Member must have length greater than or equal to 2",
    );
    await expectStsError(
      c.send(new AssumeRoleCommand({ RoleArn: READONLY_ROLE, RoleSessionName: 'x'.repeat(65) })),
      'ValidationError',
      400,
      /less than or equal to 64/,
    );
    await c.send(new AssumeRoleCommand({ RoleArn: READONLY_ROLE, RoleSessionName: 'ok+=,.@-_name' }));
  });

  test('unknown roles, untrusted accounts and root callers are AccessDenied', async () => {
    const unknown = `arn:aws:iam::${OTHER_ACCOUNT}:role/Nope`;
    await expectStsError(
      client(alice).send(new AssumeRoleCommand({ RoleArn: unknown, RoleSessionName: 'sx' })),
      'AccessDenied',
      403,
      `User: arn:aws:iam::${ACCOUNT}:user/alice is not authorized to perform: sts:AssumeRole on resource: ${unknown}`,
    );
    await expectStsError(
      client(bob).send(new AssumeRoleCommand({ RoleArn: LOCAL_ROLE, RoleSessionName: 'bob' })),
      'AccessDenied',
      403,
    );
    await client(alice).send(new AssumeRoleCommand({ RoleArn: LOCAL_ROLE, RoleSessionName: 'alice' }));
    await expectStsError(
      client(root).send(new AssumeRoleCommand({ RoleArn: READONLY_ROLE, RoleSessionName: 'root' })),
      'AccessDenied',
      403,
    );
  });

  test('role credentials can chain into another role and keep the MFA context', async () => {
    await client(alice).send(
      new AssumeRoleCommand({
        RoleArn: READONLY_ROLE,
        RoleSessionName: 'first',
        SerialNumber: ALICE_SERIAL,
        TokenCode: totpCode(ALICE_TOTP),
      }),
    );
    const first = server.lastIssued() as IssuedCredentials;
    const out = await client(credsOf(first)).send(
      new AssumeRoleCommand({ RoleArn: ADMIN_ROLE, RoleSessionName: 'second' }),
    );
    expect(out.AssumedRoleUser?.Arn).toBe(`arn:aws:sts::${OTHER_ACCOUNT}:assumed-role/Admin/second`);
    expect(server.lastIssued()).toMatchObject({ mfa: true, userName: 'alice', sourceAccessKeyId: first.accessKeyId });
  });
});

describe('GetCallerIdentity', () => {
  test('reports the user, the user behind session credentials, and the assumed role', async () => {
    const user = await client(alice).send(new GetCallerIdentityCommand({}));
    expect(user.Arn).toBe(`arn:aws:iam::${ACCOUNT}:user/alice`);
    expect(user.UserId).toMatch(/^AIDA[A-Z0-9]{17}$/);
    expect(user.Account).toBe(ACCOUNT);

    const session = await sessionWithMfa();
    const viaSession = await client(credsOf(session)).send(new GetCallerIdentityCommand({}));
    expect(viaSession).toMatchObject({ Arn: user.Arn, UserId: user.UserId, Account: ACCOUNT });

    await client(credsOf(session)).send(new AssumeRoleCommand({ RoleArn: READONLY_ROLE, RoleSessionName: 'whoami' }));
    const role = server.lastIssued() as IssuedCredentials;
    const viaRole = await client(credsOf(role)).send(new GetCallerIdentityCommand({}));
    expect(viaRole.Arn).toBe(`arn:aws:sts::${OTHER_ACCOUNT}:assumed-role/ReadOnly/whoami`);
    expect(viaRole.UserId).toMatch(/^AROA[A-Z0-9]{17}:whoami$/);
    expect(viaRole.Account).toBe(OTHER_ACCOUNT);

    const rootId = await client(root).send(new GetCallerIdentityCommand({}));
    expect(rootId).toMatchObject({ Arn: `arn:aws:iam::${ACCOUNT}:root`, UserId: ACCOUNT, Account: ACCOUNT });
  });
});

describe('fault injection', () => {
  const gci = () => client(alice).send(new GetCallerIdentityCommand({}));

  test('http 500 and 503 give InternalFailure and ServiceUnavailable', async () => {
    server.failNext({ kind: 'http', status: 500 });
    const e500 = await expectStsError(gci(), 'InternalFailure', 500);
    expect(e500.$fault).toBe('server');
    server.failNext({ kind: 'http', status: 503 });
    await expectStsError(gci(), 'ServiceUnavailable', 503);
    await gci();
    expect(server.calls.map((c) => [c.status, c.fault])).toEqual([
      [500, 'http'],
      [503, 'http'],
      [200, undefined],
    ]);
  });

  test('throttle gives Throttling 400 "Rate exceeded"', async () => {
    server.failNext({ kind: 'throttle' });
    await expectStsError(gci(), 'Throttling', 400, 'Rate exceeded');
  });

  test('throttle and 500 are retried by the SDK with default retries', async () => {
    server.failNext({ kind: 'throttle' });
    const c = client(alice, { maxAttempts: 3 });
    const out = await c.send(new GetCallerIdentityCommand({}));
    expect(out.$metadata.attempts).toBe(2);
    server.failNext({ kind: 'http', status: 500 });
    await c.send(new GetCallerIdentityCommand({}));
    expect(server.calls.map((c) => c.errorCode ?? c.status)).toEqual(['Throttling', 200, 'InternalFailure', 200]);
  });

  test('reset drops the connection mid-response', async () => {
    server.failNext({ kind: 'reset' });
    const err = await failure(gci());
    expect(err.message).toMatch(/socket hang up|ECONNRESET/);
    expect(server.calls[0]).toMatchObject({ fault: 'reset', status: 0 });
    await gci(); // the next request is fine
  });

  test('truncated: a 200 whose body is cut off', async () => {
    server.failNext({ kind: 'truncated' });
    const err = await failure(gci());
    expect(err.message).toMatch(/aborted/);
    expect(server.calls[0]).toMatchObject({ fault: 'truncated', status: 200 });
  });

  test('malformed: a 200 with broken XML', async () => {
    server.failNext({ kind: 'malformed' }, 1, 'GetSessionToken');
    const err = await failure(client(alice).send(new GetSessionTokenCommand({})));
    expect(err.message).toMatch(/XML parse error/);
    expect(err.$metadata?.httpStatusCode).toBe(200);
    expect(server.calls[0]).toMatchObject({ fault: 'malformed', status: 200 });
    expect(server.issued).toHaveLength(0);
  });

  test('hang: the request never gets an answer; a client timeout fires and stop() still closes cleanly', async () => {
    server.failNext({ kind: 'hang' });
    const started = Date.now();
    // Note: this SDK version only *warns* on requestTimeout unless throwOnRequestTimeout is set.
    const hurried = client(alice, { requestHandler: { requestTimeout: 300, throwOnRequestTimeout: true } });
    const err = await failure(hurried.send(new GetCallerIdentityCommand({})));
    expect(err.name).toMatch(/TimeoutError/);
    expect(Date.now() - started).toBeLessThan(5000);

    server.failNext({ kind: 'hang' });
    const pending = failure(gci());
    await until('the second request to reach the server', () => server.calls.length === 2);
    const stopStarted = Date.now();
    await server.stop();
    expect(Date.now() - stopStarted).toBeLessThan(1000);
    await pending; // the hanging call fails once its socket is destroyed
    expect(server.calls.map((c) => c.fault)).toEqual(['hang', 'hang']);
  });

  test('delay answers normally, later', async () => {
    server.failNext({ kind: 'delay', ms: 300 });
    const started = Date.now();
    const out = await gci();
    expect(out.Account).toBe(ACCOUNT);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(server.calls[0]).toMatchObject({ fault: 'delay', status: 200 });
  });

  test('faults apply to the next N requests, optionally of one action only', async () => {
    server.failNext({ kind: 'throttle' }, 2, 'GetSessionToken');
    await gci(); // another action: untouched
    const c = client(alice);
    await expectStsError(c.send(new GetSessionTokenCommand({})), 'Throttling', 400);
    await expectStsError(c.send(new GetSessionTokenCommand({})), 'Throttling', 400);
    await c.send(new GetSessionTokenCommand({}));
    expect(server.issued).toHaveLength(1);
  });
});

describe('standalone runner', () => {
  test('prints its address as one JSON line, logs requests without whole keys, stops on SIGTERM', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sts-runner-'));
    const config = path.join(dir, 'config.json');
    fs.writeFileSync(config, JSON.stringify({ users: [alice], roles: [{ arn: READONLY_ROLE }] }));
    const root = path.resolve(__dirname, '../..');
    const child = spawn(
      process.execPath,
      [require.resolve('ts-node/dist/bin.js'), '--transpile-only', 'test/support/sts-server-main.ts', config],
      {
        cwd: root,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    try {
      let stdout = '';
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const line = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (d: Buffer) => {
          stdout += d.toString();
          const nl = stdout.indexOf('\n');
          if (nl >= 0) resolve(stdout.slice(0, nl));
        });
        child.on('exit', (code) => reject(new Error(`runner exited early (${code}): ${stderr}`)));
      });
      const info = JSON.parse(line) as { url: string; port: number };
      expect(info.url).toBe(`http://127.0.0.1:${info.port}`);

      const c = new STSClient({ region: 'us-east-1', endpoint: info.url, credentials: alice, maxAttempts: 1 });
      const out = await c.send(new GetCallerIdentityCommand({}));
      c.destroy();
      expect(out.Arn).toBe(`arn:aws:iam::${ACCOUNT}:user/alice`);

      const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      // Let the log line arrive before asking it to stop.
      await until('the log line of the call', () => stderr.includes('GetCallerIdentity'));
      child.kill('SIGTERM');
      expect(await exit).toBe(0);
      expect(stdout.trim().split('\n')).toHaveLength(1);
      expect(stderr).toMatch(/GetCallerIdentity key=…0001 200/);
      expect(stderr).not.toContain(alice.accessKeyId);
      expect(stderr).not.toContain(alice.secretAccessKey);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

test('start() rejects a bad config before listening', async () => {
  await expect(StsServer.start({ users: [], roles: [{ arn: 'arn:aws:iam::123:user/x' }] })).rejects.toThrow(
    /not a role ARN/,
  );
});
