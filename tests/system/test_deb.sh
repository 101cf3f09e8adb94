#!/usr/bin/env bash
# make check's short form of make package-test: the three packages built
# (lintian-clean, or deb.sh fails) and what each holds, without a Debian
# root to install them in (make package-test does that).
set -u
source "$(dirname "$0")/lib.sh"

if ! DEB_BUILD_OPTIONS=nocheck B="$T/b" "$ROOT/packaging/deb.sh" > "$T/deb.log" 2>&1; then
	not_ok "make deb: the packages build, lintian-clean"
	tail -30 "$T/deb.log"
	summary; exit
fi
ok "make deb: the packages build, lintian-clean"
deb() { ls "$T"/b/deb/"$1"_*.deb | grep -v dbgsym; }
for p in pou-agent pou-bridge pouctl; do dpkg-deb -c "$(deb $p)" > "$T/$p.list"; done
has() { grep -q -- " \./$2\$" "$T/$1.list"; }
lacks() { ! grep -q -- "$2" "$T/$1.list"; }
check "pou-agent: the daemon" has pou-agent usr/sbin/pou-agent
check "the certificate helper" has pou-agent usr/sbin/pou-cert-request
check "its unit" has pou-agent lib/systemd/system/pou-agent.service
check "its udev rules" has pou-agent lib/udev/rules.d/60-pou.rules
check "its user" has pou-agent usr/lib/sysusers.d/pou-agent.conf
check "its man pages" has pou-agent usr/share/man/man5/pou-agent.conf.5.gz
check "no bridge in it" lacks pou-agent pou-bridge
check "pou-bridge: no udev rules, no pouctl" lacks pou-bridge 'udev\|pouctl'
check "pou-bridge: the broker's example ACL" \
    has pou-bridge usr/share/doc/pou-bridge/examples/mosquitto/pou.acl
check "pouctl on its own" has pouctl usr/bin/pouctl
check_eq "the agent's conffiles" "/etc/pou/agent.conf /etc/pou/boards/cart-v2.conf" \
    "$(dpkg-deb --ctrl-tarfile "$(deb pou-agent)" | tar -xOf - ./conffiles | tr '\n' ' ' | sed 's/ $//')"
post=$(dpkg-deb -I "$(deb pou-agent)" postinst)
check "postinst makes the user before its directories" test \
    "$(echo "$post" | grep -n systemd-sysusers | head -1 | cut -d: -f1)" -lt \
    "$(echo "$post" | grep -n systemd-tmpfiles | head -1 | cut -d: -f1)"
check "the agent does not pull in libcurl" \
    test -z "$(dpkg-deb -f "$(deb pou-agent)" Depends | grep curl)"
summary
