#!/usr/bin/env bash
# Fails on a forbidden include: a module that includes a header of a module it may not use
# (DESIGN.md, "Layers"), or a C library's header outside the one module that wraps it
# (STYLE.md rule 3). The build enforces the same arrows through per-module include directories;
# this check also names the line, and it runs before anything is compiled.
#
# Usage: check-layers.sh [--through] [SRC_DIR]   (default: src/ of this checkout)
# Prints each violation as "file:line: <module> may not include <header>" and exits 1; exits 0
# when there is none. Needs bash, coreutils and grep only.
#
# --through also follows the services headers an edge (cli, web, workflow) includes, and names
# what they bring along that the edge may not include itself ("... (through services/x.h)"):
# a services header an edge uses must not include store/, crypto/, ldap/, transport/ or mime/
# headers (the build enforces it once casecrypt_services links those PRIVATE).
set -uo pipefail

through=0
if [ "${1:-}" = "--through" ]; then
  through=1
  shift
fi
src=${1:-$(cd "$(dirname "$0")/.." && pwd)/src}
src=${src%/}
if [ ! -d "$src" ]; then
  echo "check-layers: no source directory $src" >&2
  exit 2
fi

# What each module may include (its own headers included). Add a new folder here when it is
# made, with the arrows DESIGN.md gives it.
declare -A allowed=(
  [core]="core"
  [crypto]="core crypto"
  [mime]="core mime"
  [store]="core store"
  [ldap]="core ldap"
  [transport]="core transport"
  [services]="core crypto mime store ldap transport services"
  [workflow]="core services workflow"
  [web]="core services web"
  [cli]="core services web workflow cli"  # `serve` starts the web server (web/web_server.h);
                                          # every Installation gets the Lua engine (workflow/)
)

# The one module that may include a C library's headers (STYLE.md rule 3); everyone else sees
# the library only through that module's classes.
c_library_owner() {
  case "$1" in
    openssl/*) echo crypto ;;
    gmime/* | libxml/*) echo mime ;;
    ldap.h | lber.h) echo ldap ;;
    curl/*) echo transport ;;
    soci/* | sqlite3.h | libpq-fe.h) echo store ;;
    lua.h | lauxlib.h | lualib.h | lua.hpp) echo workflow ;;
    *) echo "" ;;
  esac
}

may_use() {  # may_use MODULE OTHER
  local m
  for m in ${allowed[$1]}; do
    [ "$m" = "$2" ] && return 0
  done
  return 1
}

violations=0
report() {
  echo "$1"
  violations=$((violations + 1))
}

include_re='^[[:space:]]*#[[:space:]]*include[[:space:]]*([<"])([^>"]+)[>"]'
while IFS= read -r hit; do
  file=${hit%%:*}
  rest=${hit#*:}
  line=${rest%%:*}
  text=${rest#*:}
  [[ $text =~ $include_re ]] || continue
  open=${BASH_REMATCH[1]}
  header=${BASH_REMATCH[2]}
  if [ "$open" = "<" ]; then shown="<$header>"; else shown="\"$header\""; fi

  relative=${file#"$src"/}
  module=${relative%%/*}
  if [ "$module" = "$relative" ] || [ -z "${allowed[$module]+set}" ]; then
    report "$file:$line: $module is not a module of DESIGN.md's layers (add it to scripts/check-layers.sh)"
    continue
  fi

  owner=$(c_library_owner "$header")
  if [ -n "$owner" ]; then
    [ "$owner" = "$module" ] || report "$file:$line: $module may not include $shown"
    continue
  fi
  target=${header%%/*}
  if [ "$target" != "$header" ] && [ -n "${allowed[$target]+set}" ] && ! may_use "$module" "$target"; then
    report "$file:$line: $module may not include $shown"
  fi
done < <(grep -rnE --include='*.h' --include='*.hpp' --include='*.cpp' --include='*.cc' \
              --include='*.c' "$include_re" "$src" | LC_ALL=C sort -t: -k1,1 -k2,2n)

# The quoted includes of one file under $src that name a module's header, as "line header".
declare -A module_includes_cache=()
module_includes() {
  local file=$1
  if [ -z "${module_includes_cache[$file]+set}" ]; then
    module_includes_cache[$file]=$(grep -nE "$include_re" "$file" 2>/dev/null |
      while IFS= read -r hit; do
        [[ ${hit#*:} =~ $include_re ]] || continue
        echo "${hit%%:*} ${BASH_REMATCH[1]}${BASH_REMATCH[2]}"
      done)
  fi
  printf '%s\n' "${module_includes_cache[$file]}"
}

if [ "$through" -eq 1 ]; then
  declare -A reported=()
  for edge in cli web workflow; do
    [ -d "$src/$edge" ] || continue
    while IFS= read -r file; do
      while read -r line entry; do
        [ -n "$entry" ] || continue
        header=${entry:1}
        [ "${entry:0:1}" = '"' ] && [[ $header == services/* ]] || continue
        # Depth-first over the headers this services header brings along.
        declare -A seen=()
        stack=("$header")
        while [ "${#stack[@]}" -gt 0 ]; do
          current=${stack[-1]}
          unset 'stack[-1]'
          [ -z "${seen[$current]+set}" ] || continue
          seen[$current]=1
          [ -f "$src/$current" ] || continue
          while read -r _ inner; do
            [ -n "$inner" ] || continue
            inner_header=${inner:1}
            target=${inner_header%%/*}
            owner=$(c_library_owner "$inner_header")
            if [ -n "$owner" ] && [ "$owner" != "$edge" ] ||
               { [ -z "$owner" ] && [ -n "${allowed[$target]+set}" ] && ! may_use "$edge" "$target"; }; then
              key="$file|$inner_header"
              if [ -z "${reported[$key]+set}" ]; then
                reported[$key]=1
                if [ "${inner:0:1}" = "<" ]; then shown="<$inner_header>"; else shown="\"$inner_header\""; fi
                report "$file:$line: $edge may not include $shown (through $current)"
              fi
            elif [ "${inner:0:1}" = '"' ] && [ -n "${allowed[$target]+set}" ]; then
              stack+=("$inner_header")
            fi
          done < <(module_includes "$src/$current")
        done
        unset seen
      done < <(module_includes "$file")
    done < <(find "$src/$edge" -type f \( -name '*.h' -o -name '*.cpp' \) | LC_ALL=C sort)
  done
fi

if [ "$violations" -gt 0 ]; then
  echo "check-layers: $violations forbidden include(s) under $src (DESIGN.md \"Layers\", STYLE.md rule 3)" >&2
  exit 1
fi
echo "check-layers: no forbidden include under $src"
