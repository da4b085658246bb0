# mfa-env integration for fish 3.1+. Source it from ~/.config/fish/config.fish:
#   source /path/to/mfa-env/shell/mfa-env.fish
# It defines:
#   mfa-env          a wrapper that evaluates what changes the environment (`mfa-env PROFILE`, `mfa-env --clear`)
#   mfa-PROFILE      one function per AWS profile that has an MFA device (prefix: $MFA_ENV_FUNCTION_PREFIX)
#   mfa_env_prompt   prints the loaded profile and the time left, e.g. "prod 42m", for fish_prompt
# Sourcing reads the AWS config files with builtins only: no process is started, and nothing is printed.

# Commands that only print: they run as they are, their output is not evaluated.
set -g __mfa_env_passthrough exec forget init list policy setup status whoami

function mfa-env --description 'Load, renew or clear an AWS MFA session in this shell'
    if contains -- -h $argv; or contains -- --help $argv; or contains -- --version $argv; or contains -- "$argv[1]" $__mfa_env_passthrough
        # status reports the functions that were skipped, which only this shell knows.
        MFA_ENV_SKIPPED_FUNCTIONS=(string join \n -- $__mfa_env_skipped | string collect) command mfa-env $argv
        return
    end
    set -l code (MFA_ENV_SHELL=fish command mfa-env $argv | string collect)
    set -l exit_status $pipestatus[1]
    # On failure the output is empty anyway; not evaluating it keeps the environment exactly as it was.
    if test $exit_status -eq 0
        eval $code
    end
    return $exit_status
end

# fish has no builtin clock, so this is the one process a prompt with the segment starts.
function mfa_env_prompt --description 'Print the loaded AWS profile and the time its session has left'
    set -q MFA_ENV_PROFILE[1]; and string match -qr '^[0-9]+$' -- "$MFA_ENV_EXPIRES_AT"; or return 0
    set -l left (math $MFA_ENV_EXPIRES_AT - (date +%s))
    set -l text
    set -l colour green
    if test $left -le 0
        set text expired
        set colour red
    else if test $left -lt 3600
        set text (math -s0 floor $left / 60)m
        test $left -lt 900; and set colour yellow
        test $left -lt 300; and set colour red; and set text "expiring $text"
    else
        set text (printf '%dh%02dm' (math -s0 floor $left / 3600) (math -s0 floor $left % 3600 / 60))
    end
    if set -q NO_COLOR[1]
        echo "$MFA_ENV_PROFILE $text"
    else
        set_color $colour
        echo -n "$MFA_ENV_PROFILE $text"
        set_color normal
        echo
    end
end

# MFA_ENV_AUTO_RENEW=1: before a command runs, a session within 5 minutes of its end is renewed, if that needs no
# code (a role behind a cached MFA session). Once renewal has failed for a session it is not tried again.
function __mfa_env_auto_renew --on-event fish_preexec
    test "$MFA_ENV_AUTO_RENEW" = 1; and set -q MFA_ENV_PROFILE[1]; or return 0
    string match -qr '^[0-9]+$' -- "$MFA_ENV_EXPIRES_AT"; or return 0
    test "$__mfa_env_renew_failed" != "$MFA_ENV_EXPIRES_AT"; or return 0
    test (math $MFA_ENV_EXPIRES_AT - (date +%s)) -lt 300; or return 0
    set -l failed_for $MFA_ENV_EXPIRES_AT
    # Never wait here for a code being typed in another terminal: the prompt would hang.
    MFA_ENV_LOCK_WAIT=0 mfa-env --no-input 2>/dev/null </dev/null; or set -g __mfa_env_renew_failed $failed_for
end

# Profile names and whether each has an MFA device, read from the AWS files as the AWS CLI reads them:
# [profile NAME] and [default] in config, [NAME] in credentials. A loop over lines costs fish ~150 us a line, so
# each file is handled by a few `string` calls over all its lines at once: lines that matter are tagged, joined,
# and split into one block per section. fish has no associative arrays: sources are two parallel lists.
function __mfa_env_scan --argument-names config credentials
    set -g __mfa_env_profile_names
    set -g __mfa_env_with_mfa
    set -g __mfa_env_source_of
    set -g __mfa_env_source_to
    for kind in config credentials
        set -l file $config
        test $kind = credentials; and set file $credentials
        test -f $file -a -r $file; or continue
        set -l lines (string split \n -- (string collect <$file))
        # \x1eS section, \x1eM an MFA device, \x1eP a source profile; comments as in the SDK's parser.
        set lines (string replace -r '^\s*\[\s*(.*?)\s*\]\s*(?:[#;].*)?$' \x1eS\$1 -- $lines)
        set lines (string replace -r '^(?:mfa_serial|aws_mfa_device)\s*=\s*[^\s#;].*$' \x1eM -- $lines)
        set lines (string replace -r '^source_profile\s*=\s*(.*?)(?:\s+[#;].*)?\s*$' \x1eP\$1 -- $lines)
        set -l blocks (string split \x1eS -- (string join '' -- (string match -- \x1e'*' $lines)))[2..-1]
        if test $kind = config
            # [default] and [profile NAME] are profiles; sso-session, services and the rest are not.
            set blocks (string replace -r '^profile\s+["\']?(.*?)["\']?(\x1e|$)' '$1$2' -- (string match -r --entire '^(?:default(?:\x1e|$)|profile\s)' -- $blocks))
        end
        # Names in both files appear twice; __mfa_env_define_functions skips repeats.
        set -a __mfa_env_profile_names (string replace -r '\x1e.*' '' -- $blocks)
        set -a __mfa_env_with_mfa (string replace -rf '^([^\x1e]*)\x1e.*\x1eM.*$|^([^\x1e]*)\x1eM.*$' '$1$2' -- $blocks)
        set -l pairs (string replace -rf '^([^\x1e]*)(?:\x1e[^P][^\x1e]*)*\x1eP([^\x1e]*).*$' '$1\x1f$2' -- $blocks)
        set -a __mfa_env_source_of (string replace -r '\x1f.*' '' -- $pairs)
        set -a __mfa_env_source_to (string replace -r '.*\x1f' '' -- $pairs)
    end
end

# One function per profile mfa-env can serve (an MFA device on it, on its aws-mfa -long-term section, or down its
# sources). A name that would shadow a command, builtin or function of the user's is skipped and recorded for
# `mfa-env status`; our own from an earlier sourcing are replaced. Lookups use variables named after
# `string escape --style=var` of each name, since `contains` over long lists costs fish ~40 us a call.
function __mfa_env_define_functions
    for fn in $__mfa_env_functions
        functions -e -- $fn
    end
    set -g __mfa_env_functions
    set -g __mfa_env_skipped
    set -l config $AWS_CONFIG_FILE
    test -n "$config"; or set config ~/.aws/config
    set -l credentials $AWS_SHARED_CREDENTIALS_FILE
    test -n "$credentials"; or set credentials ~/.aws/credentials
    string match -q '~/*' -- $config; and set config ~/(string sub -s 3 -- $config)
    string match -q '~/*' -- $credentials; and set credentials ~/(string sub -s 3 -- $credentials)
    set -l prefix mfa-
    # Quoted: an empty list would make every name below empty.
    set -q MFA_ENV_FUNCTION_PREFIX; and set prefix "$MFA_ENV_FUNCTION_PREFIX"

    # Defining hundreds of functions one by one costs fish ~30 ms, and fish 3.6 cannot compare file times without
    # a process, so the definitions are kept in profiles.fish in the cache directory together with what they were
    # made from (both files' contents, their paths, the prefix and PATH); while that matches, one `source` does.
    set -l dir $MFA_ENV_CACHE_DIR
    if test -z "$dir"
        set dir $XDG_CACHE_HOME
        string match -q '/*' -- "$dir"; or set dir ~/.cache
        set dir $dir/mfa-env
    end
    set -l memo_key $config $credentials $prefix $PATH
    for file in $config $credentials
        test -f $file -a -r $file; and set -a memo_key (string collect -N <$file)
    end
    set memo_key (string join \x1e -- $memo_key | string collect -N)
    if test -O $dir/profiles.fish -a -O $dir/profiles.key; and test "$memo_key" = (string collect -N <$dir/profiles.key)
        source $dir/profiles.fish
        return
    end

    __mfa_env_scan $config $credentials

    # A profile whose NAME-long-term section has the device is served as NAME (aws-mfa).
    for key in (string escape --style=var -- $__mfa_env_with_mfa (string replace -rf -- '-long-term$' '' $__mfa_env_with_mfa))
        set -f __mfa_env_m_$key 1
    end
    # Parallel lists are walked by taking the head of one while looping over the other: `seq` is a process, and
    # `math` to count costs a command substitution a step.
    set -l to (string escape --style=var -- $__mfa_env_source_to)
    for key in (string escape --style=var -- $__mfa_env_source_of)
        set -f __mfa_env_s_$key $to[1]
        set -e to[1]
    end
    set -l names $__mfa_env_profile_names (string replace -rf -- '-long-term$' '' $__mfa_env_profile_names)
    set -l keys (string escape --style=var -- $names)
    set -l fns $prefix(string replace -ra -- '[^A-Za-z0-9_.@+%:-]' _ $names)
    set -l fn_keys (string escape --style=var -- $fns)
    # PATH commands with our prefix, found with one glob rather than a PATH search per profile.
    set -l commands
    if test -n "$prefix"
        # In `set`, a glob that matches nothing is simply empty.
        set commands $PATH/$prefix*
        set commands (string replace -r '.*/' '' -- $commands)
    end
    for name in $names
        set -l key $keys[1]
        set -l fn $fns[1]
        set -l fn_key $fn_keys[1]
        set -e keys[1] fns[1] fn_keys[1]
        string match -q -- '*-long-term' $name; and continue
        set -q __mfa_env_done_$key; and continue
        set -f __mfa_env_done_$key 1
        # Follow source_profile (at most 10 hops) to a profile with a device.
        set -l servable
        for hop in 1 2 3 4 5 6 7 8 9 10
            if set -q __mfa_env_m_$key
                set servable 1
                break
            end
            set -l next __mfa_env_s_$key
            set -q $next; and test "$$next" != "$key"; or break
            set key $$next
        end
        test -n "$servable"; or continue
        set -l taken __mfa_env_t_$fn_key
        if set -q $taken
            set -a __mfa_env_skipped "$fn (profile $name: same name as profile $$taken)"
        else if functions -q -- $fn; or builtin -q -- $fn; or contains -- $fn $commands; or begin
                test -z "$prefix"; and command -q -- $fn
            end
            set -a __mfa_env_skipped "$fn (profile $name: would shadow the existing $fn)"
        else
            # --inherit-variable keeps the profile name as data: nothing about it is parsed as code.
            function $fn --wraps mfa-env --inherit-variable name --description 'mfa-env for one AWS profile'
mfa-env --profile=$name $argv
            end
            set -a __mfa_env_functions $fn
        end
        set -f $taken $name
    end
    set -e __mfa_env_with_mfa __mfa_env_source_of __mfa_env_source_to
    if test -d $dir -a -O $dir -a -w $dir
        # The key goes last: a definitions file cut short by a concurrent start never matches a key.
        begin
            for list in __mfa_env_profile_names __mfa_env_functions __mfa_env_skipped
                printf 'set -g %s %s\n' $list (string join ' ' -- (string escape -- $$list))
            end
            set -q __mfa_env_functions[1]; and functions -- $__mfa_env_functions
        end >$dir/profiles.fish 2>/dev/null
        and printf '%s' $memo_key >$dir/profiles.key 2>/dev/null
    end
end
__mfa_env_define_functions

function __mfa_env_complete_words
    set -l token (commandline -ct)
    if string match -q -- '-*' $token
        printf '%s\n' --clear --forget --token-code --duration --refresh --no-cache --no-input --mfa-serial --endpoint-url --shell --profile --help --version
    else
        set -l words (commandline -opc)
        test (count $words) -eq 1; and test "$words[1]" = mfa-env; and printf '%s\n' $__mfa_env_passthrough
        printf '%s\n' $__mfa_env_profile_names
    end
end
complete -c mfa-env -e
complete -c mfa-env -f -a '(__mfa_env_complete_words)'
