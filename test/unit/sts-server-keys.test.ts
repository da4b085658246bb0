// The test STS server's IAM access keys and console federation endpoint, driven by the real AWS SDK (and plain
// HTTP for the federation endpoint, which has no SDK): the errors, limits and delays mfa-env must meet, as AWS has them.
import * as http from 'node:http';
import {
  CreateAccessKeyCommand,
  DeleteAccessKeyCommand,
  IAMClient,
  ListAccessKeysCommand,
  UpdateAccessKeyCommand,
} from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetCallerIdentityCommand, GetSessionTokenCommand, STSClient } from '@aws-sdk/client-sts';
import { StsServer, type StsServerOptions } from '../support/sts-server';
import { newTotpSecret, totpCode } from '../support/totp';

const ACCOUNT = '111122223333';
const SERIAL = `arn:aws:iam::${ACCOUNT}:mfa/carol`;
const TOTP = newTotpSecret();
const carol = {
  userName: 'carol',
  accountId: ACCOUNT,
  accessKeyId: 'AKIACAROL00000000001',
  secretAccessKey: 'carolSecretKey000000000000000000000000000',
  mfaDevices: [{ serial: SERIAL, secret: TOTP }],
  forceMfa: true,
};
const dave = {
  userName: 'dave',
  accountId: ACCOUNT,
  accessKeyId: 'AKIADAVE000000000002',
  secretAccessKey: 'daveSecretKey0000000000000000000000000000',
};
const ROLE = `arn:aws:iam::${ACCOUNT}:role/Admin`;
const LONG_ROLE = `arn:aws:iam::${ACCOUNT}:role/Long`;

const options: StsServerOptions = {
  users: [carol, dave],
  roles: [
    { arn: ROLE, requireMfa: true },
    { arn: LONG_ROLE, requireMfa: true, maxSessionDuration: 43200 },
  ],
};

type Keys = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };

let server: StsServer;
beforeEach(async () => {
  server = await StsServer.start(options);
});
afterEach(() => server.stop());

const iam = (credentials: Keys) =>
  new IAMClient({ region: 'us-east-1', endpoint: server.url, credentials, maxAttempts: 1 });
const sts = (credentials: Keys) =>
  new STSClient({ region: 'us-east-1', endpoint: server.url, credentials, maxAttempts: 1 });

async function mfaSession(user = carol): Promise<Keys> {
  const out = await sts(user).send(
    new GetSessionTokenCommand({ SerialNumber: SERIAL, TokenCode: totpCode(TOTP, Date.now()) }),
  );
  const c = out.Credentials!;
  return { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! };
}

async function roleSession(from: Keys, roleArn: string, extra: Record<string, unknown> = {}): Promise<Keys> {
  const out = await sts(from).send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'test', ...extra }));
  const c = out.Credentials!;
  return { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! };
}

async function failure(promise: Promise<unknown>): Promise<{ name: string; status?: number; message: string }> {
  try {
    await promise;
  } catch (err) {
    const e = err as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { name: e.name, status: e.$metadata?.httpStatusCode, message: e.message };
  }
  throw new Error('expected a failure');
}

describe('IAM access keys', () => {
  it('an MFA session lists, creates, deactivates and deletes the user’s keys (naming the user, as temporary credentials must)', async () => {
    const session = await mfaSession();
    const client = iam(session);
    const listed = await client.send(new ListAccessKeysCommand({ UserName: 'carol' }));
    expect(listed.AccessKeyMetadata!.map((k) => [k.AccessKeyId, k.Status, k.UserName])).toEqual([
      [carol.accessKeyId, 'Active', 'carol'],
    ]);

    const made = (await client.send(new CreateAccessKeyCommand({ UserName: 'carol' }))).AccessKey!;
    expect(made).toMatchObject({ UserName: 'carol', Status: 'Active' });
    expect(made.AccessKeyId).toMatch(/^AKIA[A-Z0-9]{16}$/);
    expect(made.SecretAccessKey).toMatch(/^[A-Za-z0-9/+]{40}$/);
    expect(server.accessKeysOf('carol').map((k) => k.accessKeyId)).toEqual([carol.accessKeyId, made.AccessKeyId]);

    // The new key is the user's: STS knows it, and it makes MFA sessions like the first.
    const who = await sts({ accessKeyId: made.AccessKeyId!, secretAccessKey: made.SecretAccessKey! }).send(
      new GetCallerIdentityCommand({}),
    );
    expect(who.Arn).toBe(`arn:aws:iam::${ACCOUNT}:user/carol`);

    await client.send(
      new UpdateAccessKeyCommand({ UserName: 'carol', AccessKeyId: carol.accessKeyId, Status: 'Inactive' }),
    );
    expect(await failure(sts(carol).send(new GetCallerIdentityCommand({})))).toMatchObject({
      name: 'InvalidClientTokenId',
      status: 403,
    });
    expect(server.keyWorks(carol.accessKeyId, carol.secretAccessKey)).toBe(false);

    await client.send(new DeleteAccessKeyCommand({ UserName: 'carol', AccessKeyId: carol.accessKeyId }));
    expect(server.accessKeysOf('carol').map((k) => k.accessKeyId)).toEqual([made.AccessKeyId]);
    expect(await failure(sts(carol).send(new GetCallerIdentityCommand({})))).toMatchObject({
      name: 'InvalidClientTokenId',
    });
    // The MFA session outlives the key that made it: STS credentials cannot be revoked.
    expect((await sts(session).send(new GetCallerIdentityCommand({}))).Arn).toBe(`arn:aws:iam::${ACCOUNT}:user/carol`);
  });

  it('has the real errors: LimitExceeded at 2 keys, NoSuchEntity, a temporary caller without UserName', async () => {
    const client = iam(await mfaSession());
    await client.send(new CreateAccessKeyCommand({ UserName: 'carol' }));
    expect(await failure(client.send(new CreateAccessKeyCommand({ UserName: 'carol' })))).toMatchObject({
      name: 'LimitExceededException',
      status: 409,
      message: 'Cannot exceed quota for AccessKeysPerUser: 2',
    });
    expect(
      await failure(
        client.send(new DeleteAccessKeyCommand({ UserName: 'carol', AccessKeyId: 'AKIANOSUCHKEY0000000' })),
      ),
    ).toMatchObject({
      name: 'NoSuchEntityException',
      status: 404,
      message: 'The Access Key with id AKIANOSUCHKEY0000000 cannot be found.',
    });
    // Someone else's key is no more found than a key that does not exist.
    expect(
      await failure(client.send(new DeleteAccessKeyCommand({ UserName: 'carol', AccessKeyId: dave.accessKeyId }))),
    ).toMatchObject({ name: 'NoSuchEntityException' });
    expect(await failure(client.send(new ListAccessKeysCommand({})))).toMatchObject({
      name: 'ValidationError',
      message: 'Must specify userName when calling with non-User credentials',
    });
    expect(await failure(client.send(new ListAccessKeysCommand({ UserName: 'dave' })))).toMatchObject({
      name: 'AccessDenied',
      status: 403,
    });
  });

  it('under the MFA policy, changing keys needs MFA; listing does not; a session without MFA cannot call IAM at all', async () => {
    const longTerm = iam(carol);
    expect((await longTerm.send(new ListAccessKeysCommand({}))).AccessKeyMetadata).toHaveLength(1);
    for (const sent of [
      longTerm.send(new CreateAccessKeyCommand({})),
      longTerm.send(new DeleteAccessKeyCommand({ AccessKeyId: carol.accessKeyId })),
    ]) {
      expect(await failure(sent)).toMatchObject({
        name: 'AccessDenied',
        message: expect.stringMatching(
          /^User: arn:aws:iam::111122223333:user\/carol is not authorized to perform: iam:\w+AccessKey on resource: user carol with an explicit deny/,
        ),
      });
    }
    expect(server.accessKeysOf('carol')).toHaveLength(1);
    // Without the policy, long-term keys manage their own keys.
    expect((await iam(dave).send(new CreateAccessKeyCommand({}))).AccessKey!.UserName).toBe('dave');

    const noMfa = (await sts(carol).send(new GetSessionTokenCommand({}))).Credentials!;
    const plain = iam({
      accessKeyId: noMfa.AccessKeyId!,
      secretAccessKey: noMfa.SecretAccessKey!,
      sessionToken: noMfa.SessionToken!,
    });
    expect(await failure(plain.send(new ListAccessKeysCommand({ UserName: 'carol' })))).toMatchObject({
      name: 'InvalidClientTokenId',
    });
    // Role credentials are not the user.
    const role = iam(await roleSession(await mfaSession(), ROLE));
    expect(await failure(role.send(new CreateAccessKeyCommand({ UserName: 'carol' })))).toMatchObject({
      name: 'AccessDenied',
    });
  });

  it('a new key is refused for a while (IAM propagation), by time or by number of calls', async () => {
    const client = iam(await mfaSession());
    server.keyPropagation = { calls: 2 };
    const made = (await client.send(new CreateAccessKeyCommand({ UserName: 'carol' }))).AccessKey!;
    const asNew = sts({ accessKeyId: made.AccessKeyId!, secretAccessKey: made.SecretAccessKey! });
    expect(await failure(asNew.send(new GetCallerIdentityCommand({})))).toMatchObject({ name: 'InvalidClientTokenId' });
    expect(await failure(asNew.send(new GetCallerIdentityCommand({})))).toMatchObject({ name: 'InvalidClientTokenId' });
    expect((await asNew.send(new GetCallerIdentityCommand({}))).Arn).toMatch(/:user\/carol$/);

    await client.send(new DeleteAccessKeyCommand({ UserName: 'carol', AccessKeyId: made.AccessKeyId! }));
    server.keyPropagation = { ms: 400 };
    const created = Date.now();
    const later = (await client.send(new CreateAccessKeyCommand({ UserName: 'carol' }))).AccessKey!;
    const asLater = sts({ accessKeyId: later.AccessKeyId!, secretAccessKey: later.SecretAccessKey! });
    let refusals = 0;
    for (;;) {
      try {
        await asLater.send(new GetCallerIdentityCommand({}));
        break;
      } catch (err) {
        expect((err as Error).name).toBe('InvalidClientTokenId');
        refusals++;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
    expect(refusals).toBeGreaterThan(0);
    expect(Date.now() - created).toBeGreaterThanOrEqual(400);
  });

  it("fault 'dropAnswer' carries the call out and loses the answer", async () => {
    const client = iam(await mfaSession());
    server.failNext({ kind: 'dropAnswer' }, 1, 'CreateAccessKey');
    expect((await failure(client.send(new CreateAccessKeyCommand({ UserName: 'carol' })))).name).not.toBe(
      'LimitExceededException',
    );
    expect(server.accessKeysOf('carol')).toHaveLength(2);
    expect(server.callsOf('CreateAccessKey')).toEqual([expect.objectContaining({ fault: 'dropAnswer', status: 0 })]);
  });
});

/** A plain GET, as a browser or mfa-env makes it; never follows a redirect. */
function get(url: string): Promise<{ status: number; body: string; location?: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, location: res.headers.location }));
      })
      .on('error', reject);
  });
}

function federation(params: Record<string, string>): Promise<{ status: number; body: string; location?: string }> {
  return get(`${server.url}/federation?${new URLSearchParams(params)}`);
}

const sessionParam = (k: Keys) =>
  JSON.stringify({ sessionId: k.accessKeyId, sessionKey: k.secretAccessKey, sessionToken: k.sessionToken });

describe('console federation endpoint', () => {
  it('turns role credentials into a sign-in token, and the token into a redirect to the console', async () => {
    const role = await roleSession(await mfaSession(), ROLE);
    const answer = await federation({ Action: 'getSigninToken', Session: sessionParam(role) });
    expect(answer.status).toBe(200);
    const token = (JSON.parse(answer.body) as { SigninToken: string }).SigninToken;
    expect(server.signinTokens).toEqual([
      expect.objectContaining({ signinToken: token, accessKeyId: role.accessKeyId, roleArn: ROLE }),
    ]);

    const destination = 'https://eu-west-1.console.aws.amazon.com/s3?region=eu-west-1';
    const login = await federation({ Action: 'login', Issuer: 'test', Destination: destination, SigninToken: token });
    expect(login).toMatchObject({ status: 302, location: destination });
    expect(server.consoleLogins).toEqual([
      { signinToken: token, accessKeyId: role.accessKeyId, destination, issuer: 'test' },
    ]);
    // What the server records never holds the session or the token.
    expect(JSON.stringify(server.calls)).not.toContain(role.secretAccessKey);
    expect(JSON.stringify(server.calls)).not.toContain(token);
  });

  it('refuses GetSessionToken credentials, bad credentials, and SessionDuration with credentials from role chaining', async () => {
    const session = await mfaSession();
    expect((await federation({ Action: 'getSigninToken', Session: sessionParam(session) })).status).toBe(400);
    const chained = await roleSession(session, ROLE);
    expect(
      (await federation({ Action: 'getSigninToken', Session: sessionParam({ ...chained, secretAccessKey: 'wrong' }) }))
        .status,
    ).toBe(400);
    expect((await federation({ Action: 'getSigninToken', Session: '{' })).status).toBe(400);
    expect(
      await federation({ Action: 'getSigninToken', SessionDuration: '3600', Session: sessionParam(chained) }),
    ).toMatchObject({
      status: 400,
      body: expect.stringContaining('Invalid credentials parameter'),
    });
    // A role assumed with the long-term keys (and its own code) may ask for a console session length.
    const direct = await roleSession(carol, LONG_ROLE, {
      DurationSeconds: 7200,
      SerialNumber: SERIAL,
      TokenCode: totpCode(TOTP, Date.now()),
    });
    expect(
      (await federation({ Action: 'getSigninToken', SessionDuration: '43200', Session: sessionParam(direct) })).status,
    ).toBe(200);
    expect(
      (await federation({ Action: 'getSigninToken', SessionDuration: '60', Session: sessionParam(direct) })).status,
    ).toBe(400);
    expect(server.signinTokens.map((g) => g.sessionDuration)).toEqual([43200]);
    expect(
      (await federation({ Action: 'login', Destination: 'https://console.aws.amazon.com/', SigninToken: 'nope' }))
        .status,
    ).toBe(400);
  });
});
