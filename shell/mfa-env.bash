# shellcheck shell=bash
# mfa-env integration for bash 4.3+. Source it from ~/.bashrc:
#   source /path/to/mfa-env/shell/mfa-env.bash
# It defines:
#   mfa-env          a wrapper that evaluates what changes the environment (`mfa-env PROFILE`, `mfa-env --clear`)
#   mfa-PROFILE      one function per AWS profile that has an MFA device (prefix: $MFA_ENV_FUNCTION_PREFIX)
#   mfa_env_prompt   prints the loaded profile and the time left, e.g. "prod 42m"
#   MFA_ENV_PROMPT   the same, with colour and readline markers, filled before each prompt for use in PS1
# Sourcing reads the AWS config files with shell builtins only: no process is started, and nothing is printed.

# Commands that only print: they run as they are, their output is not evaluated.
__mfa_env_passthrough=' exec forget init list policy setup status whoami '

mfa-env() {
  local arg
  for arg in "$@"; do
    case $arg in
      -h | --help | --version) \command mfa-env "$@"; return ;;
    esac
  done
  if [[ $__mfa_env_passthrough == *" ${1-} "* ]]; then
    if [[ ${1-} == status ]]; then
      # status reports the functions that were skipped, which only this shell knows.
      MFA_ENV_SKIPPED_FUNCTIONS="${__mfa_env_skipped-}" \command mfa-env "$@"
    else
      \command mfa-env "$@"
    fi
    return
  fi
  local __mfa_env_code __mfa_env_status
  __mfa_env_code=$(MFA_ENV_SHELL=bash \command mfa-env "$@")
  __mfa_env_status=$?
  # On failure the output is empty anyway; not evaluating it keeps the environment exactly as it was.
  if ((__mfa_env_status == 0)); then
    eval "$__mfa_env_code"
  fi
  return "$__mfa_env_status"
}

# The segment for the loaded session, in __mfa_env_segment (plain) and MFA_ENV_PROMPT (coloured for PS1).
# Builtins only: printf's %(%s)T gives the time without starting `date`.
__mfa_env_update_prompt() {
  __mfa_env_segment=
  # shellcheck disable=SC2034 # read by the user's PS1
  MFA_ENV_PROMPT=
  [[ -n ${MFA_ENV_PROFILE-} && ${MFA_ENV_EXPIRES_AT-} =~ ^[0-9]+$ ]] || return 0
  local now left text colour
  printf -v now '%(%s)T' -1
  left=$((MFA_ENV_EXPIRES_AT - now))
  if ((left <= 0)); then
    text=expired colour=31
  elif ((left < 3600)); then
    text="$((left / 60))m"
    colour=32
    ((left < 900)) && colour=33
    ((left < 300)) && colour=31 text="expiring $text"
  else
    printf -v text '%dh%02dm' $((left / 3600)) $((left % 3600 / 60))
    colour=32
  fi
  __mfa_env_segment="$MFA_ENV_PROFILE $text"
  if [[ -n ${NO_COLOR-} ]]; then
    MFA_ENV_PROMPT=$__mfa_env_segment
  else
    # \001 and \002 tell readline the colour codes take no room, so line editing stays right.
    # shellcheck disable=SC2034 # read by the user's PS1
    MFA_ENV_PROMPT=$'\001\e['"${colour}m"$'\002'"$__mfa_env_segment"$'\001\e[0m\002'
  fi
}

mfa_env_prompt() {
  __mfa_env_update_prompt
  [[ -z $__mfa_env_segment ]] || printf '%s\n' "$__mfa_env_segment"
}

# MFA_ENV_AUTO_RENEW=1: a session within 5 minutes of its end is renewed, if that needs no code (a role behind a
# cached MFA session). Once renewal has failed for a session it is not tried again until another is loaded.
__mfa_env_auto_renew() {
  [[ ${MFA_ENV_AUTO_RENEW-} == 1 && -n ${MFA_ENV_PROFILE-} && ${MFA_ENV_EXPIRES_AT-} =~ ^[0-9]+$ ]] || return 0
  [[ ${__mfa_env_renew_failed-} != "$MFA_ENV_EXPIRES_AT" ]] || return 0
  local now
  printf -v now '%(%s)T' -1
  ((MFA_ENV_EXPIRES_AT - now < 300)) || return 0
  local failed_for=$MFA_ENV_EXPIRES_AT
  # Never wait here for a code being typed in another terminal: the prompt would hang.
  MFA_ENV_LOCK_WAIT=0 mfa-env --no-input 2>/dev/null </dev/null || __mfa_env_renew_failed=$failed_for
}

__mfa_env_hook() {
  local status=$?
  __mfa_env_auto_renew
  __mfa_env_update_prompt
  return "$status"
}

# Before each prompt; before each command too when bash-preexec is loaded.
if [[ ${PROMPT_COMMAND-} != *__mfa_env_hook* ]]; then
  PROMPT_COMMAND="__mfa_env_hook${PROMPT_COMMAND:+;${PROMPT_COMMAND#;}}"
fi
if declare -p preexec_functions >/dev/null 2>&1 && [[ " ${preexec_functions[*]} " != *" __mfa_env_auto_renew "* ]]; then
  preexec_functions+=(__mfa_env_auto_renew)
fi

# Profile names and whether each has an MFA device, read from the AWS files ($1 config, $2 credentials) as the
# AWS CLI reads them: [profile NAME] and [default] in config, [NAME] in credentials.
__mfa_env_scan() {
  __mfa_env_profile_names=()
  local file kind line name key value
  for kind in config credentials; do
    if [[ $kind == config ]]; then file=$1; else file=$2; fi
    [[ -f $file && -r $file ]] || continue
    local -a lines=()
    mapfile -t lines <"$file"
    name=
    # Glob patterns only: bash compiles a regex anew on every match, which costs ~10 ms per 1000 lines.
    for line in "${lines[@]}"; do
      case $line in
        '['* | [[:space:]]*'['*)
          line=${line%$'\r'}
          __mfa_env_trim line
          [[ $line == '['*']' ]] || continue
          name=${line:1:${#line}-2}
          __mfa_env_trim name
          if [[ $kind == config ]]; then
            case $name in
              default) ;;
              profile[[:space:]]*)
                name=${name#profile}
                __mfa_env_trim name
                [[ $name == [\"\']*[\"\'] ]] && name=${name:1:${#name}-2}
                ;;
              *) name= ;; # sso-session, services and other sections are not profiles
            esac
          fi
          if [[ -n $name && -z ${__mfa_env_seen[$name]-} ]]; then
            __mfa_env_seen[$name]=1
            __mfa_env_profile_names+=("$name")
          fi
          ;;
        mfa_serial[[:space:]=]* | aws_mfa_device[[:space:]=]* | source_profile[[:space:]=]*)
          [[ -n $name ]] || continue
          key=${line%%[[:space:]=]*}
          value=${line#*=}
          # As the SDK's parser: a comment starts at whitespace followed by # or ;.
          value=${value%%[[:space:]][#;]*}
          value=${value%$'\r'}
          __mfa_env_trim value
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

# Strips surrounding whitespace from the variable named $1, in place. Loops that rarely run: the usual
# ${v%"${v##*[![:space:]]}"} idiom costs ~12 us a call, which hundreds of profiles turn into milliseconds.
__mfa_env_trim() {
  local -n __mfa_env_trimmed=$1
  while [[ $__mfa_env_trimmed == [[:space:]]* ]]; do __mfa_env_trimmed=${__mfa_env_trimmed#?}; done
  while [[ $__mfa_env_trimmed == *[[:space:]] ]]; do __mfa_env_trimmed=${__mfa_env_trimmed%?}; done
}

# Can mfa-env serve this profile: an MFA device on it, on its aws-mfa -long-term section, or down its sources?
__mfa_env_servable() {
  local name=$1 hops
  for ((hops = 0; hops < 10; hops++)); do
    [[ -n ${__mfa_env_mfa[$name]-} || -n ${__mfa_env_mfa[$name-long-term]-} ]] && return 0
    [[ -n ${__mfa_env_source[$name]-} && ${__mfa_env_source[$name]} != "$name" ]] || return 1
    name=${__mfa_env_source[$name]}
  done
  return 1
}

# The profile names, and those mfa-env can serve, into __mfa_env_profile_names and __mfa_env_servable_names.
# Scanning hundreds of profiles takes bash ~15 ms, so the result is kept in profiles.bash in the cache directory
# and reused while it is newer than both AWS files; the file must be ours, since it is sourced.
__mfa_env_load_profiles() {
  local home=${HOME-}
  local config=${AWS_CONFIG_FILE:-$home/.aws/config} credentials=${AWS_SHARED_CREDENTIALS_FILE:-$home/.aws/credentials}
  # shellcheck disable=SC2088 # a literal "~/" in AWS_CONFIG_FILE, expanded here as the SDKs do
  [[ ${config:0:2} == '~/' ]] && config=$home/${config:2}
  # shellcheck disable=SC2088
  [[ ${credentials:0:2} == '~/' ]] && credentials=$home/${credentials:2}
  local dir=${MFA_ENV_CACHE_DIR-}
  if [[ -z $dir ]]; then
    dir=${XDG_CACHE_HOME-}
    [[ $dir == /* ]] || dir=$home/.cache
    dir=$dir/mfa-env
  fi
  local memo=$dir/profiles.bash key="$config:$credentials"
  if [[ -O $memo && $memo -nt $config && $memo -nt $credentials ]]; then
    local __mfa_env_memo_key=
    # shellcheck source=/dev/null
    source "$memo"
    [[ $__mfa_env_memo_key == "$key" ]] && return 0
  fi
  local -A __mfa_env_seen=() __mfa_env_mfa=() __mfa_env_source=()
  __mfa_env_scan "$config" "$credentials"
  __mfa_env_servable_names=()
  local name
  for name in "${__mfa_env_profile_names[@]}"; do
    # aws-mfa keeps keys in NAME-long-term; the function is for NAME.
    if [[ $name == *-long-term ]]; then
      name=${name%-long-term}
      [[ -n ${__mfa_env_seen[$name]-} ]] && continue
      __mfa_env_seen[$name]=1
    fi
    __mfa_env_servable "$name" && __mfa_env_servable_names+=("$name")
  done
  if [[ -d $dir && -O $dir && -w $dir ]]; then
    # The key goes last: a file cut short by a concurrent start is never taken for a complete one.
    {
      printf '__mfa_env_profile_names=('
      printf '%q ' "${__mfa_env_profile_names[@]}"
      printf ')\n__mfa_env_servable_names=('
      printf '%q ' "${__mfa_env_servable_names[@]}"
      printf ')\n__mfa_env_memo_key=%q\n' "$key"
    } >"$memo" 2>/dev/null
  fi
}

# One function per servable profile. A name that would shadow a command, builtin, alias, keyword or function of the
# user's is skipped and recorded for `mfa-env status`; our own from an earlier sourcing are replaced.
__mfa_env_define_functions() {
  local name fn quoted
  if [[ ${__mfa_env_functions+set} ]]; then
    for fn in "${__mfa_env_functions[@]}"; do unset -f "$fn"; done
  fi
  __mfa_env_functions=()
  __mfa_env_skipped=
  __mfa_env_load_profiles
  local prefix=${MFA_ENV_FUNCTION_PREFIX-mfa-}
  local -A taken=()
  for name in "${__mfa_env_servable_names[@]}"; do
    fn=$prefix${name//[^A-Za-z0-9_.@+%:-]/_}
    if [[ -n ${taken[$fn]-} ]]; then
      __mfa_env_skipped+="$fn (profile $name: same name as profile ${taken[$fn]})"$'\n'
    elif type -t -- "$fn" >/dev/null; then
      # Rare, so the one subshell that names what would be shadowed is affordable.
      __mfa_env_skipped+="$fn (profile $name: would shadow the $(type -t -- "$fn") $fn)"$'\n'
    else
      printf -v quoted '%q' "--profile=$name"
      eval "$fn() { mfa-env $quoted \"\$@\"; }"
      __mfa_env_functions+=("$fn")
    fi
    taken[$fn]=$name
  done
}
__mfa_env_define_functions

__mfa_env_complete() {
  local word=${COMP_WORDS[COMP_CWORD]} words
  if [[ $word == -* ]]; then
    words='--clear --forget --token-code --duration --refresh --no-cache --no-input --mfa-serial --endpoint-url --shell --profile --help --version'
  elif ((COMP_CWORD == 1)) && [[ ${COMP_WORDS[0]} == mfa-env ]]; then
    words="${__mfa_env_passthrough} ${__mfa_env_profile_names[*]}"
  else
    words="${__mfa_env_profile_names[*]}"
  fi
  local IFS=$' \n'
  mapfile -t COMPREPLY < <(compgen -W "$words" -- "$word")
}
complete -F __mfa_env_complete mfa-env
if ((${#__mfa_env_functions[@]})); then
  complete -F __mfa_env_complete "${__mfa_env_functions[@]}"
fi
