# install.mk: `make install` and `make uninstall` (PREFIX, DESTDIR): the tools and eas-station,
# man pages, bash and zsh completions, systemd units (into systemd's system unit directory),
# the polkit rule, sysusers.d and tmpfiles.d files for eas-ctl-listen.service, the dashboard's CGI scripts and lighttpd snippet
# (both in $(CGIDIR)),
# and example configs as *.example files, which never replace a user's own.  Included by Makefile.

SYSCONFDIR     ?= /etc
SYSTEMDUNITDIR ?= $(or $(shell pkg-config --variable=systemdsystemunitdir systemd 2>/dev/null),/lib/systemd/system)
POLKITRULESDIR ?= /usr/share/polkit-1/rules.d
SYSUSERSDIR    ?= $(or $(shell pkg-config --variable=sysusersdir systemd 2>/dev/null),/usr/lib/sysusers.d)
TMPFILESDIR    ?= $(or $(shell pkg-config --variable=tmpfilesdir systemd 2>/dev/null),/usr/lib/tmpfiles.d)
CGIDIR         ?= $(PREFIX)/lib/eas-tools/cgi
DOCDIR         ?= $(PREFIX)/share/doc/eas-tools

# systemd for systemd-analyze (the unit checks), man-db for its Documentation= checks, lighttpd
# and curl for the station's dashboard and its test.
DEBS += systemd man-db lighttpd curl

SCRIPT_CMDS := scripts/eas-station
UNIT_FILES  := $(wildcard systemd/*.service systemd/*.timer)
CGI_FILES   := $(wildcard cgi/*.cgi)
LIGHTTPD_SNIPPETS := $(wildcard cgi/*.conf)
EXAMPLES    := $(wildcard examples/*.example)
MAN1 := $(wildcard man/*.1)
MAN8 := $(wildcard man/*.8)
BASH_COMPL := $(wildcard completions/bash/*)
ZSH_COMPL  := $(wildcard completions/zsh/_*)

# Units and snippets name the installed paths.
SUBST := sed -e 's|@BINDIR@|$(PREFIX)/bin|g' -e 's|@CGIDIR@|$(CGIDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g'

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/man/man8 \
	  $(DESTDIR)$(PREFIX)/share/bash-completion/completions $(DESTDIR)$(PREFIX)/share/zsh/site-functions \
	  $(DESTDIR)$(SYSTEMDUNITDIR) $(DESTDIR)$(POLKITRULESDIR) $(DESTDIR)$(DOCDIR)/examples \
	  $(DESTDIR)$(SYSUSERSDIR) $(DESTDIR)$(TMPFILESDIR) \
	  $(DESTDIR)$(SYSCONFDIR)/eas-tools/sources $(DESTDIR)$(SYSCONFDIR)/eas-tools/hooks
	install -m 755 $(BINS) $(SCRIPT_CMDS) $(DESTDIR)$(PREFIX)/bin/
	install -m 644 $(MAN1) $(DESTDIR)$(PREFIX)/share/man/man1/
	$(if $(MAN8),install -m 644 $(MAN8) $(DESTDIR)$(PREFIX)/share/man/man8/)
	$(if $(BASH_COMPL),install -m 644 $(BASH_COMPL) $(DESTDIR)$(PREFIX)/share/bash-completion/completions/)
	$(if $(ZSH_COMPL),install -m 644 $(ZSH_COMPL) $(DESTDIR)$(PREFIX)/share/zsh/site-functions/)
	for f in $(UNIT_FILES); do $(SUBST) $$f > $(DESTDIR)$(SYSTEMDUNITDIR)/$${f##*/} && \
	  chmod 644 $(DESTDIR)$(SYSTEMDUNITDIR)/$${f##*/} || exit 1; done
	install -m 644 systemd/50-eas-ctl.rules $(DESTDIR)$(POLKITRULESDIR)/
	install -m 644 systemd/eas-tools.sysusers $(DESTDIR)$(SYSUSERSDIR)/eas-tools.conf
	install -m 644 systemd/eas-tools.tmpfiles $(DESTDIR)$(TMPFILESDIR)/eas-tools.conf
	$(if $(CGI_FILES),install -d $(DESTDIR)$(CGIDIR) && install -m 755 $(CGI_FILES) $(DESTDIR)$(CGIDIR)/)
	for f in $(LIGHTTPD_SNIPPETS); do $(SUBST) $$f > $(DESTDIR)$(CGIDIR)/$${f##*/} || exit 1; done
	install -m 644 $(EXAMPLES) $(DESTDIR)$(DOCDIR)/examples/
	install -m 644 $(EXAMPLES) $(DESTDIR)$(SYSCONFDIR)/eas-tools/

# Only what install put there: a user's own configs (station.conf, sources/*.conf, ...) stay,
# and so do the directories that hold them.
uninstall:
	rm -f $(addprefix $(DESTDIR)$(PREFIX)/bin/,$(TOOLS) $(notdir $(SCRIPT_CMDS))) \
	  $(addprefix $(DESTDIR)$(PREFIX)/share/man/man1/,$(notdir $(MAN1))) \
	  $(addprefix $(DESTDIR)$(PREFIX)/share/man/man8/,$(notdir $(MAN8))) \
	  $(addprefix $(DESTDIR)$(PREFIX)/share/bash-completion/completions/,$(notdir $(BASH_COMPL))) \
	  $(addprefix $(DESTDIR)$(PREFIX)/share/zsh/site-functions/,$(notdir $(ZSH_COMPL))) \
	  $(addprefix $(DESTDIR)$(SYSTEMDUNITDIR)/,$(notdir $(UNIT_FILES))) \
	  $(DESTDIR)$(POLKITRULESDIR)/50-eas-ctl.rules \
	  $(DESTDIR)$(SYSUSERSDIR)/eas-tools.conf $(DESTDIR)$(TMPFILESDIR)/eas-tools.conf \
	  $(addprefix $(DESTDIR)$(CGIDIR)/,$(notdir $(CGI_FILES))) \
	  $(addprefix $(DESTDIR)$(CGIDIR)/,$(notdir $(LIGHTTPD_SNIPPETS))) \
	  $(addprefix $(DESTDIR)$(DOCDIR)/examples/,$(notdir $(EXAMPLES))) \
	  $(addprefix $(DESTDIR)$(SYSCONFDIR)/eas-tools/,$(notdir $(EXAMPLES)))
	-rmdir $(DESTDIR)$(DOCDIR)/examples $(DESTDIR)$(DOCDIR) $(DESTDIR)$(CGIDIR) $(DESTDIR)$(PREFIX)/lib/eas-tools \
	  $(DESTDIR)$(SYSCONFDIR)/eas-tools/sources $(DESTDIR)$(SYSCONFDIR)/eas-tools/hooks \
	  $(DESTDIR)$(SYSCONFDIR)/eas-tools 2>/dev/null
