# shellcheck shell=bash
# mfa-env integration for bash 4.4+. Source it from ~/.bashrc:
#   source /path/to/mfa-env/shell/mfa-env.bash
# It defines:
#   mfa-env          a wrapper that runs mfa-env and evaluates the code mfa-env hands it (`mfa-env PROFILE`, `--clear`)
#   mfa-PROFILE      one function per AWS profile mfa-env can serve (prefix: $MFA_ENV_FUNCTION_PREFIX)
#   mfa_env_prompt   prints the loaded profile and the time left, e.g. "prod 42m"
#   MFA_ENV_PROMPT   the same, with colour and readline markers, filled before each prompt for use in PS1
# Whatever it evaluates or defines was rendered and quoted by mfa-env itself: this file reads no AWS file and knows
# none of mfa-env's options. @GENERATED@

# mfa-env writes the code for this shell to fd 3, a pipe read here; its stdout and stderr stay this function's and
# are never evaluated (help, list, --format json, exec's command...). Nothing is evaluated unless mfa-env succeeded.
mfa-env() {
  local __mfa_env_code __mfa_env_status
  {
    # exec: the subshell becomes mfa-env (bash would fork once more for the redirections); it also skips functions.
    __mfa_env_code=$(@SHELL_VAR@=bash @EVAL_FD_VAR@=3 @SKIPPED_VAR@=${__mfa_env_skipped-} exec mfa-env "$@" 3>&1 1>&4 4>&-)
    __mfa_env_status=$?
  } 4>&1
  if ((__mfa_env_status == 0)) && [[ -n ${__mfa_env_code} ]]; then
    eval "${__mfa_env_code}"
  fi
  return "${__mfa_env_status}"
}

# The segment for the loaded session, in __mfa_env_segment (plain) and MFA_ENV_PROMPT (coloured, for PS1), from
# mfa-env's variables only. Builtins only: printf's %(%s)T gives the time without starting `date`.
__mfa_env_update_prompt() {
  __mfa_env_segment=
  # MFA_ENV_PROMPT is read by the user's PS1, which shellcheck cannot see.
  # shellcheck disable=SC2034
  MFA_ENV_PROMPT=
  local label=${@LABEL_VAR@-} expires=${@EXPIRES_VAR@-} renew=${@RENEW_VAR@-}
  # A label mfa-env escaped, and times that are plain numbers; anything else shows nothing.
  [[ -n ${label} && ${expires} =~ ^[1-9][0-9]{0,11}$ ]] || return 0
  [[ ${renew} =~ ^[1-9][0-9]{0,11}$ ]] || renew=${expires}
  local now left text colour=32
  printf -v now '%(%s)T' -1
  left=$((expires - now))
  if ((left <= 0)); then
    text=expired colour=31
  else
    # Whole minutes, rounded down, as status and list show it: rendered from TIME_LEFT_STEPS (src/profiles/duration.ts).
    @TIME_LEFT_CODE@
    ((left < @SOON_SECONDS@)) && colour=33
    ((now >= renew)) && colour=31 text="expiring ${text}"
  fi
  __mfa_env_segment="${label} ${text}"
  if [[ -n ${NO_COLOR-} ]]; then
    MFA_ENV_PROMPT=${__mfa_env_segment}
  else
    # \001 and \002 tell readline the colour codes take no room, so line editing stays right. PS1 reads it.
    # shellcheck disable=SC2034
    MFA_ENV_PROMPT=$'\001\e['"${colour}m"$'\002'"${__mfa_env_segment}"$'\001\e[0m\002'
  fi
}

mfa_env_prompt() {
  __mfa_env_update_prompt
  [[ -z ${__mfa_env_segment} ]] || printf '%s\n' "${__mfa_env_segment}"
}

# MFA_ENV_AUTO_RENEW=1: a session past its renewal time (MFA_ENV_MIN_TTL before its end, worked out by mfa-env) is
# renewed, with the length it was asked for, if that needs no code. Once renewal has failed for a session it is not
# tried again until another is loaded.
__mfa_env_auto_renew() {
  [[ ${@AUTO_RENEW_VAR@-} == 1 && -n ${@PROFILE_VAR@-} ]] || return 0
  local renew=${@RENEW_VAR@-} now
  [[ ${renew} =~ ^[1-9][0-9]{0,11}$ && ${__mfa_env_renew_failed-} != "${renew}" ]] || return 0
  printf -v now '%(%s)T' -1
  ((now >= renew)) || return 0
  # Never wait here for a code being typed in another terminal: the prompt would hang.
  @LOCK_WAIT_VAR@=0 mfa-env @RENEW_ARGS@ 2>/dev/null </dev/null || :
  # Failed, or renewed into a session that is due at once (shorter than MFA_ENV_MIN_TTL): not tried again for it.
  renew=${@RENEW_VAR@-}
  if ! [[ ${renew} =~ ^[1-9][0-9]{0,11}$ ]] || ((now >= renew)); then
    __mfa_env_renew_failed=${renew}
  fi
}

__mfa_env_hook() {
  local status=$?
  __mfa_env_auto_renew
  __mfa_env_update_prompt
  return "${status}"
}

# Before each prompt; before each command too when bash-preexec is loaded.
if [[ ${PROMPT_COMMAND-} != *__mfa_env_hook* ]]; then
  PROMPT_COMMAND="__mfa_env_hook${PROMPT_COMMAND:+;${PROMPT_COMMAND#;}}"
fi
if declare -p preexec_functions >/dev/null 2>&1 && [[ " ${preexec_functions[*]} " != *" __mfa_env_auto_renew "* ]]; then
  preexec_functions+=(__mfa_env_auto_renew)
fi

# Called by the memo for each function it would define: false (and noted for `mfa-env status`) when the name is
# taken by a function or alias of this shell. Builtins, reserved words and commands on PATH were checked by mfa-env,
# once for all names: a lookup here per name would cost more than the function itself.
__mfa_env_free() {
  local kind=''
  if declare -F -- "$1" >/dev/null; then
    kind='function'
  elif [[ -n ${BASH_ALIASES[$1]+set} ]]; then
    kind='alias'
  fi
  if [[ -n ${kind} ]]; then
    __mfa_env_skipped+="$1 (profile $2: would shadow the ${kind} $1)"$'\n'
    return 1
  fi
  __mfa_env_functions+=("$1")
}

# Sources the memo $1 when it is a regular file of ours (checked on the open file, so what is checked is what is
# sourced) in a directory of ours, neither a symlink, starting with mfa-env's header. Sourced with its own path in
# __mfa_env_memo_check, it stops at once unless fresh; it sets __mfa_env_loaded when it has defined the functions.
__mfa_env_source_memo() {
  local memo=$1 dir=${1%/*} fd line
  [[ -n ${memo} ]] || return 0
  if [[ -d ${dir} && ! -L ${dir} && -O ${dir} && -f ${memo} && ! -L ${memo} ]] && exec {fd}<"${memo}"; then
    if [[ -f /dev/fd/${fd} && -O /dev/fd/${fd} ]] && IFS= read -r line <&"${fd}" && [[ ${line} == @MEMO_HEADER_QUOTED@ ]]; then
      # Unless mfa-env has just made it ($2): then it is fresh even where the clock has not moved since.
      local __mfa_env_memo_check=${memo}
      [[ -z ${2-} ]] || __mfa_env_memo_check=''
      # shellcheck source=/dev/null
      # A stale memo returns 1 at once: not an error, also under set -e.
      source "/dev/fd/${fd}" || :
    fi
    exec {fd}<&-
  fi
  return 0
}

# The profile functions, from the memo mfa-env keeps in its cache directory while it is fresh; otherwise one run of
# mfa-env makes it anew (or, when it cannot keep one, hands the code over itself).
__mfa_env_load_profiles() {
  local fn
  for fn in "${__mfa_env_functions[@]}"; do unset -f -- "${fn}"; done
  __mfa_env_functions=()
  __mfa_env_skipped=''
  __mfa_env_loaded=''
  # Where mfa-env keeps it (cacheDir in src/session/cacheSettings.ts; a test holds the two together). Without an
  # absolute HOME mfa-env uses the home of the user database, which a shell cannot look up without a process.
  local dir='' memo=''
  if [[ -n ${@CACHE_DIR_VAR@-} ]]; then
    dir=${@CACHE_DIR_VAR@}
  elif [[ ${XDG_CACHE_HOME-} == /* ]]; then
    dir=${XDG_CACHE_HOME}/mfa-env
  elif [[ ${HOME-} == /* ]]; then
    dir=${HOME}/.cache/mfa-env
  fi
  [[ -z ${dir} ]] || memo=${dir}/@MEMO_FILE@
  __mfa_env_source_memo "${memo}"
  # A stale memo stops before it touches anything: nothing to undo before mfa-env makes a new one.
  if [[ -z ${__mfa_env_loaded} ]] && type -P mfa-env >/dev/null; then
    if [[ -n ${memo} ]]; then
      mfa-env @PROFILES_COMMAND@ bash && [[ -z ${__mfa_env_loaded} ]] && __mfa_env_source_memo "${memo}" made
    else
      mfa-env @PROFILES_COMMAND@ bash --print
    fi
  fi
  return 0
}
__mfa_env_load_profiles

# Completion: mfa-env works out the words from the line up to the cursor, already escaped for readline to insert.
__mfa_env_complete() {
  # No candidates when mfa-env fails: nothing to report in the middle of a line being typed.
  # shellcheck disable=SC2312
  mapfile -t COMPREPLY < <(command mfa-env @COMPLETE_COMMAND@ bash -- "${COMP_WORDBREAKS}" "${COMP_LINE:0:COMP_POINT}" 2>/dev/null)
  # After `exec PROFILE -- COMMAND` the words are COMMAND's: completed as bash would complete COMMAND typed alone
  # (bash-completion's command offset, as for sudo), or as file names without bash-completion.
  if ((${#COMPREPLY[@]} == 1)) && [[ ${COMPREPLY[0]} == @DELEGATE_LINE_QUOTED@ ]]; then
    COMPREPLY=()
    local i
    for ((i = 1; i < COMP_CWORD; i++)); do
      [[ ${COMP_WORDS[i]} == -- ]] && break
    done
    if ((i + 1 < COMP_CWORD)) && declare -F _comp_command_offset >/dev/null; then
      _comp_command_offset $((i + 1))
    elif ((i + 1 < COMP_CWORD)) && declare -F _command_offset >/dev/null; then
      _command_offset $((i + 1))
    else
      compopt -o default
    fi
  fi
}
complete -F __mfa_env_complete mfa-env
if ((${#__mfa_env_functions[@]})); then
  complete -F __mfa_env_complete "${__mfa_env_functions[@]}"
fi
