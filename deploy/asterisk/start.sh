#!/bin/bash
# callfilter — entry point of the docker compose Asterisk container (andrius/asterisk). Renders the files beside
# this script into /etc/asterisk, then hands over to the image's own entrypoint, which starts Asterisk.
#
# Why render at all:
# - Asterisk does not expand environment variables in pjsip.conf or voicemail.conf. (The dialplan can read one at
#   call time with the ENV() function; configuration files cannot.) So credentials from .env are written into
#   pjsip.conf here, at every container start, and never into a file in the repository.
# - The shipped dialplan (dialplan/callfilter.conf) calls agi://127.0.0.1:4573/screen, right when callfilter runs
#   on the Asterisk host. In compose, callfilter is another container: the copy made here calls
#   agi://$FASTAGI_ADDRESS/screen instead (default callfilter:4573). Nothing else in it changes.
#
# Templates use ${NAME} (required: refused when unset or empty) and ${NAME:-default}. Values are escaped for
# Asterisk's config syntax, where ";" starts a comment. Run without arguments, the script only renders (the
# packaging tests do that); with arguments it renders and then runs them (the compose `command:`).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
etc=${ASTERISK_ETC:-/etc/asterisk}
shipped=${CALLFILTER_DIALPLAN_DIR:-/opt/callfilter/dialplan}
agi=${FASTAGI_ADDRESS:-callfilter:4573}
template=${ASTERISK_PJSIP_TEMPLATE:-pjsip.conf}
# The provider's auth user name is usually the same as the account name.
export SIP_PROVIDER_AUTH_USER=${SIP_PROVIDER_AUTH_USER:-${SIP_PROVIDER_USER:-}}

fail() {
  echo "callfilter start.sh: $*" >&2
  exit 1
}

# render TEMPLATE OUTPUT: substitutes ${NAME} / ${NAME:-default}; refuses missing values and line breaks.
render() {
  local re='\$\{([A-Z][A-Z0-9_]*)(:-([^}]*))?\}'
  local line out name value missing=()
  : >"$2"
  while IFS= read -r line || [[ -n $line ]]; do
    out=''
    while [[ $line =~ $re ]]; do
      local match=${BASH_REMATCH[0]}
      name=${BASH_REMATCH[1]}
      if [[ -n ${!name:-} ]]; then
        value=${!name}
      elif [[ -n ${BASH_REMATCH[2]} ]]; then
        value=${BASH_REMATCH[3]}
      else
        missing+=("$name")
        value=''
      fi
      [[ $value == *$'\n'* || $value == *$'\r'* ]] && fail "$name must not contain a line break"
      value=${value//;/\\;}
      out+=${line%%"$match"*}$value
      line=${line#*"$match"}
    done
    printf '%s\n' "$out$line" >>"$2"
  done <"$1"
  if ((${#missing[@]} > 0)); then
    rm -f "$2"
    fail "$(basename "$1") needs these environment variables (set them in .env, see deploy/env.example): $(printf '%s\n' "${missing[@]}" | sort -u | tr '\n' ' ')"
  fi
}

[[ -f $here/$template ]] || fail "ASTERISK_PJSIP_TEMPLATE=$template: no such template in $here"
[[ -f $shipped/callfilter.conf ]] || fail "$shipped/callfilter.conf not found: mount the project's dialplan/ folder there"

umask 027
mkdir -p "$etc/callfilter"
render "$here/$template" "$etc/pjsip.conf"
if [[ -n ${ASTERISK_PUBLIC_ADDRESS:-} ]]; then
  # Asterisk's "[name](+)" adds options to a section defined earlier: here, the provider-side transport learns the
  # public address it must put into SIP and SDP.
  printf '\n[transport-wan](+)\nexternal_signaling_address=%s\nexternal_media_address=%s\n' \
    "$ASTERISK_PUBLIC_ADDRESS" "$ASTERISK_PUBLIC_ADDRESS" >>"$etc/pjsip.conf"
fi
render "$here/voicemail.conf" "$etc/voicemail.conf"
cp "$here/extensions.conf" "$etc/extensions.conf"
cp "$here/rtp.conf" "$etc/rtp.conf"

# The shipped dialplan, with only the FastAGI address changed.
sed "s#agi://127\.0\.0\.1:4573/#agi://$agi/#g" "$shipped/callfilter.conf" >"$etc/callfilter/callfilter.conf"
grep -q "AGI(agi://$agi/screen?key=" "$etc/callfilter/callfilter.conf" \
  || fail "dialplan/callfilter.conf no longer calls agi://127.0.0.1:4573/screen; update this script"
cp "$shipped/fritzbox.conf" "$etc/callfilter/fritzbox.conf"

if [[ $(id -u) == 0 ]] && id asterisk >/dev/null 2>&1; then
  chown asterisk:asterisk "$etc/pjsip.conf" "$etc/voicemail.conf" "$etc/extensions.conf" "$etc/rtp.conf" \
    "$etc/callfilter" "$etc/callfilter/callfilter.conf" "$etc/callfilter/fritzbox.conf"
fi
echo "callfilter start.sh: rendered $template, voicemail.conf, extensions.conf; FastAGI at agi://$agi/screen" >&2

(($# > 0)) || exit 0
# The image's entrypoint matches the asterisk user to PUID/PGID and then runs the command.
if [[ -x /usr/local/bin/entrypoint.sh ]]; then exec /usr/local/bin/entrypoint.sh "$@"; fi
exec "$@"
