# SPDX-License-Identifier: GPL-2.0
# reflectctl's configuration parser, validation, printer and differ
# (tools/reflectctl), included by the Makefile of this directory.
RCTL := ../../../../reflectctl
HARNESSES += fuzz_reflectctl
$(OUT)/fuzz_reflectctl: fuzz_reflectctl.c $(DEPS) $(wildcard $(RCTL)/*.[ch])
	@mkdir -p $(OUT)
	$(CC) $(CPPFLAGS) $(CFLAGS) -DRFL_HAVE_MAP -I$(RCTL) -o $@ $< \
		$(addprefix $(RCTL)/, model.c parse.c print.c diff.c) $(PROTO_SRCS)
