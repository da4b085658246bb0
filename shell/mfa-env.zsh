# mfa-env integration for zsh 5.1+. Source it from ~/.zshrc (after compinit, for completion):
#   source /path/to/mfa-env/shell/mfa-env.zsh
# It defines:
#   mfa-env          a wrapper that evaluates what changes the environment (`mfa-env PROFILE`, `mfa-env --clear`)
#   mfa-PROFILE      one function per AWS profile that has an MFA device (prefix: $MFA_ENV_FUNCTION_PREFIX)
#   mfa_env_prompt   prints the loaded profile and the time left, e.g. "prod 42m"
#   MFA_ENV_PROMPT   the same, with colour and %{ %} markers, filled before each prompt (needs `setopt prompt_subst`)
# Sourcing reads the AWS config files with builtins and modules only: no process is started, and nothing is printed.

zmodload -F zsh/datetime p:EPOCHSECONDS 2>/dev/null
zmodload -F zsh/mapfile p:mapfile 2>/dev/null

# Commands that only print: they run as they are, their output is not evaluated.
typeset -ga __mfa_env_passthrough=(exec forget init list policy setup status whoami)

mfa-env() {
  emulate -L zsh
  if (( ${@[(I)(-h|--help|--version)]} )) || (( ${__mfa_env_passthrough[(Ie)${1-}]} )); then
    # status reports the functions that were skipped, which only this shell knows.
    MFA_ENV_SKIPPED_FUNCTIONS="${__mfa_env_skipped-}" command mfa-env "$@"
    return
  fi
  local code
  code=$(MFA_ENV_SHELL=zsh command mfa-env "$@")
  local exit_status=$?
  # On failure the output is empty anyway; not evaluating it keeps the environment exactly as it was.
  (( exit_status == 0 )) && eval "$code"
  return $exit_status
}

# The segment for the loaded session, in __mfa_env_segment (plain) and MFA_ENV_PROMPT (coloured, for PROMPT).
__mfa_env_update_prompt() {
  emulate -L zsh
  typeset -g __mfa_env_segment= MFA_ENV_PROMPT=
  [[ -n ${MFA_ENV_PROFILE-} && ${MFA_ENV_EXPIRES_AT-} == <-> ]] || return 0
  local -i left=$(( MFA_ENV_EXPIRES_AT - EPOCHSECONDS ))
  local text colour
  if (( left <= 0 )); then
    text=expired colour=red
  elif (( left < 3600 )); then
    text="$(( left / 60 ))m" colour=green
    (( left < 900 )) && colour=yellow
    (( left < 300 )) && colour=red text="expiring $text"
  else
    text=${(l:2::0:)$(( left % 3600 / 60 ))}
    text="$(( left / 3600 ))h${text}m" colour=green
  fi
  __mfa_env_segment="$MFA_ENV_PROFILE $text"
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

# MFA_ENV_AUTO_RENEW=1: before a command runs, a session within 5 minutes of its end is renewed, if that needs no
# code (a role behind a cached MFA session). Once renewal has failed for a session it is not tried again.
__mfa_env_auto_renew() {
  emulate -L zsh
  [[ ${MFA_ENV_AUTO_RENEW-} == 1 && -n ${MFA_ENV_PROFILE-} && ${MFA_ENV_EXPIRES_AT-} == <-> ]] || return 0
  [[ ${__mfa_env_renew_failed-} != $MFA_ENV_EXPIRES_AT ]] || return 0
  (( MFA_ENV_EXPIRES_AT - EPOCHSECONDS < 300 )) || return 0
  local failed_for=$MFA_ENV_EXPIRES_AT
  # Never wait here for a code being typed in another terminal: the prompt would hang.
  MFA_ENV_LOCK_WAIT=0 mfa-env --no-input 2>/dev/null </dev/null || typeset -g __mfa_env_renew_failed=$failed_for
}

__mfa_env_hook() {
  __mfa_env_auto_renew
  __mfa_env_update_prompt
}

typeset -ga precmd_functions preexec_functions
(( ${precmd_functions[(Ie)__mfa_env_hook]} )) || precmd_functions+=(__mfa_env_hook)
(( ${preexec_functions[(Ie)__mfa_env_auto_renew]} )) || preexec_functions+=(__mfa_env_auto_renew)

# Profile names and whether each has an MFA device, read from the AWS files ($1 config, $2 credentials) as the
# AWS CLI reads them: [profile NAME] and [default] in config, [NAME] in credentials.
__mfa_env_scan() {
  emulate -L zsh
  setopt extended_glob
  typeset -ga __mfa_env_profile_names=()
  local file kind line name key value
  local -a lines
  for kind in config credentials; do
    [[ $kind == config ]] && file=$1 || file=$2
    [[ -f $file && -r $file ]] || continue
    lines=("${(@f)mapfile[$file]}")
    name=
    for line in $lines; do
      line=${line%$'\r'}
      case $line in
        ([[:space:]]#\[*)
          line=${${line##[[:space:]]#}%%[[:space:]]#}
          [[ $line == \[*\] ]] || continue
          name=${${${line#\[}%\]}##[[:space:]]#}
          name=${name%%[[:space:]]#}
          if [[ $kind == config ]]; then
            if [[ $name == default ]]; then :
            elif [[ $name == profile[[:space:]]* ]]; then
              name=${${name#profile}##[[:space:]]#}
              [[ $name == [\"\']*[\"\'] ]] && name=${name[2,-2]}
            else
              name= # sso-session, services and other sections are not profiles
            fi
          fi
          if [[ -n $name && -z ${__mfa_env_seen[$name]-} ]]; then
            __mfa_env_seen[$name]=1
            __mfa_env_profile_names+=("$name")
          fi
          ;;
        ((mfa_serial|aws_mfa_device|source_profile)[[:space:]=]*)
          [[ -n $name ]] || continue
          key=${line%%[[:space:]=]*}
          # As the SDK's parser: a comment starts at whitespace followed by # or ;.
          value=${${line#*=}%%[[:space:]][\#\;]*}
          value=${${value##[[:space:]]#}%%[[:space:]]#}
          if [[ $key == source_profile ]]; then
            __mfa_env_source[$name]=$value
          elif [[ -n $value ]]; then
            __mfa_env_mfa[$name]=1
          fi
          ;;
      esac
    done
  done
}

# Can mfa-env serve this profile: an MFA device on it, on its aws-mfa -long-term section, or down its sources?
__mfa_env_servable() {
  local name=$1
  local -i hops
  for (( hops = 0; hops < 10; hops++ )); do
    [[ -n ${__mfa_env_mfa[$name]-} || -n ${__mfa_env_mfa[$name-long-term]-} ]] && return 0
    [[ -n ${__mfa_env_source[$name]-} && ${__mfa_env_source[$name]} != $name ]] || return 1
    name=${__mfa_env_source[$name]}
  done
  return 1
}

# The profile names, and those mfa-env can serve, into __mfa_env_profile_names and __mfa_env_servable_names. The
# result is kept in profiles.zsh in the cache directory and reused while it is newer than both AWS files; the file
# must be ours, since it is sourced.
__mfa_env_load_profiles() {
  emulate -L zsh
  local home=${HOME-}
  local config=${AWS_CONFIG_FILE:-$home/.aws/config} credentials=${AWS_SHARED_CREDENTIALS_FILE:-$home/.aws/credentials}
  [[ $config == '~/'* ]] && config=$home/${config#'~/'}
  [[ $credentials == '~/'* ]] && credentials=$home/${credentials#'~/'}
  local dir=${MFA_ENV_CACHE_DIR-}
  if [[ -z $dir ]]; then
    dir=${XDG_CACHE_HOME-}
    [[ $dir == /* ]] || dir=$home/.cache
    dir=$dir/mfa-env
  fi
  local memo=$dir/profiles.zsh key="$config:$credentials"
  if [[ -O $memo && $memo -nt $config && $memo -nt $credentials ]]; then
    local __mfa_env_memo_key=
    source $memo
    [[ $__mfa_env_memo_key == $key ]] && return 0
  fi
  local -A __mfa_env_seen __mfa_env_mfa __mfa_env_source
  __mfa_env_scan $config $credentials
  typeset -ga __mfa_env_servable_names=()
  local name
  for name in $__mfa_env_profile_names; do
    # aws-mfa keeps keys in NAME-long-term; the function is for NAME.
    if [[ $name == *-long-term ]]; then
      name=${name%-long-term}
      [[ -n ${__mfa_env_seen[$name]-} ]] && continue
      __mfa_env_seen[$name]=1
    fi
    __mfa_env_servable $name && __mfa_env_servable_names+=($name)
  done
  if [[ -d $dir && -O $dir && -w $dir ]]; then
    # The key goes last: a file cut short by a concurrent start is never taken for a complete one.
    print -r -- "__mfa_env_profile_names=(${(j: :)${(@q)__mfa_env_profile_names}})
__mfa_env_servable_names=(${(j: :)${(@q)__mfa_env_servable_names}})
__mfa_env_memo_key=${(q)key}" >| $memo 2>/dev/null
  fi
}

# One function per servable profile. A name that would shadow a command, builtin, alias, keyword or function of the
# user's is skipped and recorded for `mfa-env status`; our own from an earlier sourcing are replaced.
__mfa_env_define_functions() {
  emulate -L zsh
  local fn name
  for fn in ${__mfa_env_functions-}; do unfunction -- $fn 2>/dev/null; done
  typeset -ga __mfa_env_functions=()
  typeset -g __mfa_env_skipped=
  __mfa_env_load_profiles
  local prefix=${MFA_ENV_FUNCTION_PREFIX-mfa-}
  local -A taken
  for name in $__mfa_env_servable_names; do
    fn=$prefix${name//[^A-Za-z0-9_.@+%:-]/_}
    if [[ -n ${taken[$fn]-} ]]; then
      __mfa_env_skipped+="$fn (profile $name: same name as profile ${taken[$fn]})"$'\n'
    # Expanded before (( )) sees them: a name like e.f must never be read as arithmetic. reswords is an array.
    elif [[ ${+functions[$fn]}${+aliases[$fn]}${+builtins[$fn]}${+commands[$fn]} == *1* ]] || (( ${reswords[(Ie)$fn]} )); then
      __mfa_env_skipped+="$fn (profile $name: would shadow the existing $fn)"$'\n'
    else
      functions[$fn]="mfa-env ${(q)${:---profile=$name}} \"\$@\""
      __mfa_env_functions+=($fn)
    fi
    taken[$fn]=$name
  done
}
__mfa_env_define_functions

__mfa_env_complete() {
  local -a options=(--clear --forget --token-code --duration --refresh --no-cache --no-input --mfa-serial --endpoint-url --shell --profile --help --version)
  if [[ $PREFIX == -* ]]; then
    compadd -- $options
  elif (( CURRENT == 2 )) && [[ $words[1] == mfa-env ]]; then
    compadd -- $__mfa_env_passthrough $__mfa_env_profile_names
  else
    compadd -- $__mfa_env_profile_names
  fi
}
if (( $+functions[compdef] )); then
  compdef __mfa_env_complete mfa-env
  (( ${#__mfa_env_functions} )) && compdef __mfa_env_complete $__mfa_env_functions
fi
return 0
