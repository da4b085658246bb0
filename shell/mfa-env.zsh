# mfa-env integration for zsh 5.1+. Source it from ~/.zshrc (after compinit, for completion):
#   source /path/to/mfa-env/shell/mfa-env.zsh
# It defines:
#   mfa-env          a wrapper that runs mfa-env and evaluates the code mfa-env hands it (`mfa-env PROFILE`, `--clear`)
#   mfa-PROFILE      one function per AWS profile mfa-env can serve (prefix: $MFA_ENV_FUNCTION_PREFIX)
#   mfa_env_prompt   prints the loaded profile and the time left, e.g. "prod 42m"
#   MFA_ENV_PROMPT   the same, with colour and %{ %} markers, filled before each prompt (needs `setopt prompt_subst`)
# Whatever it evaluates or defines was rendered and quoted by mfa-env itself: this file reads no AWS file and knows
# none of mfa-env's options. Made from src/integration/templates/mfa-env.zsh by `npm run build`: edit that, not this.

zmodload -F zsh/datetime p:EPOCHSECONDS 2>/dev/null
zmodload -F zsh/stat b:zstat 2>/dev/null

# mfa-env writes the code for this shell to fd 3, a pipe read here; its stdout and stderr stay this function's and
# are never evaluated (help, list, --format json, exec's command...). Nothing is evaluated unless mfa-env succeeded.
mfa-env() {
  local __mfa_env_code
  local -i __mfa_env_status
  {
    __mfa_env_code=$(MFA_ENV_SHELL=zsh MFA_ENV_EVAL_FD=3 MFA_ENV_SKIPPED_FUNCTIONS=${__mfa_env_skipped-} command mfa-env "$@" 3>&1 1>&4 4>&-)
    __mfa_env_status=$?
  } 4>&1
  if (( __mfa_env_status == 0 )) && [[ -n $__mfa_env_code ]]; then
    eval "$__mfa_env_code"
  fi
  return __mfa_env_status
}

# The segment for the loaded session, in __mfa_env_segment (plain) and MFA_ENV_PROMPT (coloured, for PROMPT), from
# mfa-env's variables only.
__mfa_env_update_prompt() {
  emulate -L zsh
  typeset -g __mfa_env_segment= MFA_ENV_PROMPT=
  local label=${MFA_ENV_PROFILE_LABEL-} expires=${MFA_ENV_EXPIRES_AT-} renew=${MFA_ENV_RENEW_AT-}
  # A label mfa-env escaped, and times that are plain numbers; anything else shows nothing.
  [[ -n $label && $expires == <-> && $expires != 0* && ${#expires} -le 12 ]] || return 0
  [[ $renew == <-> && $renew != 0* && ${#renew} -le 12 ]] || renew=$expires
  local -i left=$(( expires - EPOCHSECONDS ))
  local text colour=green
  if (( left <= 0 )); then
    text=expired colour=red
  else
    # Whole minutes, rounded down, as status and list show it: rendered from TIME_LEFT_STEPS (src/profiles/duration.ts).
    if ((left < 60)); then
      text="<1m"
    elif ((left < 3600)); then
      text="$(( left / 60 ))m"
    else
      text="$(( left / 3600 ))h${(l:2::0:)$(( left % 3600 / 60 ))}m"
    fi
    (( left < 900 )) && colour=yellow
    (( EPOCHSECONDS >= renew )) && colour=red text="expiring $text"
  fi
  __mfa_env_segment="$label $text"
  # The prompt expands % escapes after parameters: a % in a profile name must stay a %.
  local shown=${__mfa_env_segment//\%/%%}
  if [[ -n ${NO_COLOR-} ]]; then
    MFA_ENV_PROMPT=$shown
  else
    MFA_ENV_PROMPT="%{%F{$colour}%}$shown%{%f%}"
  fi
}

mfa_env_prompt() {
  __mfa_env_update_prompt
  [[ -z $__mfa_env_segment ]] || print -r -- "$__mfa_env_segment"
}

# MFA_ENV_AUTO_RENEW=1: before a command runs, a session past its renewal time (MFA_ENV_MIN_TTL before its end,
# worked out by mfa-env) is renewed, with the length it was asked for, if that needs no code. Once renewal has
# failed for a session it is not tried again until another is loaded.
__mfa_env_auto_renew() {
  emulate -L zsh
  [[ ${MFA_ENV_AUTO_RENEW-} == 1 && -n ${MFA_ENV_PROFILE-} ]] || return 0
  local renew=${MFA_ENV_RENEW_AT-}
  [[ $renew == <-> && $renew != 0* && ${#renew} -le 12 && ${__mfa_env_renew_failed-} != $renew ]] || return 0
  (( EPOCHSECONDS >= renew )) || return 0
  # Never wait here for a code being typed in another terminal: the prompt would hang.
  MFA_ENV_LOCK_WAIT=0 mfa-env --no-input 2>/dev/null </dev/null || :
  # Failed, or renewed into a session that is due at once (shorter than MFA_ENV_MIN_TTL): not tried again for it.
  renew=${MFA_ENV_RENEW_AT-}
  if [[ $renew != <-> || $renew == 0* || ${#renew} -gt 12 ]] || (( EPOCHSECONDS >= renew )); then
    typeset -g __mfa_env_renew_failed=$renew
  fi
}

__mfa_env_hook() {
  __mfa_env_auto_renew
  __mfa_env_update_prompt
}

typeset -ga precmd_functions preexec_functions
(( ${precmd_functions[(Ie)__mfa_env_hook]} )) || precmd_functions+=(__mfa_env_hook)
(( ${preexec_functions[(Ie)__mfa_env_auto_renew]} )) || preexec_functions+=(__mfa_env_auto_renew)

# Called by the memo for each function it would define: false (and noted for `mfa-env status`) when the name is
# taken by a function, alias, builtin or reserved word of this shell. Commands on PATH were checked by mfa-env.
__mfa_env_free() {
  # Expanded before (( )) could see them: a name like e.f must never be read as arithmetic.
  if [[ ${+functions[$1]}${+aliases[$1]}${+builtins[$1]} == *1* ]] || (( ${reswords[(Ie)$1]} )); then
    __mfa_env_skipped+="$1 (profile $2: would shadow the existing $1)"$'\n'
    return 1
  fi
  __mfa_env_functions+=($1)
}

# Sources the memo $1 when it is a regular file of ours (checked on the open file, so what is checked is what is
# sourced) in a directory of ours, neither a symlink, starting with mfa-env's header. Sourced with its own path in
# __mfa_env_memo_check, it stops at once unless fresh; it sets __mfa_env_loaded when it has defined the functions.
__mfa_env_source_memo() {
  local memo=$1 dir=${1:h} line
  local -i fd
  local -a mode
  [[ -n $memo ]] || return 0
  # zstat (a module, no process) also tells the modes: a directory others can write to (mode & 022, 18 in decimal:
  # a base-8 constant here would make zsh print fd in base 8) is refused, as mfa-env does.
  if (( ${+builtins[zstat]} )) && { ! zstat -A mode +mode -- $dir 2>/dev/null || (( mode[1] & 18 )) }; then
    return 0
  fi
  if [[ -d $dir && ! -L $dir && -O $dir && -f $memo && ! -L $memo ]] && exec {fd}<$memo; then
    if [[ -f /dev/fd/$fd && -O /dev/fd/$fd ]] && IFS= read -r line <&$fd && [[ $line == '# mfa-env 0.1.0 profile functions for zsh: made by mfa-env, not to be edited' ]]; then
      # Unless mfa-env has just made it ($2): then it is fresh even where the clock has not moved since.
      local __mfa_env_memo_check=$memo
      [[ -z ${2-} ]] || __mfa_env_memo_check=
      # A stale memo returns 1 at once: not an error, also under set -e.
      source /dev/fd/$fd || :
    fi
    exec {fd}<&-
  fi
  return 0
}

# The profile functions, from the memo mfa-env keeps in its cache directory while it is fresh; otherwise one run of
# mfa-env makes it anew (or, when it cannot keep one, hands the code over itself).
__mfa_env_load_profiles() {
  local fn
  for fn in ${__mfa_env_functions-}; do unfunction -- $fn 2>/dev/null || :; done
  typeset -ga __mfa_env_functions=()
  typeset -g __mfa_env_skipped= __mfa_env_loaded=
  # Where mfa-env keeps it (cacheDir in src/session/cacheSettings.ts; a test holds the two together). Without an
  # absolute HOME mfa-env uses the home of the user database, which a shell cannot look up without a process.
  local dir= memo=
  if [[ -n ${MFA_ENV_CACHE_DIR-} ]]; then
    dir=$MFA_ENV_CACHE_DIR
  elif [[ ${XDG_CACHE_HOME-} == /* ]]; then
    dir=$XDG_CACHE_HOME/mfa-env
  elif [[ ${HOME-} == /* ]]; then
    dir=$HOME/.cache/mfa-env
  fi
  [[ -z $dir ]] || memo=$dir/profiles.zsh
  __mfa_env_source_memo "$memo"
  # A stale memo stops before it touches anything: nothing to undo before mfa-env makes a new one.
  if [[ -z $__mfa_env_loaded ]] && (( ${+commands[mfa-env]} )); then
    if [[ -n $memo ]]; then
      mfa-env __profiles zsh && [[ -z $__mfa_env_loaded ]] && __mfa_env_source_memo "$memo" made
    else
      mfa-env __profiles zsh --print
    fi
  fi
  return 0
}
__mfa_env_load_profiles

# Completion: mfa-env works out the candidates from the words up to the cursor; compadd quotes what it inserts.
__mfa_env_complete() {
  local -a candidates
  candidates=(${(f)"$(command mfa-env __complete zsh -- "${(@)words[1,CURRENT-1]}" "$PREFIX" 2>/dev/null)"})
  if (( ${#candidates} == 1 )) && [[ $candidates[1] == $'\001command' ]]; then
    # After `exec PROFILE -- COMMAND` the words are COMMAND's: completed as zsh completes COMMAND typed alone.
    local -i at=${words[(ie)--]}
    (( at < CURRENT - 1 )) || return 1
    shift $at words
    (( CURRENT -= at ))
    _normal
    return
  fi
  compadd -- $candidates
}
if (( $+functions[compdef] )); then
  compdef __mfa_env_complete mfa-env
  (( ${#__mfa_env_functions} )) && compdef __mfa_env_complete $__mfa_env_functions
fi
return 0
