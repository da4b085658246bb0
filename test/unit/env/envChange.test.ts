import { clearChange, type EnvChange, exportChange, originalEnv } from '../../../src/env/envChange';
import { rfc3339 } from '../../../src/text/rfc3339';

const session = {
  profile: 'demo-user',
  accessKeyId: 'ASIAEXAMPLE000000001',
  secretAccessKey: 'secret/one',
  sessionToken: 'token+one=',
  expiration: new Date('2026-11-22T18:00:00.000Z'),
};

/** Applies a change the way a shell evaluating it would. */
function apply(env: Record<string, string | undefined>, change: EnvChange): Record<string, string | undefined> {
  const out = { ...env };
  for (const [name, value] of change) {
    if (value === null) delete out[name];
    else out[name] = value;
  }
  return out;
}

describe('exportChange', () => {
  it('sets the credentials, both expiry forms and the bookkeeping, and removes AWS_PROFILE and AWS_SECURITY_TOKEN', () => {
    const env = apply(
      { AWS_PROFILE: 'work', AWS_SECURITY_TOKEN: 'old' },
      exportChange({ AWS_PROFILE: 'work', AWS_SECURITY_TOKEN: 'old' }, session),
    );
    expect(env).toEqual({
      AWS_ACCESS_KEY_ID: 'ASIAEXAMPLE000000001',
      AWS_SECRET_ACCESS_KEY: 'secret/one',
      AWS_SESSION_TOKEN: 'token+one=',
      AWS_CREDENTIAL_EXPIRATION: '2026-11-22T18:00:00Z',
      AWS_SESSION_EXPIRATION: '2026-11-22T18:00:00Z',
      MFA_ENV_PROFILE: 'demo-user',
      MFA_ENV_PROFILE_LABEL: 'demo-user',
      MFA_ENV_EXPIRES_AT: String(Date.parse('2026-11-22T18:00:00Z') / 1000),
      MFA_ENV_SAVED: 'AWS_SECURITY_TOKEN AWS_PROFILE',
      MFA_ENV_SAVED_AWS_PROFILE: 'work',
      MFA_ENV_SAVED_AWS_SECURITY_TOKEN: 'old',
    });
  });

  it('labels the profile for prompts with its control characters escaped, and sets the renewal time it is given', () => {
    const env = apply({}, exportChange({}, { ...session, profile: 'evil\x1b]0;x\x07', renewAt: 1795370100 }));
    expect(env.MFA_ENV_PROFILE).toBe('evil\x1b]0;x\x07');
    expect(env.MFA_ENV_PROFILE_LABEL).toBe('"evil\\u001b]0;x\\u0007"');
    expect(env.MFA_ENV_RENEW_AT).toBe('1795370100');
    // A later export without one leaves no stale renewal time behind.
    expect(apply(env, exportChange(env, session)).MFA_ENV_RENEW_AT).toBeUndefined();
  });

  it('exports the region only when the profile has one', () => {
    const withRegion = apply({}, exportChange({}, { ...session, region: 'eu-west-1' }));
    expect(withRegion.AWS_REGION).toBe('eu-west-1');
    expect(withRegion.AWS_DEFAULT_REGION).toBe('eu-west-1');
    const without = apply({ AWS_REGION: 'us-west-2' }, exportChange({ AWS_REGION: 'us-west-2' }, session));
    expect(without.AWS_REGION).toBe('us-west-2');
    expect(without.AWS_DEFAULT_REGION).toBeUndefined();
  });

  it('records the role of a role session and drops a previous one', () => {
    const role = apply({}, exportChange({}, { ...session, roleArn: 'arn:aws:iam::123456789012:role/admin' }));
    expect(role.MFA_ENV_ROLE_ARN).toBe('arn:aws:iam::123456789012:role/admin');
    expect(apply(role, exportChange(role, session)).MFA_ENV_ROLE_ARN).toBeUndefined();
  });

  it('keeps the values from before the first export across a second export', () => {
    const start = { AWS_PROFILE: 'work', AWS_REGION: 'us-west-2', HOME: '/home/u' };
    const first = apply(start, exportChange(start, { ...session, region: 'eu-west-1' }));
    const second = apply(
      first,
      exportChange(first, { ...session, profile: 'other', accessKeyId: 'ASIAEXAMPLE000000002' }),
    );
    expect(second.MFA_ENV_SAVED_AWS_PROFILE).toBe('work');
    expect(second.MFA_ENV_SAVED_AWS_REGION).toBe('us-west-2');
    // The second profile has no region: the user's own comes back rather than the first profile's.
    expect(second.AWS_REGION).toBe('us-west-2');
    expect(second.AWS_DEFAULT_REGION).toBeUndefined();
    expect(originalEnv(second)).toEqual(start);
  });
});

describe('clearChange', () => {
  it('returns the environment to exactly how it was, after any number of exports', () => {
    const start = {
      AWS_PROFILE: 'work',
      AWS_DEFAULT_REGION: 'ap-south-1',
      AWS_ACCESS_KEY_ID: 'AKIALONGTERM00000000',
      OTHER: 'x',
    };
    let env: Record<string, string | undefined> = start;
    for (const region of ['eu-west-1', undefined, 'us-east-2'])
      env = apply(env, exportChange(env, { ...session, region }));
    expect(apply(env, clearChange(env))).toEqual(start);
  });

  it('restores an empty value as empty, not as unset', () => {
    const start = { AWS_REGION: '' };
    const loaded = apply(start, exportChange(start, session));
    expect(apply(loaded, clearChange(loaded))).toEqual(start);
  });

  it('removes the label and the renewal time too', () => {
    const loaded = apply({}, exportChange({}, { ...session, renewAt: 1795370100 }));
    const cleared = apply(loaded, clearChange(loaded));
    expect(cleared).toEqual({});
  });

  it("touches nothing of the user's when no session is loaded", () => {
    const start = { AWS_ACCESS_KEY_ID: 'AKIALONGTERM00000000', AWS_PROFILE: 'work' };
    expect(apply(start, clearChange(start))).toEqual(start);
  });
});

describe('rfc3339', () => {
  it('drops milliseconds and keeps UTC', () => {
    expect(rfc3339(new Date('2026-01-02T03:04:05.678Z'))).toBe('2026-01-02T03:04:05Z');
  });
});
