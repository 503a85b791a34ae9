// Swift 6 cannot read ncurses' C globals (stdscr, LINES, COLS, COLORS) or expand its
// function-like macros (A_BOLD, KEY_F, WACS_*, getmaxyx). Each is wrapped here in a
// static inline function. SwiftPM drops pkg-config's -D flags, so the wide-character
// API is switched on here, before curses.h is read.
#ifndef LICENSEDESK_CNCURSES_SHIM_H
#define LICENSEDESK_CNCURSES_SHIM_H

#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1
#endif

#include <locale.h>
#include <signal.h>
#include <pthread.h>
#include <langinfo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>
#include <ncursesw/curses.h>

static inline WINDOW *ld_stdscr(void) { return stdscr; }
static inline int ld_lines(void) { return LINES; }
static inline int ld_cols(void) { return COLS; }
static inline int ld_colors(void) { return COLORS; }
static inline int ld_color_pairs(void) { return COLOR_PAIRS; }
static inline int ld_getmaxy(WINDOW *w) { return getmaxy(w); }
static inline int ld_getmaxx(WINDOW *w) { return getmaxx(w); }

static inline attr_t ld_a_normal(void) { return A_NORMAL; }
static inline attr_t ld_a_bold(void) { return A_BOLD; }
static inline attr_t ld_a_reverse(void) { return A_REVERSE; }
static inline attr_t ld_a_dim(void) { return A_DIM; }
static inline attr_t ld_a_underline(void) { return A_UNDERLINE; }

static inline int ld_key_f(int n) { return KEY_F(n); }

static inline int ld_set_locale_from_environment(void) {
    return setlocale(LC_ALL, "") != NULL;
}
static inline int ld_locale_is_utf8(void) {
    const char *codeset = nl_langinfo(CODESET);
    return codeset != NULL && strcmp(codeset, "UTF-8") == 0;
}

/// A process may start with SIGWINCH blocked (inherited, or blocked by a runtime library):
/// ncurses' own handler then never runs and KEY_RESIZE never comes. Unblock the signals the
/// terminal needs on this (the curses) thread.
static inline void ld_unblock_terminal_signals(void) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGWINCH);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGTSTP);
    sigaddset(&set, SIGCONT);
    pthread_sigmask(SIG_UNBLOCK, &set, NULL);
}

/// Writes one cell: a character, attributes and a colour pair, through setcchar.
static inline int ld_put_cell(WINDOW *w, int y, int x, wchar_t ch, attr_t attrs, short pair) {
    cchar_t cell;
    wchar_t text[2] = { ch, 0 };
    setcchar(&cell, text, attrs, pair, NULL);
    return mvwadd_wch(w, y, x, &cell);
}

/// Writes a run of wide characters with one set of attributes and colour pair.
static inline int ld_put_text(WINDOW *w, int y, int x, const wchar_t *text, int n, attr_t attrs, short pair) {
    wattr_set(w, attrs, pair, NULL);
    int rc = mvwaddnwstr(w, y, x, text, n);
    wattr_set(w, A_NORMAL, 0, NULL);
    return rc;
}

/// Reads a row back as wide characters (the headless "fake terminal" of tig's tests).
static inline int ld_read_row(WINDOW *w, int y, wchar_t *buffer, int n) {
    return mvwinnwstr(w, y, 0, buffer, n);
}

/// A terminal that writes to a file and reads from another, for tests without a tty.
static inline SCREEN *ld_new_headless_screen(const char *term) {
    FILE *out = fopen("/dev/null", "w+");
    FILE *in = fopen("/dev/null", "r");
    if (out == NULL || in == NULL) return NULL;
    return newterm(term, out, in);
}

#endif
