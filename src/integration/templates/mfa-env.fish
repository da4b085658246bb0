# mfa-env integration for fish 3.5+. Source it from ~/.config/fish/config.fish:
#   source /path/to/mfa-env/shell/mfa-env.fish
# It defines:
#   mfa-env          a wrapper that runs mfa-env and evaluates the code mfa-env hands it (`mfa-env PROFILE`, `--clear`)
#   mfa-PROFILE      one function per AWS profile mfa-env can serve (prefix: $MFA_ENV_FUNCTION_PREFIX)
#   mfa_env_prompt   prints the loaded profile and the time left, e.g. "prod 42m", for fish_prompt
# Whatever it evaluates or defines was rendered and quoted by mfa-env itself: this file reads no AWS file and knows
# none of mfa-env's options. @GENERATED@

# mfa-env writes the code for this shell to fd 3, a pipe read here; its stdout and stderr stay this function's and
# are never evaluated (help, list, --format json, exec's command...). Nothing is evaluated unless mfa-env succeeded.
function mfa-env --description 'Load, renew or clear an AWS MFA session in this shell'
    set -l code
    set -l exit_status
    begin
        @SHELL_VAR@=fish @EVAL_FD_VAR@=3 @SKIPPED_VAR@=(string join \n -- $__mfa_env_skipped | string collect) command mfa-env $argv 3>&1 1>&4 4>&- | read -z code
        set exit_status $pipestatus[1]
    end 4>&1
    if test "$exit_status" -eq 0; and test -n "$code"
        eval $code
    end
    return $exit_status
end

# fish has no builtin clock, so this is the one process a prompt with the segment starts.
function mfa_env_prompt --description 'Print the loaded AWS profile and the time its session has left'
    set -l label "$@LABEL_VAR@"
    set -l expires "$@EXPIRES_VAR@"
    set -l renew "$@RENEW_VAR@"
    # A label mfa-env escaped, and times that are plain numbers; anything else shows nothing.
    test -n "$label"; and string match -qr '^[1-9][0-9]{0,11}$' -- $expires; or return 0
    string match -qr '^[1-9][0-9]{0,11}$' -- $renew; or set renew $expires
    set -l now (date +%s)
    set -l left (math $expires - $now)
    set -l text
    set -l colour green
    if test $left -le 0
        set text expired
        set colour red
    else
        # Whole minutes, rounded down, as status and list show it: rendered from TIME_LEFT_STEPS (src/profiles/duration.ts).
        @TIME_LEFT_CODE@
        test $left -lt @SOON_SECONDS@; and set colour yellow
        if test $now -ge $renew
            set colour red
            set text "expiring $text"
        end
    end
    if set -q NO_COLOR[1]
        echo "$label $text"
    else
        set_color $colour
        echo -n "$label $text"
        set_color normal
        echo
    end
end

# MFA_ENV_AUTO_RENEW=1: before a command runs, a session past its renewal time (MFA_ENV_MIN_TTL before its end,
# worked out by mfa-env) is renewed, with the length it was asked for, if that needs no code. Once renewal has
# failed for a session it is not tried again until another is loaded.
function __mfa_env_auto_renew --on-event fish_preexec
    test "$@AUTO_RENEW_VAR@" = 1; and set -q @PROFILE_VAR@[1]; or return 0
    set -l renew "$@RENEW_VAR@"
    string match -qr '^[1-9][0-9]{0,11}$' -- $renew; or return 0
    test "$__mfa_env_renew_failed" != "$renew"; or return 0
    test (date +%s) -ge $renew; or return 0
    # Never wait here for a code being typed in another terminal: the prompt would hang.
    @LOCK_WAIT_VAR@=0 mfa-env @RENEW_ARGS@ 2>/dev/null </dev/null
    # Failed, or renewed into a session that is due at once (shorter than MFA_ENV_MIN_TTL): not tried again for it.
    set renew "$@RENEW_VAR@"
    if not string match -qr '^[1-9][0-9]{0,11}$' -- $renew; or test (date +%s) -ge $renew
        set -g __mfa_env_renew_failed "$renew"
    end
end

# Called by the memo for a name taken by a function or builtin of this shell: noted for `mfa-env status`, not
# defined. Commands on PATH were checked by mfa-env.
function __mfa_env_skip --argument-names fn profile
    set -g -a __mfa_env_skipped "$fn (profile $profile: would shadow the existing $fn)"
    set -l at (contains -i -- $fn $__mfa_env_functions); and set -g -e __mfa_env_functions[$at]
    return 0
end

# Sources the memo when it is a regular file of ours in a directory of ours, neither a symlink, starting with
# mfa-env's header. Sourced with its own path in __mfa_env_memo_check, it stops at once unless fresh; it sets
# __mfa_env_loaded when it has defined the functions.
function __mfa_env_source_memo --argument-names memo made
    test -n "$memo"; or return 0
    set -l dir (path dirname -- $memo)
    if test -d "$dir" -a -O "$dir" -a -f "$memo" -a -O "$memo"; and not test -L "$dir"; and not test -L "$memo"
        # One open of the file for the header and the code: what is checked is what is sourced.
        begin
            read -l line
            and test "$line" = @MEMO_HEADER_QUOTED@
            and begin
                # Unless mfa-env has just made it: then it is fresh even where the clock has not moved since.
                set -l __mfa_env_memo_check "$memo"
                test -n "$made"; and set -e __mfa_env_memo_check
                source -
            end
        end <"$memo"
    end
    return 0
end

# The profile functions, from the memo mfa-env keeps in its cache directory while it is fresh; otherwise one run of
# mfa-env makes it anew (or, when it cannot keep one, hands the code over itself). The names this shell already
# has are noted first, as variables: one `set -q` per profile is what fish can afford at start-up.
function __mfa_env_load_profiles
    for fn in $__mfa_env_functions
        functions -e -- $fn
    end
    set -g __mfa_env_functions
    set -g __mfa_env_skipped
    set -g __mfa_env_loaded
    set -l taken (string escape --style=var -- (functions -a -n) (builtin -n))
    for name in $taken
        set -g __mfa_env_t_$name 1
    end
    # Where mfa-env keeps it (cacheDir in src/session/cacheSettings.ts; a test holds the two together).
    set -l dir
    if test -n "$@CACHE_DIR_VAR@"
        set dir "$@CACHE_DIR_VAR@"
    else if string match -q '/*' -- "$XDG_CACHE_HOME"
        set dir "$XDG_CACHE_HOME/mfa-env"
    else if string match -q '/*' -- "$HOME"
        set dir "$HOME/.cache/mfa-env"
    end
    set -l memo
    test -n "$dir"; and set memo "$dir/@MEMO_FILE@"
    __mfa_env_source_memo "$memo"
    # A stale memo stops before it touches anything: nothing to undo before mfa-env makes a new one.
    if test -z "$__mfa_env_loaded"; and command -q mfa-env
        if test -n "$memo"
            mfa-env @PROFILES_COMMAND@ fish; and test -z "$__mfa_env_loaded"; and __mfa_env_source_memo "$memo" made
        else
            mfa-env @PROFILES_COMMAND@ fish --print
        end
    end
    for name in $taken
        set -g -e __mfa_env_t_$name
    end
    return 0
end
__mfa_env_load_profiles

# Completion: mfa-env works out the candidates from the words up to the cursor; fish quotes what it inserts.
function __mfa_env_complete
    set -l tokens (commandline -opc)
    set -l current (commandline -ct | string collect)
    set -l candidates (command mfa-env @COMPLETE_COMMAND@ fish -- $tokens "$current" 2>/dev/null)
    if test (count $candidates) -eq 1; and test "$candidates[1]" = @DELEGATE_LINE_QUOTED@
        # After `exec PROFILE -- COMMAND` the words are COMMAND's: completed as fish completes COMMAND typed alone.
        set -l at (contains -i -- -- $tokens); or return
        complete -C (string join ' ' -- (string escape -- $tokens[(math $at + 1)..-1]) "$current")
        return
    end
    test (count $candidates) -gt 0; and printf '%s\n' $candidates
end
complete -c mfa-env -e
complete -c mfa-env -f -a '(__mfa_env_complete)'
