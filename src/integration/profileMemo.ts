// The profile functions as code for one shell: what `mfa-env __profiles SHELL` hands the integration and keeps in
// the cache directory for the next shell start. Top-level code, since shells parse a long function body slowly
// (zsh takes seconds for 5,000 lines): when sourced with __mfa_env_memo_check set to the memo's own path, it first
// checks that everything it was made from is unchanged (each environment variable read, as exported; each AWS file
// older than the memo, or still absent) and returns 1 at once otherwise. Then it defines the functions (through the
// integration's __mfa_env_free, which checks each name against the shell's own functions, aliases and builtins) and
// sets __mfa_env_loaded. Every name and value in it is quoted here, with the quoting the exports use; no secret and
// no file content is written, only paths, names and the variables' values.
import { showName } from '../text/showText';
import type { FunctionPlan } from './profileFunctions';
import { fishVarName, type IntegrationShell, SHELL_TABLE } from './shellTable';

export interface MemoInputs {
  /** Variable → value, or undefined when unset: what making the functions read. */
  env: ReadonlyMap<string, string | undefined>;
  /** Each AWS file, and whether it existed. */
  files: ReadonlyArray<{ path: string; exists: boolean }>;
}

/** Names of variables: checked, as they are written into code unquoted. */
const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Function names: planFunctions makes them of these characters only, which no shell reads as syntax. */
const FUNCTION_NAME = /^[A-Za-z0-9_.@+%:][A-Za-z0-9_.@+%:-]*$/;

export function renderMemo(shell: IntegrationShell, inputs: MemoInputs, plan: FunctionPlan): string {
  const { memoHeader } = SHELL_TABLE[shell];
  const quote = shell === 'fish' ? fishWord : SHELL_TABLE[shell].quote;
  const variables = [...inputs.env].filter(([name]) => VARIABLE_NAME.test(name));
  for (const f of plan.functions)
    if (!FUNCTION_NAME.test(f.name)) throw new Error(`refusing to render function name ${JSON.stringify(f.name)}`);
  const warning = plan.problem && `mfa-env: warning: no profile functions: ${plan.problem}`;
  const r = RENDERERS[shell];
  return [memoHeader, r.fresh(variables, inputs.files, quote), r.apply(plan, warning, quote), ''].join('\n');
}

type Quote = (value: string) => string;

/** fish: a word bare when fish_indent would write it so (letters, digits, `_ / -`), else quoted. */
function fishWord(value: string): string {
  return /^[A-Za-z0-9_/-]+$/.test(value) ? value : SHELL_TABLE.fish.quote(value);
}

/** `set -g NAME WORDS...`, with no trailing blank when the list is empty. */
function fishSet(name: string, words: string[]): string {
  return [`set -g ${name}`, ...words].join(' ');
}

type Variables = Array<[string, string | undefined]>;
type Files = MemoInputs['files'];

interface Renderer {
  fresh(variables: Variables, files: Files, quote: Quote): string;
  apply(plan: FunctionPlan, warning: string | undefined, quote: Quote): string;
}

/**
 * bash and zsh share one syntax for the memo; they differ in how a variable is known to be exported, and zsh's
 * `typeset -g` keeps an assignment global under `warn_create_global`.
 */
function shFamily(exported: (name: string) => string, notExported: (name: string) => string, global: string): Renderer {
  return {
    fresh: (variables, files, q) =>
      [
        // biome-ignore lint/suspicious/noTemplateCurlyInString: bash's own expansion, in the code written for bash
        'if [[ -n ${__mfa_env_memo_check-} ]]; then',
        ...variables.map(([name, value]) =>
          value === undefined
            ? `  [[ ${notExported(name)} ]] || return 1`
            : `  [[ ${exported(name)} && \${${name}-} == ${q(value)} ]] || return 1`,
        ),
        ...files.map(({ path, exists }) =>
          exists
            ? `  [[ \${__mfa_env_memo_check} -nt ${q(path)} ]] || return 1`
            : `  [[ ! -e ${q(path)} && ! -L ${q(path)} ]] || return 1`,
        ),
        'fi',
      ].join('\n'),
    apply: (plan, warning, q) =>
      [
        `${global}__mfa_env_skipped=${q(plan.skipped.map((s) => `${s}\n`).join(''))}`,
        ...(warning ? [`printf '%s\\n' ${q(warning)} >&2`] : []),
        // `function NAME`: the word after `function` is never alias-expanded, so an alias of the name cannot break it.
        ...plan.functions.map(
          (f) =>
            `__mfa_env_free ${f.name} ${q(f.profile)} && function ${f.name} { mfa-env --profile=${q(f.profile)} "$@"; }`,
        ),
        `${global}__mfa_env_loaded=1`,
      ].join('\n'),
  };
}

const RENDERERS: Record<IntegrationShell, Renderer> = {
  // Only exported variables reach mfa-env: ${NAME@a} holds x when exported in bash, ${(t)NAME} "export" in zsh.
  bash: shFamily(
    (name) => `-n \${${name}+set} && \${${name}@a} == *x*`,
    (name) => `-z \${${name}+set} || \${${name}@a} != *x*`,
    '',
  ),
  zsh: shFamily(
    (name) => `\${(t)${name}-} == *export*`,
    (name) => `\${(t)${name}-} != *export*`,
    'typeset -g ',
  ),
  fish: {
    fresh: (variables, files, q) =>
      [
        'if set -q __mfa_env_memo_check[1]',
        // Quoted, a variable whose name ends in PATH is joined with colons: as it is exported.
        ...variables.map(([name, value]) =>
          value === undefined
            ? `    not set -qx ${name}; or return 1`
            : `    set -qx ${name}; and test "$${name}" = ${q(value)}; or return 1`,
        ),
        ...(files.some((f) => f.exists) ? ['    set -l memo (path mtime -- $__mfa_env_memo_check); or return 1'] : []),
        ...files.map(({ path, exists }) =>
          exists
            ? `    set -l t (path mtime -- ${q(path)}); and test $memo -gt $t; or return 1`
            : `    not test -e ${q(path)}; and not test -L ${q(path)}; or return 1`,
        ),
        'end',
      ].join('\n'),
    // The integration sets __mfa_env_t_NAME for each function and builtin the shell has; a taken name is skipped.
    apply: (plan, warning, q) =>
      [
        fishSet('__mfa_env_skipped', plan.skipped.map(q)),
        ...(warning ? [`printf '%s\\n' ${q(warning)} >&2`] : []),
        fishSet(
          '__mfa_env_functions',
          plan.functions.map((f) => q(f.name)),
        ),
        ...plan.functions.flatMap((f) => [
          `set -q __mfa_env_t_${fishVarName(f.name)}; and __mfa_env_skip ${q(f.name)} ${q(f.profile)}`,
          `or function ${q(f.name)} --wraps mfa-env --description ${q(`mfa-env for AWS profile ${showName(f.profile)}`)}`,
          `    mfa-env --profile=${q(f.profile)} $argv`,
          'end',
        ]),
        'set -g __mfa_env_loaded 1',
      ].join('\n'),
  },
};
