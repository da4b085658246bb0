/**
 * `npm run coverage` sets NODE_V8_COVERAGE, which Node passes on to every child: the clean environments the tests
 * build for mfa-env keep it, so the CLI's runs are counted too. Empty when not measuring coverage.
 */
export function coverageEnv(): Record<string, string> {
  const dir = process.env.NODE_V8_COVERAGE;
  return dir ? { NODE_V8_COVERAGE: dir } : {};
}
