#!/usr/bin/env bash
# Checks compilerd's Prometheus rules: `promtool check rules` (syntax, PromQL, templates) on every
# rule file, then `promtool test rules` (input series, expected alerts) on every test file; then the
# Grafana dashboards: every query (panel targets and variable queries) must parse as PromQL (promtool
# checks them as recording rules), and with --metrics FILE|URL (a scrape of a running server's /metrics)
# must name only metrics that server exports.
#   monitoring/check.sh [--metrics FILE|URL]
# promtool comes from Debian's prometheus package. When it is missing, this takes only the promtool
# binary out of that package (apt-get download) and installs it as /usr/local/bin/promtool: installing
# the whole package would also create a prometheus user and start (and enable) a Prometheus server.
# Set PROMTOOL to use another binary. Installing needs root; checking does not.
set -euo pipefail

DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PROMTOOL="${PROMTOOL:-}"
METRICS=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --metrics) METRICS="${2:?--metrics needs a file or a URL}"; shift ;;
    *) echo "usage: monitoring/check.sh [--metrics FILE|URL]" >&2; exit 2 ;;
  esac
  shift
done

step() { echo "==> $*"; }
die() { echo "monitoring/check.sh: error: $*" >&2; exit 1; }

install_promtool() {
  [[ "$(id -u)" -eq 0 ]] || die "promtool is missing; run as root to install it from Debian, or set PROMTOOL"
  local tmp deb
  tmp="$(mktemp -d)"
  # shellcheck disable=SC2064 # expand $tmp now: it is local to this function
  trap "rm -rf '$tmp'" EXIT
  chmod 0755 "$tmp"
  step "installing promtool from Debian's prometheus package"
  if ! (cd "$tmp" && apt-get download -q prometheus >/dev/null 2>&1); then
    apt-get update -qq || die "apt-get update failed"
    (cd "$tmp" && apt-get download -q prometheus >/dev/null) || die "apt-get download prometheus failed"
  fi
  deb="$(find "$tmp" -maxdepth 1 -name 'prometheus_*.deb' | head -n 1)"
  [[ -n "$deb" ]] || die "apt-get download left no prometheus_*.deb"
  dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tmp" ./usr/bin/promtool
  install -o root -g root -m 0755 "$tmp/usr/bin/promtool" /usr/local/bin/promtool
  rm -rf "$tmp"
  trap - EXIT
  step "installed /usr/local/bin/promtool ($(/usr/local/bin/promtool --version 2>&1 | head -n 1))"
}

if [[ -z "$PROMTOOL" ]]; then
  if ! command -v promtool >/dev/null; then
    install_promtool
  fi
  PROMTOOL="$(command -v promtool)"
fi

shopt -s nullglob
rules=("$DIR"/rules/*.yml)
tests=("$DIR"/tests/*.yml)
shopt -u nullglob
[[ ${#rules[@]} -gt 0 ]] || die "no rule files in $DIR/rules"
[[ ${#tests[@]} -gt 0 ]] || die "no rule tests in $DIR/tests"

step "promtool check rules"
"$PROMTOOL" check rules "${rules[@]}"
step "promtool test rules"
"$PROMTOOL" test rules "${tests[@]}"

# dashboard_queries FILE : every PromQL query of a Grafana dashboard, one JSON string per line: the panels'
# target expressions and the selector inside each query variable's label_values(SELECTOR, LABEL). Grafana's
# interval variables become durations and every other $variable a plain word (they stand inside label values).
dashboard_queries() {
  jq -c '
    def promql: gsub("\\$__(rate_interval|interval|range)"; "5m") | gsub("\\$\\{?[A-Za-z_][A-Za-z0-9_]*\\}?"; "x");
    ([.. | objects | select(has("expr")) | .expr]
     + [.templating.list[]? | select(.type == "query") | (.query | if type == "object" then .query else . end)
        | capture("^label_values\\((?<s>.*),[^,]*\\)$").s])
    | .[] | promql' "$1"
}

# metric_names : the metric names in the queries on stdin (as dashboard_queries prints them): what is left after
# removing strings, label matchers, ranges and grouping lists, that is not a function, an aggregation or a keyword.
metric_names() {
  jq -r '
    gsub("\"(\\\\.|[^\"\\\\])*\""; "") | gsub("\\{[^}]*\\}"; "") | gsub("\\[[^\\]]*\\]"; "")
    | gsub("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)"; "")
    | [scan("(?<![A-Za-z0-9_:.])[A-Za-z_:][A-Za-z0-9_:]*(?![A-Za-z0-9_:]|\\s*\\()")]
    | .[] | select(IN("and", "or", "unless", "bool", "offset", "by", "without", "on", "ignoring", "group_left",
                      "group_right", "inf", "nan", "Inf", "NaN") | not)'
}

shopt -s nullglob
dashboards=("$DIR"/dashboards/*.json)
shopt -u nullglob
[[ ${#dashboards[@]} -gt 0 ]] || die "no dashboards in $DIR/dashboards"
tmp="$(mktemp -d)"
# shellcheck disable=SC2064 # expand $tmp now
trap "rm -rf '$tmp'" EXIT
for dashboard in "${dashboards[@]}"; do
  name="$(basename "$dashboard" .json)"
  step "dashboard $name: every query parses as PromQL (promtool check rules)"
  dashboard_queries "$dashboard" >"$tmp/$name.queries" || die "$dashboard: not a Grafana dashboard's JSON"
  [[ -s "$tmp/$name.queries" ]] || die "$dashboard has no queries"
  # A rules file is YAML, and JSON is YAML: one recording rule per query.
  jq -s '{groups: [{name: "dashboard", rules: [to_entries[] | {record: "dashboard:query_\(.key + 1)", expr: .value}]}]}' \
    "$tmp/$name.queries" >"$tmp/$name.rules.yml"
  out="$("$PROMTOOL" check rules "$tmp/$name.rules.yml" 2>&1)" || {
    echo "$out" >&2
    jq -r 'to_entries[] | "dashboard:query_\(.key + 1): \(.value)"' <(jq -s . "$tmp/$name.queries") >&2
    die "$dashboard: a query does not parse (above)"
  }
  echo "  $(wc -l <"$tmp/$name.queries") queries parse"
  if [[ -z "$METRICS" ]]; then
    echo "  metric names not checked: give --metrics FILE|URL (a scrape of a running server)"
    continue
  fi
  if [[ "$METRICS" == http://* || "$METRICS" == https://* ]]; then
    curl -fsS --max-time 10 -o "$tmp/scrape" "$METRICS" || die "cannot scrape $METRICS"
  else
    cp "$METRICS" "$tmp/scrape" || die "cannot read $METRICS"
  fi
  sed -e '/^#/d' -e '/^[[:space:]]*$/d' -e 's/[{ ].*//' "$tmp/scrape" | sort -u >"$tmp/exported"
  [[ -s "$tmp/exported" ]] || die "$METRICS holds no metrics"
  metric_names <"$tmp/$name.queries" | sort -u >"$tmp/$name.named"
  unknown="$(comm -23 "$tmp/$name.named" "$tmp/exported")"
  [[ -z "$unknown" ]] || die "$dashboard names metrics the server does not export: $(echo "$unknown" | tr '\n' ' ')"
  echo "  the $(wc -l <"$tmp/$name.named") metrics it names are all exported (of $(wc -l <"$tmp/exported") in the scrape)"
done
step "monitoring rules and dashboards pass"
