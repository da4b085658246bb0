import { ConfigError } from '../errors';
import { show } from '../text/showText';
import type { ConfigFiles, Section } from './configFiles';
import { nearMiss } from './nearMiss';

const LONG_TERM = '-long-term';

export interface Profile {
  name: string;
  /** Config-file keys overlaid with credentials-file keys, which win on a clash as with the AWS CLI. */
  settings: Section;
  /** The file a key came from, for messages that tell the user where to look. */
  fileOf(key: string): string;
}

/** The profiles of both files, looked up by name. */
export class ProfileSet {
  private readonly made = new Map<string, Profile | undefined>();

  constructor(readonly files: ConfigFiles) {}

  has(name: string): boolean {
    return own(this.files.config, name) !== undefined || own(this.files.credentials, name) !== undefined;
  }

  /** Every profile name in either file, config-file order first. */
  names(): string[] {
    const names = new Set<string>();
    for (const name of Object.keys(this.files.config)) if (!name.startsWith('services.')) names.add(name);
    for (const name of Object.keys(this.files.credentials)) names.add(name);
    return [...names];
  }

  get(name: string): Profile | undefined {
    // Made once per name: resolving a role looks its profiles up several times, and `list` resolves thousands.
    if (this.made.has(name)) return this.made.get(name);
    const fromConfig = own(this.files.config, name);
    const fromCredentials = own(this.files.credentials, name);
    const { configPath, credentialsPath } = this.files;
    const profile: Profile | undefined =
      fromConfig || fromCredentials
        ? {
            name,
            settings: { ...fromConfig, ...fromCredentials },
            fileOf: (key) => (fromCredentials && Object.hasOwn(fromCredentials, key) ? credentialsPath : configPath),
          }
        : undefined;
    this.made.set(name, profile);
    return profile;
  }

  /** The profile, or an error that lists what there is and suggests a near miss; `why` says where the name came from. */
  require(name: string, why?: string): Profile {
    const profile = this.get(name);
    if (!profile) {
      const { configPath, credentialsPath } = this.files;
      throw new ConfigError(
        `profile ${show(name)}${why ? ` (${why})` : ''} not found in ${show(configPath)} or ${show(credentialsPath)}; ${this.whatThereIs(name)}`,
      );
    }
    return profile;
  }

  /**
   * For a name not found: the near miss, and the first few names there are (a config may hold thousands). An
   * aws-mfa `NAME-long-term` section counts as NAME, which is what one asks mfa-env for.
   */
  whatThereIs(name: string): string {
    const names = [
      ...new Set(
        this.names().map((n) =>
          n.endsWith(LONG_TERM) && n.length > LONG_TERM.length ? n.slice(0, -LONG_TERM.length) : n,
        ),
      ),
    ];
    if (names.length === 0)
      return 'neither file has any profile (are AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE right?)';
    const guess = nearMiss(name, names);
    const shown = names.filter((n) => n.length <= 64).slice(0, 5);
    const more = names.length - shown.length;
    const listing = `${shown.map(show).join(', ')}${more ? ` and ${more.toLocaleString('en-US')} more (mfa-env list)` : ''}`;
    return guess === undefined
      ? `profiles there: ${listing}`
      : `did you mean ${show(guess)}? Profiles there: ${listing}`;
  }

  /** A `[services NAME]` section of the config file (per-service endpoints). */
  services(name: string): Section | undefined {
    return own(this.files.config, `services.${name}`);
  }
}

/** A key's value, or undefined when absent or empty. */
export function setting(profile: Profile, key: string): string | undefined {
  const value = profile.settings[key];
  return value === undefined || value === '' ? undefined : value;
}

/** Where a key's value came from, as messages name it: `KEY of profile "NAME" in "FILE"`. */
export function settingOrigin(profile: Profile, key: string): string {
  return `${key} of profile ${show(profile.name)} in ${show(profile.fileOf(key))}`;
}

// Profile names come from the user's files; `toString` or `constructor` must not find Object.prototype.
export function own(sections: Record<string, Section>, name: string): Section | undefined {
  return Object.hasOwn(sections, name) ? sections[name] : undefined;
}
