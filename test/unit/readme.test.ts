// The README's examples are what a newcomer copies first.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const README = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');

/** Each `[section]` of the README's ini examples, with its keys. */
function iniSections(): Array<{ name: string; keys: Set<string> }> {
  const sections: Array<{ name: string; keys: Set<string> }> = [];
  for (const [, block] of README.matchAll(/```ini\n([\s\S]*?)```/g)) {
    for (const line of block.split('\n')) {
      const header = /^\[(.+)\]/.exec(line);
      if (header) sections.push({ name: header[1], keys: new Set() });
      const key = /^(\w+)\s*=/.exec(line);
      if (key && sections.length) sections[sections.length - 1].keys.add(key[1]);
    }
  }
  return sections;
}

describe('README examples', () => {
  it('every role profile has a region: the session mfa-env loads for it would leave the AWS CLI without one', () => {
    const roles = iniSections().filter((s) => s.keys.has('role_arn'));
    expect(roles.length).toBeGreaterThan(1);
    expect(roles.filter((s) => !s.keys.has('region')).map((s) => s.name)).toEqual([]);
  });
});
