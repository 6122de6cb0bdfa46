# SPDX-License-Identifier: GPL-2.0-only
#
#   make                  the module (against KDIR), the library, the tests
#   make KDIR=/path       the module for another kernel tree
#   make demo             the module at work in a guest kernel
#   make check            every test, in guest kernels; ends "N passed, N failed"
#                         ([STEPS="stock-7.3 lint"]: only those; tests/pipeline/check --list)
#   make bench            benchmarks natively and in a guest kernel: a Markdown
#                         report in .build/bench/results.md (tests/bench/run)
#   make fuzz             the /dev/wsheap fuzzer in the debug guest, a million
#                         operations ([SEED=N] [OPS=N]); make fuzz-lib: the
#                         library's libFuzzer target for 10 minutes
#   make install          the library (headers, libwsheap.{a,so}, wsheap.pc,
#                         man pages), the examples and the udev rule
#                         ([PREFIX=/usr/local] [DESTDIR=] [UDEVRULESDIR=])
#   make modules_install  wsheap.ko into /lib/modules/KVER/updates, then
#                         depmod ([KDIR=] [DESTDIR=])
#   make dkms-source      the module's sources into /usr/src/wsheap-VERSION,
#                         for `dkms install wsheap/VERSION` ([DESTDIR=])
#   make htmldocs         Documentation/ as HTML, in .build/htmldocs
#   make lint             sparse, W=1 and clang builds of the module, the
#                         library with -Werror under gcc and clang, then
#                         checkpatch --strict and kernel-doc (tests/pipeline/style)
#   make clean            back to a clean tree
#
# Documentation/install.rst says which to use when.

KDIR ?= /lib/modules/$(shell uname -r)/build
# One version for the module, its DKMS package and the library.
VERSION := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"$$/\1/p' dkms.conf)
UDEVRULESDIR ?= /lib/udev/rules.d

all: module lib selftests

module:
	@test -f $(KDIR)/Makefile || { \
		echo "No kernel build tree at KDIR=$(KDIR)."; \
		echo "Install the headers of the running kernel (linux-headers-\$$(uname -r))"; \
		echo "or name a tree: make KDIR=/lib/modules/VERSION/build"; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

lib:
	$(MAKE) -C userlib

selftests: lib
	$(MAKE) -C tests/selftests
	$(MAKE) -C tests/hardening

install:
	$(MAKE) -C userlib install
	$(MAKE) -C examples install
	install -d $(DESTDIR)$(UDEVRULESDIR)
	install -m 0644 udev/60-wsheap.rules $(DESTDIR)$(UDEVRULESDIR)/60-wsheap.rules
	$(if $(DESTDIR),,ldconfig)

# The release the tree's modules are for.  Not include/config/kernel.release:
# Debian's 6.1 headers have the upstream one there (6.1.192), not the
# directory name under /lib/modules (6.1.0-57-amd64).
kernelrelease = $(shell sed -n 's/^\#define UTS_RELEASE "\(.*\)"$$/\1/p' \
	$(KDIR)/include/generated/utsrelease.h)

# make kernelrelease: what modules_install and depmod take KDIR's release to be.
kernelrelease:
	@echo $(kernelrelease)

# Kbuild installs into $(DESTDIR)/lib/modules/KVER/updates/ (which depmod
# searches first; 6.1's Kbuild would pick extra/).  Distribution
# headers (Debian's) have neither System.map, without which Kbuild skips
# depmod, nor the key their kernel was signed with: so depmod is run here,
# for a real install only (a package's postinst runs it for a DESTDIR
# one), and Kbuild is not asked to sign without a key.  Secure Boot
# machines sign with their MOK: DKMS does that (Documentation/install.rst).
modules_install: module
	$(MAKE) -C $(KDIR) M=$(CURDIR) INSTALL_MOD_PATH=$(DESTDIR) INSTALL_MOD_DIR=updates \
		$(if $(wildcard $(KDIR)/certs/signing_key.pem),,CONFIG_MODULE_SIG_ALL=) \
		modules_install
	$(if $(DESTDIR),,depmod -a $(kernelrelease))

# What DKMS builds from: the Kbuild files and the module's sources, nothing
# of the library or the tests.
dkms_src := $(DESTDIR)/usr/src/wsheap-$(VERSION)
dkms-source:
	rm -rf $(dkms_src)
	install -d $(dkms_src)/kernel/include/linux $(dkms_src)/uapi/linux
	install -m 0644 dkms.conf Kbuild $(dkms_src)/
	install -m 0644 kernel/Kbuild $(filter-out %.mod.c,$(wildcard kernel/*.[ch])) \
		$(dkms_src)/kernel/
	install -m 0644 kernel/include/linux/wsheap.h $(dkms_src)/kernel/include/linux/
	install -m 0644 uapi/linux/wsheap.h $(dkms_src)/uapi/linux/

htmldocs:
	$(MAKE) -C Documentation htmldocs

lint:
	tests/pipeline/lint
	tests/pipeline/style

demo: lib
	$(MAKE) -C examples
	tests/vm/run --module examples/driver -- tests/demo/run

check:
	tests/pipeline/check $(STEPS)

bench: lib
	tests/bench/run

SEED ?= $(shell date +%s)
OPS ?= 1000000
fuzz: selftests
	tests/vm/run --timeout 3600 -- tests/hardening/fuzz_dev -s $(SEED) -n $(OPS) -p 4 -v

fuzz-lib: lib
	tests/fuzz/lib/run

# No kernel tree is needed to clean: the Kbuild products are removed by name.
clean:
	$(MAKE) -C userlib clean
	$(MAKE) -C tests/selftests clean KSFT_DIR=none
	$(MAKE) -C tests/hardening clean KSFT_DIR=none
	$(MAKE) -C tests/fuzz/lib clean
	$(MAKE) -C examples clean
	find kernel tests/harness \( -name '*.o' -o -name '*.ko' -o -name '*.mod' \
		-o -name '*.mod.c' -o -name '.*.cmd' -o -name 'modules.order' \
		-o -name 'Module.symvers' \) -delete
	rm -f Module.symvers modules.order .*.cmd
	rm -rf .build

.PHONY: all module lib selftests install kernelrelease modules_install dkms-source htmldocs lint \
	demo check bench fuzz fuzz-lib clean
