import { StsError } from '../errors';
import type { Plan } from '../profiles/resolvePlan';
import type { CodeSource } from './mfaCode';
import { getSessionToken, type TemporaryCredentials } from './sts';

/**
 * An MFA session for the plan: asks for a code and calls STS, asking again (where the source can) when AWS
 * rejects the code, since a code typed near the end of its 30 seconds is a common miss.
 */
export async function getMfaSession(plan: Plan, codes: CodeSource): Promise<TemporaryCredentials> {
  const target = { region: plan.stsRegion, endpoint: plan.endpoint };
  for (let attempt = 1; ; attempt++) {
    const tokenCode = await codes.next({ profile: plan.profile, serial: plan.mfaSerial, retry: attempt > 1 });
    try {
      return await getSessionToken(target, plan.keys, plan.durationSeconds, { serialNumber: plan.mfaSerial, tokenCode }, { profile: plan.profile });
    } catch (err) {
      if (err instanceof StsError && err.code === 'MfaRejected' && attempt < codes.attempts) continue;
      throw err;
    }
  }
}
