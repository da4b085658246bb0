import type { Plan } from '../profiles/resolvePlan';
import type { CacheKey } from './cache';

/**
 * What makes two requests want the same session. The MFA session depends on the keys, the device, where STS is
 * and its length; a role session also on every hop. A generated session name is left out: it changes every call.
 */
export function mfaSessionKey(plan: Plan): CacheKey {
  return {
    kind: 'mfa',
    parts: {
      accessKeyId: plan.keys.accessKeyId,
      mfaSerial: plan.mfaSerial,
      sts: plan.endpoint ?? partitionOf(plan.stsRegion),
      durationSeconds: plan.sessionDurationSeconds,
    },
  };
}

export function roleSessionKey(plan: Plan): CacheKey {
  return {
    kind: 'role',
    parts: {
      ...mfaSessionKey(plan).parts,
      roles: plan.roles.map((hop) => [
        hop.roleArn,
        hop.externalId ?? null,
        hop.sessionNameConfigured ? hop.sessionName : null,
        hop.durationSeconds,
      ]),
    },
  };
}

/** The session a request for the plan is served from: the role session for a role, else the MFA session. */
export function sessionKeyOf(plan: Plan): CacheKey {
  return plan.roles.length ? roleSessionKey(plan) : mfaSessionKey(plan);
}

/** Sessions are valid across the regions of a partition, not beyond it. */
function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}
