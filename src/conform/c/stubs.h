/*
 * Stand-ins for what the OpenSIPS dialog functions under test call: locks,
 * logging, ticks, abort(). Written for this project's conformance harness
 * (src/conform/); no OpenSIPS code is in this file. The harness (harness.c,
 * generated in a temporary directory) includes this file, then the functions
 * and macros taken from the OpenSIPS tree, then cell.h and driver.c.
 */
#ifndef CONFORM_STUBS_H
#define CONFORM_STUBS_H

#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ucontext.h>

typedef struct { char *s; int len; } str;

/* ---- locks: a lock is an int; taking a held lock or releasing a free one is a harness error */
typedef int gen_lock_t;
static void conform_fatal(const char *what);
static int conform_lock_ops;
static inline void conform_lock_get(gen_lock_t *l)
{
	if (*l) conform_fatal("a lock taken twice by one process (self-deadlock)");
	*l = 1;
	conform_lock_ops++;
}
static inline void conform_lock_release(gen_lock_t *l)
{
	if (!*l) conform_fatal("a lock released while free");
	*l = 0;
	conform_lock_ops++;
}
#define lock_get(_l) conform_lock_get(_l)
#define lock_release(_l) conform_lock_release(_l)
#define lock_set_get(_set, _i) conform_lock_get(&(_set)[_i])
#define lock_set_release(_set, _i) conform_lock_release(&(_set)[_i])

/* ---- logging: critical lines and info lines are counted apart; the last line is kept */
static char conform_last_log[4096];
static int conform_crit, conform_info, conform_err;
static void conform_log(int *counter, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(conform_last_log, sizeof conform_last_log, fmt, ap);
	va_end(ap);
	(*counter)++;
}
#define LM_CRIT(...) conform_log(&conform_crit, __VA_ARGS__)
#define LM_ERR(...) conform_log(&conform_err, __VA_ARGS__)
#define LM_WARN(...) conform_log(&conform_err, __VA_ARGS__)
#define LM_NOTICE(...) conform_log(&conform_info, __VA_ARGS__)
#define LM_INFO(...) conform_log(&conform_info, __VA_ARGS__)
/* debug lines are type-checked, never evaluated (as with a log level below debug) */
#define LM_DBG(...) do { if (0) conform_log(&conform_info, __VA_ARGS__); } while (0)

/* ---- the reference-history hooks of a DBG_DIALOG build: off, as in a normal build */
#define DBG_REF(_dlg, _cnt)
#define DBG_UNREF(_dlg, _cnt)
#define DBG_FLUSH(_dlg)

/* ---- ticks: the harness sets them (0: a timeout is the interval itself) */
static unsigned int conform_ticks;
static inline unsigned int get_ticks(void) { return conform_ticks; }

/* ---- abort(): back to the driver, which reports it */
static jmp_buf conform_abort_jmp;
static int conform_aborted;
static void conform_abort(void)
{
	conform_aborted = 1;
	longjmp(conform_abort_jmp, 1);
}
#define abort() conform_abort()

#endif
