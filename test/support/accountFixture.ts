// The demo user in an account that works like the README's: the MFA-enforcing policy attached (key management needs
// MFA), roles to assume, and hooks on every request the server answers (to act between two steps of a command).

import { ACCOUNT, DEMO_USER, demoConfig, type Fixture } from './fixture';
import { runCli } from './runCli';
import { type StsCall, type StsRoleConfig, StsServer, type StsServerOptions } from './sts-server';
import { tempHome } from './tempHome';
import { newTotpSecret, totpCode } from './totp';

/** A role the demo user may assume with MFA (1 hour at most), and one that allows 12 hours. */
export const ADMIN_ROLE = `arn:aws:iam::${ACCOUNT}:role/admin`;
export const LONG_ROLE = `arn:aws:iam::${ACCOUNT}:role/long`;

/** Role profiles on top of demoConfig: prod (chained from the MFA session), prod-long (2 hours: its own code). */
export const ROLE_PROFILES =
  `[profile prod]\nrole_arn = ${ADMIN_ROLE}\nsource_profile = demo-user\nregion = eu-west-1\n\n` +
  `[profile prod-long]\nrole_arn = ${LONG_ROLE}\nsource_profile = demo-user\nduration_seconds = 7200\n`;

export interface AccountFixture extends Fixture {
  /** Called with every request after it is answered; tests push and clear their own. */
  onCall: Array<(call: StsCall) => void>;
}

export async function startAccountFixture(
  options: Partial<StsServerOptions> & { roles?: StsRoleConfig[] } = {},
): Promise<AccountFixture> {
  const secret = newTotpSecret();
  const onCall: AccountFixture['onCall'] = [];
  const server = await StsServer.start({
    users: [{ ...DEMO_USER, forceMfa: true, mfaDevices: [{ serial: DEMO_USER.serial, secret }] }],
    roles: [
      { arn: ADMIN_ROLE, requireMfa: true },
      { arn: LONG_ROLE, requireMfa: true, maxSessionDuration: 43200 },
    ],
    onCall: (call) => {
      for (const hook of onCall) hook(call);
    },
    ...options,
  });
  const home = tempHome(demoConfig(server.url, `\n${ROLE_PROFILES}`));
  return {
    server,
    home,
    onCall,
    code: (atMs = Date.now()) => totpCode(secret, atMs),
    run: (args, opts = {}) => runCli(args, { ...opts, env: { ...home.env, ...opts.env } }),
    async stop() {
      await server.stop();
      home.remove();
    },
  };
}
