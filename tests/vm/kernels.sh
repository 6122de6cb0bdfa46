# SPDX-License-Identifier: GPL-2.0-only
#
# The kernels wsheap is built and tested for, sourced by the scripts that
# build for them (tests/vm/run, tests/pipeline/dkms, tests/pipeline/lint,
# tests/compat/run, tests/harness/run).  A kernel is named by its series:
#   6.1, 6.12  Debian 12's stock kernels: headers in /lib/modules/RELEASE/build
#   7.3        Debian 13's (trixie-backports): headers in the Debian 13 build
#              root scripts/install-deps makes, built in there (tests/vm/kroot)
# The debug kernels, built from source, are tests/vm/build-kernel's.

# Every series make check covers, oldest first (WSHEAP_SERIES="6.12 7.3"
# narrows the scripts that loop over them to those).
read -ra stock_series <<<"${WSHEAP_SERIES:-6.1 6.12 7.3}"
kroot_dir=${WSHEAP_TRIXIE_ROOT:-/var/cache/wsheap/trixie/root}
kernels_sh_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# in_kroot SERIES: true if SERIES's headers are built in the Debian 13 root.
in_kroot() {
	case $1 in 7.*) return 0 ;; *) return 1 ;; esac
}

# stock_releases SERIES: the releases of SERIES whose headers are
# installed (/lib/modules/RELEASE/build, in the root for 7.x), oldest first.
stock_releases() {
	local mods=/lib/modules v
	in_kroot "$1" && mods=$kroot_dir/usr/lib/modules
	for v in $(ls "$mods" 2>/dev/null | sort -V); do
		case $v in "$1".*) [ -f "$mods/$v/build/Makefile" ] && echo "$v" ;; esac
	done
}

# stock_headers SERIES: the newest of them; nothing if none is installed.
stock_headers() {
	stock_releases "$1" | tail -n 1
}

# kmake SERIES MAKE-ARGUMENT...: make, where SERIES's headers can build:
# on this machine, or in the Debian 13 root.  Paths under the repository
# and /tmp are the same in both.
kmake() {
	local series=$1
	shift
	if in_kroot "$series"; then
		"$kernels_sh_dir/kroot" -- make "$@"
	else
		make "$@"
	fi
}
