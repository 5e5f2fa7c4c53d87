/*
 * The conformance harness's driver (project code, no OpenSIPS code): runs the
 * OpenSIPS functions compiled into the same translation unit and prints what
 * they return and leave, one line per case, in the model's encodings
 * (pointers: NULL 0, FAKE 1, the list sentinel 2, entry k 3+k).
 *
 *   driver consts                       the constants taken from the tree
 *   driver timer N L OP...              every sequence of the OPs up to length L on N entries
 *   driver refs < cases                 ref_dlg_unsafe / unref_dlg_unsafe
 *   driver next_state < cases           next_state_dlg
 *
 * OP is ins:K:IV (insert_dlg_timer(&tl[K], IV)), upd:K:IV (update_dlg_timer),
 * rm:K (remove_dlg_timer), tmr:NOW (dlg_timer_routine(NOW) up to the return of
 * its _get_gen_expired_dlgs call) or next (the routine goes on to its next
 * handler call, or to its end). tmr is possible only while no routine runs,
 * next only while one runs. The sequences are enumerated depth first, in the
 * order the OPs are given; each prints "DEPTH OP RESULT STATE".
 */

#define CONFORM_MAX_TL 4
#define CONFORM_MAX_OPS 64
#define CONFORM_MAX_LEN 16

static struct dlg_tl conform_tl[CONFORM_MAX_TL];
static int conform_n;

static void conform_fatal(const char *what)
{
	fflush(stdout);
	fprintf(stderr, "harness error: %s\n", what);
	exit(3);
}

static int enc(const struct dlg_tl *p)
{
	int k;
	if (p == NULL) return 0;
	if (p == FAKE_DIALOG_TL) return 1;
	if (p == &d_timer->first) return 2;
	for (k = 0; k < conform_n; k++)
		if (p == &conform_tl[k]) return 3 + k;
	return 9;
}

/* ---- the timer routine as a coroutine: it yields after its expiry call and at each handler call */
static ucontext_t conform_main_ctx, conform_routine_ctx;
static char conform_stack[1 << 16];
static int conform_running;
static int conform_yield; /* 1 expiry returned, 2 handler called, 3 routine returned */
static struct dlg_tl *conform_value;
static unsigned int conform_now;

static struct dlg_tl *conform_get_expired(struct dlg_timer *timer, unsigned int time)
{
	struct dlg_tl *r = _get_gen_expired_dlgs(timer, time);
	conform_yield = 1;
	conform_value = r;
	swapcontext(&conform_routine_ctx, &conform_main_ctx);
	return r;
}

static void conform_handler(struct dlg_tl *tl)
{
	conform_yield = 2;
	conform_value = tl;
	swapcontext(&conform_routine_ctx, &conform_main_ctx);
}

static void conform_routine_entry(void)
{
	dlg_timer_routine(conform_now, NULL);
	conform_yield = 3;
	conform_value = NULL;
}

enum { OP_INS, OP_UPD, OP_RM, OP_TMR, OP_NEXT };
struct conform_op { int kind, k, v; const char *name; };
static struct conform_op conform_ops[CONFORM_MAX_OPS];
static int conform_nops;

static void conform_reset(void)
{
	memset(conform_tl, 0, sizeof conform_tl);
	memset(&conform_timer, 0, sizeof conform_timer);
	conform_timer.first.next = conform_timer.first.prev = &conform_timer.first;
	conform_timer_lock = 0;
	conform_timer.lock = &conform_timer_lock;
	conform_running = 0;
	conform_ticks = 0;
	dlg_del_delay = 0;
}

static int conform_available(const struct conform_op *op)
{
	if (op->kind == OP_TMR) return !conform_running;
	if (op->kind == OP_NEXT) return conform_running;
	return 1;
}

static void conform_exec(const struct conform_op *op, char *res, size_t size)
{
	int r;
	switch (op->kind) {
	case OP_INS:
		r = insert_dlg_timer(&conform_tl[op->k], op->v);
		snprintf(res, size, "%d", r);
		break;
	case OP_UPD:
		r = update_dlg_timer(&conform_tl[op->k], op->v);
		snprintf(res, size, "%d", r);
		break;
	case OP_RM:
		r = remove_dlg_timer(&conform_tl[op->k]);
		snprintf(res, size, "%d", r);
		break;
	case OP_TMR:
		getcontext(&conform_routine_ctx);
		conform_routine_ctx.uc_stack.ss_sp = conform_stack;
		conform_routine_ctx.uc_stack.ss_size = sizeof conform_stack;
		conform_routine_ctx.uc_link = &conform_main_ctx;
		makecontext(&conform_routine_ctx, conform_routine_entry, 0);
		conform_now = (unsigned int)op->v;
		conform_running = 1;
		conform_yield = 0;
		swapcontext(&conform_main_ctx, &conform_routine_ctx);
		if (conform_yield != 1) conform_fatal("dlg_timer_routine did not call _get_gen_expired_dlgs first");
		snprintf(res, size, "%d", enc(conform_value));
		break;
	case OP_NEXT:
		conform_yield = 0;
		swapcontext(&conform_main_ctx, &conform_routine_ctx);
		if (conform_yield == 2) snprintf(res, size, "%d", enc(conform_value));
		else if (conform_yield == 3) {
			conform_running = 0;
			snprintf(res, size, "end");
		} else conform_fatal("dlg_timer_routine called _get_gen_expired_dlgs again");
		break;
	}
	if (conform_timer_lock) conform_fatal("the timer lock is held after an operation");
}

static void conform_state(char *out, size_t size)
{
	int k;
	size_t n = (size_t)snprintf(out, size, "%d,%d", enc(conform_timer.first.next), enc(conform_timer.first.prev));
	for (k = 0; k < conform_n && n < size; k++)
		n += (size_t)snprintf(out + n, size - n, ";%d,%d,%u", enc(conform_tl[k].next), enc(conform_tl[k].prev), conform_tl[k].timeout);
}

static int conform_path[CONFORM_MAX_LEN];

static void conform_dfs(int depth, int maxlen)
{
	int i, j;
	char res[32], st[256];
	for (i = 0; i < conform_nops; i++) {
		conform_reset();
		for (j = 0; j < depth; j++) conform_exec(&conform_ops[conform_path[j]], res, sizeof res);
		if (!conform_available(&conform_ops[i])) continue;
		conform_exec(&conform_ops[i], res, sizeof res);
		conform_state(st, sizeof st);
		printf("%d %s %s %s\n", depth + 1, conform_ops[i].name, res, st);
		if (depth + 1 < maxlen) {
			conform_path[depth] = i;
			conform_dfs(depth + 1, maxlen);
		}
	}
}

static void conform_parse_op(const char *s, struct conform_op *op)
{
	op->name = s;
	op->k = op->v = 0;
	if (sscanf(s, "ins:%d:%d", &op->k, &op->v) == 2) op->kind = OP_INS;
	else if (sscanf(s, "upd:%d:%d", &op->k, &op->v) == 2) op->kind = OP_UPD;
	else if (sscanf(s, "rm:%d", &op->k) == 1) op->kind = OP_RM;
	else if (sscanf(s, "tmr:%d", &op->v) == 1) op->kind = OP_TMR;
	else if (strcmp(s, "next") == 0) op->kind = OP_NEXT;
	else conform_fatal("unknown operation");
	if (op->k < 0 || op->k >= conform_n) conform_fatal("entry out of range");
}

/* ---- the reference macros */
static struct dlg_cell conform_cell;
static int conform_out_ref;

static void conform_reset_cell(void)
{
	memset(&conform_cell, 0, sizeof conform_cell);
	conform_entries[0].lock_idx = 0;
	conform_entries[0].cnt = 1;
	conform_locks[0] = 0;
	conform_unlinked = conform_destroyed = conform_del_timer = conform_del_timer_arg = 0;
	conform_state_events = conform_event_old = conform_event_new = conform_replicated = 0;
	conform_crit = conform_info = conform_err = 0;
	conform_aborted = 0;
	conform_last_log[0] = 0;
	dlg_del_delay = 0;
	dialog_repl_cluster = 0;
}

/* "bogus ref X with cnt Y" as the last critical line printed it */
static void conform_printed(int *pref, int *pcnt)
{
	*pref = *pcnt = 0;
	if (conform_crit && sscanf(conform_last_log, "bogus ref %d with cnt %d", pref, pcnt) != 2) *pref = *pcnt = -999;
}

static void conform_refs(void)
{
	char kind[16];
	int ref, cnt, moddel, dlgdel, pref, pcnt;
	static volatile int vcnt;
	while (scanf("%15s", kind) == 1) {
		conform_reset_cell();
		if (strcmp(kind, "ref") == 0) {
			if (scanf("%d %d", &ref, &cnt) != 2) conform_fatal("bad ref case");
			conform_cell.ref = ref;
			struct dlg_cell *dlg = &conform_cell; /* the macros take a pointer variable, as every caller passes */
			ref_dlg_unsafe(dlg, cnt);
			printf("%d\n", conform_cell.ref);
			continue;
		}
		if (strcmp(kind, "unref") != 0 || scanf("%d %d %d %d", &ref, &cnt, &moddel, &dlgdel) != 4) conform_fatal("bad unref case");
		conform_cell.ref = ref;
		conform_cell.del_delay = (unsigned int)dlgdel;
		dlg_del_delay = moddel;
		vcnt = cnt;
		if (!setjmp(conform_abort_jmp)) {
			int c = vcnt;
			struct dlg_cell *dlg = &conform_cell;
			struct dlg_entry *d_entry = &conform_entries[0];
			unref_dlg_unsafe(dlg, c, d_entry);
		}
		conform_printed(&pref, &pcnt);
		printf("%d %d %d %d %d %d %d %d\n", conform_cell.ref, conform_unlinked, conform_destroyed, conform_del_timer,
			conform_del_timer_arg, conform_aborted, pref, pcnt);
	}
}

/* ---- next_state_dlg */
static int conform_old, conform_new, conform_unref;

static void conform_next_state(void)
{
	int state, event, dir, last, leg, hasbye, ref, cluster, repl, moddel, dlgdel, pref, pcnt;
	while (scanf("%d %d %d %d %d %d %d %d %d %d %d", &state, &event, &dir, &last, &leg, &hasbye, &ref, &cluster, &repl,
			&moddel, &dlgdel) == 11) {
		conform_reset_cell();
		conform_cell.state = (unsigned int)state;
		conform_cell.flags = hasbye ? DLG_FLAG_HASBYE : 0;
		conform_cell.ref = ref;
		conform_cell.legs_no[DLG_LEG_200OK] = (unsigned char)leg;
		conform_cell.del_delay = (unsigned int)dlgdel;
		dlg_del_delay = moddel;
		dialog_repl_cluster = cluster;
		conform_old = conform_new = conform_unref = -1;
		if (!setjmp(conform_abort_jmp))
			next_state_dlg(&conform_cell, event, dir, &conform_old, &conform_new, &conform_unref, last, (char)repl);
		conform_printed(&pref, &pcnt);
		printf("%d %d %d %u %d %d %d %d %d %d %d %d %d %d %d:%d:%d %d %d\n", conform_old, conform_new, conform_unref,
			conform_cell.state, (conform_cell.flags & DLG_FLAG_HASBYE) ? 1 : 0, conform_cell.ref, conform_unlinked,
			conform_destroyed, conform_del_timer, conform_del_timer_arg, conform_aborted, pref, pcnt,
			conform_info ? 1 : 0, conform_state_events, conform_event_old, conform_event_new, conform_replicated,
			conform_locks[0]);
	}
}

int main(int argc, char **argv)
{
	static char buf[1 << 20];
	int i, maxlen;
	setvbuf(stdout, buf, _IOFBF, sizeof buf);
	if (argc >= 2 && strcmp(argv[1], "consts") == 0) {
		for (i = 0; i < (int)(sizeof conform_consts / sizeof conform_consts[0]); i++)
			printf("%s %ld\n", conform_consts[i].name, conform_consts[i].value);
	} else if (argc >= 4 && strcmp(argv[1], "timer") == 0) {
		conform_n = atoi(argv[2]);
		maxlen = atoi(argv[3]);
		if (conform_n < 1 || conform_n > CONFORM_MAX_TL || maxlen < 1 || maxlen > CONFORM_MAX_LEN || argc - 4 > CONFORM_MAX_OPS)
			conform_fatal("bad timer arguments");
		conform_nops = argc - 4;
		for (i = 0; i < conform_nops; i++) conform_parse_op(argv[4 + i], &conform_ops[i]);
		conform_dfs(0, maxlen);
	} else if (argc >= 2 && strcmp(argv[1], "refs") == 0) {
		conform_refs();
	} else if (argc >= 2 && strcmp(argv[1], "next_state") == 0) {
		conform_next_state();
	} else {
		fprintf(stderr, "usage: driver consts | timer N L OP... | refs | next_state\n");
		return 2;
	}
	fflush(stdout);
	return 0;
}
