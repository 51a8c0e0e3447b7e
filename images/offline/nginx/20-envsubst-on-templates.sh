#!/usr/bin/env bash
# Renders $NGINX_ENVSUBST_TEMPLATE_DIR/**/*.template into $NGINX_ENVSUBST_OUTPUT_DIR (suffix
# removed, sub-folders kept). Only variables that are defined (and match
# $NGINX_ENVSUBST_FILTER, when set) are replaced, so nginx's own $host, $uri... stay intact.
set -euo pipefail

template_dir="${NGINX_ENVSUBST_TEMPLATE_DIR:-/etc/nginx/templates}"
suffix="${NGINX_ENVSUBST_TEMPLATE_SUFFIX:-.template}"
output_dir="${NGINX_ENVSUBST_OUTPUT_DIR:-/etc/nginx/conf.d}"
filter="${NGINX_ENVSUBST_FILTER:-}"

[ -d "$template_dir" ] || exit 0
if [ ! -w "$output_dir" ]; then
  echo "$0: $output_dir is not writable, templates are not rendered" >&2
  exit 0
fi

# compgen -e lists exported names only: multi-line values cannot confuse it.
names=""
while IFS= read -r name; do
  if [ -z "$filter" ] || [[ "$name" =~ $filter ]]; then names+="\${$name} "; fi
done < <(compgen -e)

find "$template_dir" -follow -type f -name "*$suffix" -print | sort | while IFS= read -r template; do
  relative="${template#"$template_dir"/}"
  output="$output_dir/${relative%"$suffix"}"
  mkdir -p "$(dirname "$output")"
  echo "$0: running envsubst on $template to $output"
  envsubst "$names" <"$template" >"$output"
done
