# The whole test suite, with what it needs installed first (tmux, sshd, ncurses headers…):
#
#   make test                         # what the README names and .ci/run runs
#
# Install LicenseDesk on a shared admin host:
#
#   make install                      # release build, then install under /usr/local
#   make install PREFIX=/opt/licensedesk
#   make uninstall                    # removes exactly the files `make install` recorded
#
# DESTDIR stages into a packaging root. SCRATCH names the build folder (a second one lets an
# install build run beside `swift test`, which holds .build).

PREFIX  ?= /usr/local
DESTDIR ?=
SCRATCH ?= .build
SWIFT   ?= swift
# The Swift runtime and Foundation are linked in, so the installed binary keeps working on a jump
# host whatever happens to the toolchain (it needs only libc, libstdc++ and ncursesw).
SWIFT_FLAGS ?= --static-swift-stdlib

root      := $(DESTDIR)$(PREFIX)
bindir    := $(root)/bin
sharedir  := $(root)/share/licensedesk
themedir  := $(sharedir)/themes
mandir    := $(root)/share/man/man1
bashdir   := $(root)/share/bash-completion/completions
zshdir    := $(root)/share/zsh/site-functions
fishdir   := $(root)/share/fish/vendor_completions.d
# What was installed, one path per line (without DESTDIR): uninstall removes those files and no others.
manifest  := $(sharedir)/install-manifest

installdirs := $(bindir) $(themedir) $(mandir) $(bashdir) $(zshdir) $(fishdir)

release   := $(SCRATCH)/release
generated := $(SCRATCH)/install-files

.PHONY: all build install uninstall clean-install-files test lint

# `swift test` alone fails on a new machine (no sshd for the SSH walkthrough, no tmux).
test: lint
	scripts/install-test-dependencies
	LC_ALL=C.UTF-8 $(SWIFT) test

# DESIGN.md's module table (SwiftPM does not enforce it) and the checked-in format configuration.
lint:
	scripts/check-imports
	$(SWIFT) format lint --strict --recursive --configuration .swift-format Package.swift Sources Tests

all: build

# The binary, and swift-argument-parser's generate-manual tool (it reads the command definitions
# through `licensedesk --experimental-dump-help`, so the manual is never written by hand).
build:
	$(SWIFT) build -c release $(SWIFT_FLAGS) --scratch-path $(SCRATCH) --product licensedesk
	$(SWIFT) build -c release $(SWIFT_FLAGS) --scratch-path $(SCRATCH) --product generate-manual

$(generated): build
	rm -rf $(generated) && mkdir -p $(generated)
	$(release)/generate-manual $(release)/licensedesk --output-directory $(generated)
	$(release)/licensedesk --generate-completion-script bash > $(generated)/licensedesk.bash
	$(release)/licensedesk --generate-completion-script zsh > $(generated)/_licensedesk
	$(release)/licensedesk --generate-completion-script fish > $(generated)/licensedesk.fish

install: $(generated)
	for dir in $(installdirs); do \
	  while [ ! -d "$$dir" ]; do echo "$${dir#$(DESTDIR)}/"; dir=$$(dirname "$$dir"); done; \
	done | sort -u -r > $(generated)/created-folders
	install -d $(installdirs)
	install -m 0755 $(release)/licensedesk $(bindir)/licensedesk
	install -m 0644 themes/*.theme $(themedir)/
	install -m 0644 $(generated)/licensedesk.1 $(mandir)/licensedesk.1
	install -m 0644 $(generated)/licensedesk.bash $(bashdir)/licensedesk
	install -m 0644 $(generated)/_licensedesk $(zshdir)/_licensedesk
	install -m 0644 $(generated)/licensedesk.fish $(fishdir)/licensedesk.fish
	{ echo $(PREFIX)/bin/licensedesk; \
	  for theme in themes/*.theme; do echo $(PREFIX)/share/licensedesk/themes/$${theme#themes/}; done; \
	  echo $(PREFIX)/share/man/man1/licensedesk.1; \
	  echo $(PREFIX)/share/bash-completion/completions/licensedesk; \
	  echo $(PREFIX)/share/zsh/site-functions/_licensedesk; \
	  echo $(PREFIX)/share/fish/vendor_completions.d/licensedesk.fish; \
	  cat $(generated)/created-folders; } > $(manifest)
	chmod 0644 $(manifest)
	@echo "Installed licensedesk in $(bindir); run 'licensedesk --version'"

# The manifest's files, then the manifest, then the folders install created (deepest first) if
# nothing else has moved in since: /usr/local/bin and friends, which existed before, stay.
uninstall:
	@test -f $(manifest) || { echo "nothing to uninstall: no $(manifest)"; exit 1; }
	grep -v '/$$' $(manifest) | while IFS= read -r file; do rm -f "$(DESTDIR)$$file"; done
	folders=$$(grep '/$$' $(manifest) || true); rm -f $(manifest); \
	for dir in $$folders; do rmdir "$(DESTDIR)$$dir" 2>/dev/null || true; done
	rmdir $(themedir) $(sharedir) 2>/dev/null || true
	@echo "Uninstalled licensedesk from $(root)"
