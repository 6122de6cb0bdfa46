# SPDX-License-Identifier: GPL-2.0-only
#
# Sourced by the tests that build for Debian's stock kernels (tests/dkms,
# tests/lint).

# stock_headers SERIES: the newest release of SERIES (6.1 or 6.12) whose
# headers are installed in /lib/modules/RELEASE/build; nothing if none is.
stock_headers() {
	local v best=
	for v in $(ls /lib/modules 2>/dev/null | sort -V); do
		case $v in "$1".*) [ -f "/lib/modules/$v/build/Makefile" ] && best=$v ;; esac
	done
	echo "$best"
}
