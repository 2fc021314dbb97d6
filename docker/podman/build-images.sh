#!/usr/bin/env bash
# Builds this project's container images from the repository's own files, with no registry:
#
#   debian      Debian 12 made with debootstrap (minbase) from the mirror apt already uses
#   jre         debian + Java 17 (Debian's openjdk-17-jre-headless)
#   node        debian + this machine's Node 20 and npm (Debian 12 has no Node 20)
#   janusgraph  jre + the jars and configuration of docker/local/janusgraph
#   pulsar      jre + the jars and configuration of docker/local/pulsar
#   cassandra   jre + the jars and configuration of docker/local/cassandra
#   app         docker/Dockerfile (api, ingest, seeder) with NODE_IMAGE=the node image above
#
#   bash docker/podman/build-images.sh [--force] [IMAGE...]   (default: all, in the order above)
#
# Names and tags come from docker/images.env. An image whose inputs did not change is not built
# again: each image carries a label with a hash of its inputs (its files, the jar checksum list,
# its parent image), and a build is skipped when the label already matches. --force rebuilds.
# Run docker/podman/setup.sh first. Jars are resolved with Maven into the same cache as the
# docker/local scripts and checked against the same jars.sha256 lists.
set -euo pipefail
# shellcheck source=env.sh
source "$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)/env.sh"

LABEL=io.graph-banking.inputs
images_dir="$GB_PODMAN_DIR/images"
local_dir="$GB_REPO_ROOT/docker/local"
force=false
wanted=()
for arg in "$@"; do
  case "$arg" in
    --force) force=true ;;
    debian | jre | node | janusgraph | pulsar | cassandra | app) wanted+=("$arg") ;;
    *) echo "usage: $0 [--force] [debian|jre|node|janusgraph|pulsar|cassandra|app ...]" >&2; exit 2 ;;
  esac
done
[[ ${#wanted[@]} -gt 0 ]] || wanted=(debian jre node janusgraph pulsar cassandra app)

command -v podman > /dev/null || gb_die "podman is not installed: run bash docker/podman/setup.sh first"

# --- helpers ---------------------------------------------------------------------------------

hash_stdin() { sha256sum | cut -c1-32; }
hash_files() { # files... -> one hash of their names and contents
  local f
  for f in "$@"; do printf '%s\n' "${f#"$GB_REPO_ROOT"/}"; sha256sum < "$f"; done | hash_stdin
}
image_id() { gb_podman image inspect --format '{{.Id}}' "$1" 2> /dev/null || true; }
image_label() { gb_podman image inspect --format "{{index .Labels \"$LABEL\"}}" "$1" 2> /dev/null || true; }
timed() { # command... : runs it and prints how long it took
  local t0=$SECONDS
  "$@"
  gb_log "$1: done in $((SECONDS - t0)) s"
}

# True (and says so) when IMAGE already carries the inputs hash HASH.
up_to_date() {
  if [[ $force == false && "$(image_label "$1")" == "$2" ]]; then
    gb_log "$1 is up to date (inputs $2), not rebuilt"
    return 0
  fi
  return 1
}

need_parent() { [[ -n "$(image_id "$1")" ]] || gb_die "$1 is missing: build it first (bash $0 ${2})"; }

# --- debian: debootstrap + podman import -------------------------------------------------------

debian_mirror() {
  if [[ -n ${DEBIAN_MIRROR:-} ]]; then echo "$DEBIAN_MIRROR"; return; fi
  # The first Debian archive (not the security one) that apt is configured with.
  local url
  url="$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2> /dev/null \
    | sed -n -e 's/^deb \(\[[^]]*\] \)\{0,1\}\([^ ]*\) .*/\2/p' -e 's/^URIs: *\([^ ]*\).*/\1/p' \
    | grep -v -e security -e '^$' | head -n 1 || true)"
  [[ -n $url ]] || gb_die "no Debian mirror found in /etc/apt/sources.list*; set DEBIAN_MIRROR to one"
  echo "$url"
}

build_debian() {
  local hash rootfs mirror
  hash="$(printf 'debootstrap minbase bookworm v1\n' | hash_stdin)"
  up_to_date "$GB_DEBIAN_IMAGE" "$hash" && return 0
  command -v debootstrap > /dev/null || gb_die "debootstrap is not installed: run bash docker/podman/setup.sh"
  [[ $(id -u) -eq 0 ]] || gb_die "debootstrap needs root (run this script with sudo)"
  mirror="$(debian_mirror)"
  rootfs="$GB_CONTAINERS_WORK/debian-rootfs"
  rm -rf "$rootfs"
  mkdir -p "$GB_CONTAINERS_WORK"
  gb_log "debootstrap --variant=minbase bookworm (about 200 MB)..."
  if ! debootstrap --variant=minbase bookworm "$rootfs" "$mirror" > "$GB_CONTAINERS_WORK/debootstrap.log" 2>&1; then
    tail -n 30 "$GB_CONTAINERS_WORK/debootstrap.log" >&2
    gb_die "debootstrap failed (log: $GB_CONTAINERS_WORK/debootstrap.log)"
  fi
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
  tar -C "$rootfs" -c . | gb_podman import --quiet --change "LABEL $LABEL=$hash" --change 'CMD ["bash"]' \
    - "$GB_DEBIAN_IMAGE" > /dev/null
  rm -rf "$rootfs"
}

# --- jre, node ---------------------------------------------------------------------------------

podman_build() { # image hash context containerfile [build args...]
  local image=$1 hash=$2 context=$3 file=$4 stamp
  shift 4
  gb_podman build --quiet --layers -t "$image" -f "$file" "$@" "$context" > /dev/null
  # The inputs label goes on in a step of its own: given to the build above, it would be part of
  # every step's cache key, and a changed hash would redo every step (npm ci included).
  stamp="$(mktemp -d)"
  printf 'FROM %s\nLABEL %s=%s\n' "$image" "$LABEL" "$hash" > "$stamp/Containerfile"
  gb_podman build --quiet -t "$image" -f "$stamp/Containerfile" "$stamp" > /dev/null
  rm -rf "$stamp"
}

build_jre() {
  need_parent "$GB_DEBIAN_IMAGE" debian
  local hash
  hash="$( (hash_files "$images_dir/jre/Containerfile"; image_id "$GB_DEBIAN_IMAGE") | hash_stdin)"
  up_to_date "$GB_JRE_IMAGE" "$hash" && return 0
  podman_build "$GB_JRE_IMAGE" "$hash" "$images_dir/jre" "$images_dir/jre/Containerfile" \
    --build-arg "BASE_IMAGE=$GB_DEBIAN_IMAGE"
}

build_node() {
  need_parent "$GB_DEBIAN_IMAGE" debian
  local node npm_dir version hash ctx
  node="$(command -v node)" || gb_die "node is not installed on this machine (the node image copies it)"
  node="$(readlink -f "$node")"
  version="$("$node" --version)"
  [[ $version == v20.* ]] || gb_die "the node image needs Node 20 (this machine has $version)"
  npm_dir="$(npm root -g)/npm"
  [[ -f $npm_dir/package.json ]] || gb_die "npm not found at $npm_dir"
  local -a cas=()
  if compgen -G '/usr/local/share/ca-certificates/*.crt' > /dev/null; then cas=(/usr/local/share/ca-certificates/*.crt); fi
  hash="$( (hash_files "$images_dir/node/Containerfile" "$node" "$npm_dir/package.json" ${cas[@]+"${cas[@]}"}
    image_id "$GB_DEBIAN_IMAGE") | hash_stdin)"
  up_to_date "$GB_NODE_IMAGE" "$hash" && return 0
  ctx="$GB_CONTAINERS_WORK/build/node"
  rm -rf "$ctx"
  mkdir -p "$ctx"
  cp "$images_dir/node/Containerfile" "$node" "$ctx/"
  [[ -f $ctx/node ]] || mv "$ctx/$(basename "$node")" "$ctx/node"
  cp -r "$npm_dir" "$ctx/npm"
  mkdir -p "$ctx/ca"
  echo "CA certificates this machine trusts, added by docker/podman/build-images.sh" > "$ctx/ca/README"
  [[ ${#cas[@]} -eq 0 ]] || cp "${cas[@]}" "$ctx/ca/"
  podman_build "$GB_NODE_IMAGE" "$hash" "$ctx" "$ctx/Containerfile" --build-arg "BASE_IMAGE=$GB_DEBIAN_IMAGE"
  rm -rf "$ctx"
}

# --- servers from Maven-resolved jars ----------------------------------------------------------

# Prints the classpath file of docker/local/$1, resolving it with Maven when it is not cached
# (the same cache file and checksum check as docker/local/$1/service.sh).
resolve_classpath() {
  local svc_dir="$local_dir/$1" key cp_file tmp
  key="$(sha256sum "$svc_dir/pom.xml" | cut -c1-16)"
  cp_file="$svc_dir/target/classpath-$key.txt"
  local ok=false jar
  if [[ -s $cp_file ]]; then
    ok=true
    while IFS= read -r jar; do [[ -z $jar || -f $jar ]] || { ok=false; break; }; done < <(tr ':' '\n' < "$cp_file"; echo)
  fi
  if [[ $ok == false ]]; then
    command -v "${MVN:-mvn}" > /dev/null || gb_die "Maven (${MVN:-mvn}) is needed once to download the $1 jars"
    mkdir -p "$svc_dir/target"
    tmp="$cp_file.tmp.$$"
    gb_log "$1: resolving jars with Maven..."
    if ! "${MVN:-mvn}" -q -B --strict-checksums -f "$svc_dir/pom.xml" dependency:build-classpath \
        -Dmdep.includeScope=runtime -Dmdep.outputFile="$tmp" > "$svc_dir/target/mvn-image.log" 2>&1; then
      tail -n 30 "$svc_dir/target/mvn-image.log" >&2
      rm -f "$tmp"
      gb_die "$1: Maven could not resolve the jars (log: $svc_dir/target/mvn-image.log)"
    fi
    mv -f "$tmp" "$cp_file"
  fi
  bash "$local_dir/verify-jars.sh" "$cp_file" "$svc_dir/jars.sha256" >&2 \
    || gb_die "$1: the resolved jars differ from docker/local/$1/jars.sha256; refusing to build an image from them"
  echo "$cp_file"
}

build_server() { # janusgraph | pulsar | cassandra
  local svc=$1 image hash cp_file ctx jar name
  image="$(case "$svc" in janusgraph) echo "$GB_JANUSGRAPH_IMAGE" ;; pulsar) echo "$GB_PULSAR_IMAGE" ;; cassandra) echo "$GB_CASSANDRA_IMAGE" ;; esac)"
  need_parent "$GB_JRE_IMAGE" jre
  hash="$( (hash_files "$local_dir/$svc/pom.xml" "$local_dir/$svc/jars.sha256" "$local_dir/$svc"/conf/* "$images_dir/$svc"/* \
    "$GB_PODMAN_DIR/build-images.sh"
    image_id "$GB_JRE_IMAGE") | hash_stdin)"
  up_to_date "$image" "$hash" && return 0
  cp_file="$(resolve_classpath "$svc")"
  ctx="$GB_CONTAINERS_WORK/build/$svc"
  rm -rf "$ctx"
  mkdir -p "$ctx/lib" "$ctx/conf"
  # The jars keep Maven's order on the classpath; two jars with one file name would clash.
  local -a entries=()
  while IFS= read -r jar; do
    [[ -n $jar ]] || continue
    name="$(basename "$jar")"
    [[ -e $ctx/lib/$name ]] && gb_die "$svc: two jars are named $name; the image keeps one folder of jars"
    ln "$jar" "$ctx/lib/$name" 2> /dev/null || cp "$jar" "$ctx/lib/$name"
    entries+=("/opt/$svc/lib/$name")
  done < <(tr ':' '\n' < "$cp_file"; echo)
  (IFS=:; printf '%s\n' "${entries[*]}") > "$ctx/classpath.txt"
  cp "$local_dir/$svc"/conf/* "$ctx/conf/"
  local f
  for f in "$images_dir/$svc"/*; do
    case "$f" in *.sh | */Containerfile) cp "$f" "$ctx/" ;; *) cp "$f" "$ctx/conf/" ;; esac
  done
  gb_log "$svc: building $image (${#entries[@]} jars)..."
  podman_build "$image" "$hash" "$ctx" "$ctx/Containerfile" --build-arg "BASE_IMAGE=$GB_JRE_IMAGE"
  rm -rf "$ctx"
}

# --- the apps: docker/Dockerfile -----------------------------------------------------------

build_app() {
  need_parent "$GB_NODE_IMAGE" node
  local hash
  # Every file git knows (tracked or new, not ignored) as it is in the work tree.
  hash="$( (cd "$GB_REPO_ROOT" && git ls-files -z --cached --others --exclude-standard \
    | xargs -0 -r sha256sum 2> /dev/null; image_id "$GB_NODE_IMAGE") | hash_stdin)"
  up_to_date "$GB_APP_IMAGE" "$hash" && return 0
  gb_log "app: building $GB_APP_IMAGE from docker/Dockerfile on $GB_NODE_IMAGE (npm ci and npm run build inside)..."
  # npm ci inside the build reads this machine's npm cache through an overlay (what it writes
  # there is thrown away), so a first build downloads nothing the machine already has. The
  # image is the same with or without it; the Dockerfile knows nothing of it.
  local npm_cache
  local -a cache_mount=()
  npm_cache="$(npm config get cache 2> /dev/null || true)"
  if [[ -n $npm_cache && -d $npm_cache/_cacache ]]; then cache_mount=(--volume "$npm_cache:/root/.npm:O"); fi
  podman_build "$GB_APP_IMAGE" "$hash" "$GB_REPO_ROOT" "$GB_REPO_ROOT/docker/Dockerfile" \
    --build-arg "NODE_IMAGE=$GB_NODE_IMAGE" ${cache_mount[@]+"${cache_mount[@]}"}
}

total=$SECONDS
for image in "${wanted[@]}"; do
  case "$image" in
    debian) timed build_debian ;;
    jre) timed build_jre ;;
    node) timed build_node ;;
    janusgraph | pulsar | cassandra) timed build_server "$image" ;;
    app) timed build_app ;;
  esac
done
gb_log "images ready in $((SECONDS - total)) s:"
gb_podman images --format '  {{.Repository}}:{{.Tag}}  {{.Size}}' | grep 'graph-banking' >&2 || true
