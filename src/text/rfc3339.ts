/** RFC 3339 in UTC without fractions (`2026-11-22T18:00:00Z`): the form the AWS CLI, SDKs and Starship read. */
export function rfc3339(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
