#!/usr/bin/env bash
# npm run package: builds build/portcullis_VERSION_ARCH.deb with dpkg-deb.
#   /usr/lib/portcullis/          the program: bin/, dist/src (no tests), package.json,
#                                 node_modules/cap (the built libpcap binding only)
#   /usr/bin/portcullis           -> ../lib/portcullis/bin/portcullis
#   /lib/systemd/system/portcullis.service   contrib/portcullis.service
#   /etc/portcullis/portcullis.conf          contrib/portcullis.conf (a conffile)
#   /usr/share/man/man8/portcullis.8.gz, man5/portcullis.conf.5.gz  from src/cli/help/
#   /usr/share/doc/portcullis/copyright, README.md.gz
# The package depends on Debian's (or NodeSource's) nodejs 20: the binding is
# built for Node 20's module ABI. It compiles into build/dist (so nothing stale
# is shipped); PORTCULLIS_SKIP_BUILD=1 packages dist/ as it is instead (the
# tests, which already built it); PORTCULLIS_PACKAGE_OUT=DIR writes there instead
# of build/. Needs dpkg-deb, tar and gzip; no root.
set -euo pipefail
cd "$(dirname "$0")/.."

version=$(node -p "require('./package.json').version")
arch=$(dpkg --print-architecture)
out="${PORTCULLIS_PACKAGE_OUT:-build}"
deb="$out/portcullis_${version}_${arch}.deb"
stage="$out/stage"

# A clean compile, so no output of a since-deleted source ends up in the package.
dist=dist
if [ "${PORTCULLIS_SKIP_BUILD:-0}" != 1 ]; then
  rm -rf "$out/dist"
  npx --no-install tsc -p tsconfig.json --outDir "$out/dist"
  dist="$out/dist"
fi
if ! node -e "require('cap')" >/dev/null 2>&1; then
  echo "package: the cap capture binding is not built (run scripts/setup.sh)" >&2
  exit 1
fi

rm -rf "$stage"
lib="$stage/usr/lib/portcullis"
mkdir -p "$lib/bin" "$lib/node_modules/cap/build/Release" "$stage/usr/bin" "$stage/lib/systemd/system" \
  "$stage/etc/portcullis" "$stage/usr/share/man/man8" "$stage/usr/share/man/man5" "$stage/usr/share/doc/portcullis" "$stage/DEBIAN"

# The program: compiled sources without tests, source maps or test doubles' tests.
mkdir -p "$lib/dist"
tar -C "$dist" --exclude='*.test.js' --exclude='*.map' -cf - src | tar -C "$lib/dist" -xf -
cp bin/portcullis "$lib/bin/portcullis"
node -e "const p = require('./package.json'); process.stdout.write(JSON.stringify({ name: p.name, version: p.version, type: p.type, license: p.license }, null, 2) + '\n')" > "$lib/package.json"
cp node_modules/cap/package.json node_modules/cap/LICENSE "$lib/node_modules/cap/"
cp -r node_modules/cap/lib "$lib/node_modules/cap/lib"
cp node_modules/cap/build/Release/cap.node "$lib/node_modules/cap/build/Release/cap.node"
ln -s ../lib/portcullis/bin/portcullis "$stage/usr/bin/portcullis"

cp contrib/portcullis.service "$stage/lib/systemd/system/portcullis.service"
cp contrib/portcullis.conf "$stage/etc/portcullis/portcullis.conf"
node "$dist/src/cli/help/man-main.js" "$out/man" >/dev/null
gzip -9n < "$out/man/portcullis.8" > "$stage/usr/share/man/man8/portcullis.8.gz"
gzip -9n < "$out/man/portcullis.conf.5" > "$stage/usr/share/man/man5/portcullis.conf.5.gz"
gzip -9n < README.md > "$stage/usr/share/doc/portcullis/README.md.gz"
cat > "$stage/usr/share/doc/portcullis/copyright" <<'EOF'
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: portcullis

Files: *
License: MIT

Files: usr/lib/portcullis/node_modules/cap/*
Copyright: Brian White
License: MIT

License: MIT
 Permission is hereby granted, free of charge, to any person obtaining a copy
 of this software and associated documentation files (the "Software"), to deal
 in the Software without restriction, including without limitation the rights
 to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
 copies of the Software, and to permit persons to whom the Software is
 furnished to do so, subject to the following conditions:
 .
 The above copyright notice and this permission notice shall be included in
 all copies or substantial portions of the Software.
 .
 THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
 IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
 FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
 AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
 LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
 OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
 SOFTWARE.
EOF

size=$(du -sk --exclude=DEBIAN "$stage" | cut -f1)
cat > "$stage/DEBIAN/control" <<EOF
Package: portcullis
Version: $version
Architecture: $arch
Maintainer: Portcullis developers <portcullis@localhost>
Installed-Size: $size
Depends: nodejs (>= 20), nodejs (<< 21), libpcap0.8, passwd
Recommends: nftables | iptables
Suggests: knockd, fwknop-client
Section: net
Priority: optional
Description: port knocking and SPA daemon and client (knockd and fwknop compatible)
 Portcullis hides a service behind a closed firewall and opens it, for one
 client address and for a while, after a secret sequence of knocks (knockd's
 config, unchanged) or one fwknop Single Packet Authorization packet.
 The daemon runs as the user portcullis with only CAP_NET_RAW and
 CAP_NET_ADMIN; nftables, iptables, ipset and firewalld grants expire in the
 kernel.
EOF
echo /etc/portcullis/portcullis.conf > "$stage/DEBIAN/conffiles"
install -m 0755 contrib/debian/postinst contrib/debian/prerm contrib/debian/postrm "$stage/DEBIAN/"

mkdir -p "$out"
dpkg-deb --root-owner-group -Zgzip --build "$stage" "$deb" >/dev/null
rm -rf "$stage" "$out/man" "$out/dist"
echo "$deb"
