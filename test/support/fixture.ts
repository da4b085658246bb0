import { type CliOptions, type CliResult, runCli } from './runCli';
import { StsServer, type StsServerOptions } from './sts-server';
import { type TempHome, tempHome } from './tempHome';
import { newTotpSecret, totpCode } from './totp';

export const ACCOUNT = '123456789012';

/** The demo IAM user: long-term keys in ~/.aws/credentials, a virtual MFA device, as in the README. */
export const DEMO_USER = {
  userName: 'demo-user',
  accountId: ACCOUNT,
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  serial: `arn:aws:iam::${ACCOUNT}:mfa/demo-user`,
};

export interface Fixture {
  server: StsServer;
  home: TempHome;
  /** The code the demo user's phone shows now (or at `atMs`: a phone agrees with AWS, whatever this machine says). */
  code(atMs?: number): string;
  /** Runs the built CLI with the fixture's environment plus `env`. */
  run(args: string[], options?: Partial<CliOptions>): Promise<CliResult>;
  stop(): Promise<void>;
}

export function demoConfig(endpoint: string, extra = ''): { config: string; credentials: string } {
  return {
    config: `[profile demo-user]\nmfa_serial = ${DEMO_USER.serial}\nregion = eu-west-1\nendpoint_url = ${endpoint}\n${extra}`,
    credentials: `[demo-user]\naws_access_key_id = ${DEMO_USER.accessKeyId}\naws_secret_access_key = ${DEMO_USER.secretAccessKey}\n`,
  };
}

/** A test STS server with the demo user, and a throwaway HOME whose AWS config points at it. */
export async function startFixture(options: Partial<StsServerOptions> = {}): Promise<Fixture> {
  const secret = newTotpSecret();
  const server = await StsServer.start({
    users: [{ ...DEMO_USER, mfaDevices: [{ serial: DEMO_USER.serial, secret }] }],
    ...options,
  });
  const home = tempHome(demoConfig(server.url));
  return {
    server,
    home,
    code: (atMs = Date.now()) => totpCode(secret, atMs),
    run: (args, opts = {}) => runCli(args, { ...opts, env: { ...home.env, ...opts.env } }),
    async stop() {
      await server.stop();
      home.remove();
    },
  };
}
