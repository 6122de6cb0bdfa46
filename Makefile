# SPDX-License-Identifier: GPL-2.0-only
#
#   make                  the module (against KDIR), the library, the tests
#   make KDIR=/path       the module for another kernel tree
#   make demo             the module at work in a guest kernel
#   make check            every test, in guest kernels; ends "N passed, N failed"
#   make bench            benchmarks natively and in a guest kernel: a Markdown
#                         report in .build/bench/results.md (tests/bench/run)
#   make fuzz             the /dev/wsheap fuzzer in the debug guest, a million
#                         operations ([SEED=N] [OPS=N]); make fuzz-lib: the
#                         library's libFuzzer target for 10 minutes
#   make install          the library: headers, libwsheap.{a,so}, wsheap.pc,
#                         man pages ([PREFIX=/usr/local] [DESTDIR=])
#   make clean            back to a clean tree

KDIR ?= /lib/modules/$(shell uname -r)/build

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

demo: lib
	$(MAKE) -C tests/demo
	tests/vm/run -- tests/demo/run

check:
	tests/check

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
	$(MAKE) -C tests/demo clean
	find kernel tests/harness \( -name '*.o' -o -name '*.ko' -o -name '*.mod' \
		-o -name '*.mod.c' -o -name '.*.cmd' -o -name 'modules.order' \
		-o -name 'Module.symvers' \) -delete
	rm -f Module.symvers modules.order .*.cmd
	rm -rf .build

.PHONY: all module lib selftests install demo check bench fuzz fuzz-lib clean
