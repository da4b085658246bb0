/**
 * `mfa-env policy`: the MFA-enforcing IAM policy from the AWS documentation. Users may see and manage their own
 * password, access keys and MFA device and call sts:GetSessionToken without MFA; everything else is denied until
 * they have signed in (or got their credentials) with MFA.
 */
export const MFA_POLICY = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'AllowViewAccountInfo',
      Effect: 'Allow',
      Action: ['iam:GetAccountPasswordPolicy', 'iam:ListVirtualMFADevices'],
      Resource: '*',
    },
    {
      Sid: 'AllowManageOwnPasswordAndKeys',
      Effect: 'Allow',
      Action: [
        'iam:ChangePassword',
        'iam:GetUser',
        'iam:CreateAccessKey',
        'iam:DeleteAccessKey',
        'iam:ListAccessKeys',
        'iam:UpdateAccessKey',
        'iam:GetAccessKeyLastUsed',
      ],
      // biome-ignore lint/suspicious/noTemplateCurlyInString: an IAM policy variable, for IAM to fill in
      Resource: 'arn:aws:iam::*:user/${aws:username}',
    },
    {
      Sid: 'AllowManageOwnVirtualMFADevice',
      Effect: 'Allow',
      Action: ['iam:CreateVirtualMFADevice'],
      Resource: 'arn:aws:iam::*:mfa/*',
    },
    {
      Sid: 'AllowManageOwnUserMFA',
      Effect: 'Allow',
      Action: [
        'iam:DeactivateMFADevice',
        'iam:EnableMFADevice',
        'iam:GetMFADevice',
        'iam:ListMFADevices',
        'iam:ResyncMFADevice',
      ],
      // biome-ignore lint/suspicious/noTemplateCurlyInString: an IAM policy variable, for IAM to fill in
      Resource: 'arn:aws:iam::*:user/${aws:username}',
    },
    {
      Sid: 'DenyAllExceptListedIfNoMFA',
      Effect: 'Deny',
      NotAction: [
        'iam:CreateVirtualMFADevice',
        'iam:EnableMFADevice',
        'iam:GetUser',
        'iam:GetMFADevice',
        'iam:ChangePassword',
        'iam:ListMFADevices',
        'iam:ListVirtualMFADevices',
        'iam:ResyncMFADevice',
        'sts:GetSessionToken',
      ],
      Resource: '*',
      Condition: { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } },
    },
  ],
};

export function policy(): string {
  return `${JSON.stringify(MFA_POLICY, null, 2)}\n`;
}
