#!/bin/sh
# Installs the Debian 12 packages pou needs to build, test and demo, or
# with "fuzz" those of make fuzz, with "deb" those of make deb. As root it
# runs apt-get; otherwise it prints the exact command to run.
set -eu

BUILD="build-essential pkg-config libsqlite3-dev libmosquitto-dev libjansson-dev
libinih-dev libmbedtls-dev libcmocka-dev libusb-1.0-0-dev libnfc-dev
libgpiod-dev libcurl4-openssl-dev"
RUN="mosquitto mosquitto-clients sqlite3 python3 python3-hl7 python3-cryptography procps openssl"
SYMBOLS="zint zxing-cpp-tools"	# real barcode symbols for the tests
DEVICES="umockdev libnfc-bin faketime"	# real libusb, libnfc; a wrong clock
FUZZ="clang libclang-rt-dev"
# make deb and package-test (test_deb.sh), the Debian 13 root
# (test_debian13.sh)
PACKAGE="debhelper dpkg-dev lintian groff-base mmdebstrap curl"

case "${1:-}" in
fuzz) PKGS="$BUILD $FUZZ" ;;
deb) PKGS="$BUILD $PACKAGE" ;;
*) PKGS="$BUILD $RUN $SYMBOLS $DEVICES $PACKAGE" ;;
esac

want=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
		want="$want $p"
	fi
done
[ -z "$want" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "pou: missing Debian packages; install them with:" >&2
	echo "  sudo apt-get install -y$want" >&2
	exit 1
fi
echo "pou: installing$want" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $want >/dev/null
