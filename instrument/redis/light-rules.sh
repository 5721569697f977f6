#!/usr/bin/env bash
# Prints the light profile's LTTng event rules, comma-separated, from profile-light.txt beside this script (one
# event name per line, '#' starts a comment), for `lttng enable-event -u RULES`. The Java side reads the same list
# in kvscope.cli.record.Profile.
set -euo pipefail
grep -v '^\s*#' "$(dirname "${BASH_SOURCE[0]}")/profile-light.txt" | sed 's/#.*//;s/\s//g' | grep . | paste -sd,
