/*
 * The few parts of the dialog cell, the hash table and the module around the
 * functions under test that they read or call, as stand-ins that record what
 * happened. Written for this project (src/conform/); no OpenSIPS code here.
 * Included after the structs, constants and macros taken from the tree.
 */
#ifndef CONFORM_CELL_H
#define CONFORM_CELL_H

struct dlg_entry { unsigned int lock_idx; unsigned int cnt; };
struct dlg_table { unsigned int size; struct dlg_entry *entries; gen_lock_t *locks; };

/* only the fields the functions under test use */
struct dlg_cell {
	volatile int ref;
	unsigned int h_id;
	unsigned int h_entry;
	unsigned int state;
	unsigned int flags;
	unsigned int del_delay;
	struct dlg_tl tl;
	struct dlg_tl del_tl;
	str callid;
	unsigned char legs_no[4];
};

static struct dlg_entry conform_entries[1];
static gen_lock_t conform_locks[1];
static struct dlg_table conform_table = { 1, conform_entries, conform_locks };
static struct dlg_table *d_table = &conform_table;

static int dlg_del_delay;
static int dialog_repl_cluster;

#define callee_idx(_dlg) 1
#define dlg_leg_print_info(_dlg, _leg, _field) 4, "NULL"

/* what the macros and next_state_dlg called */
static int conform_unlinked, conform_destroyed, conform_del_timer, conform_del_timer_arg;
static int conform_state_events, conform_event_old, conform_event_new, conform_replicated;

static void unlink_unsafe_dlg(struct dlg_entry *d_entry, struct dlg_cell *dlg)
{ (void)d_entry; (void)dlg; conform_unlinked++; }
static void destroy_dlg(struct dlg_cell *dlg) { (void)dlg; conform_destroyed++; }
static int insert_attempt_dlg_del_timer(struct dlg_tl *tl, int interval)
{ (void)tl; conform_del_timer++; conform_del_timer_arg = interval; return 0; }
static void log_next_state_dlg(const int event, const struct dlg_cell *dlg)
{ (void)event; (void)dlg; conform_info++; }
static void raise_state_changed_event(struct dlg_cell *dlg, unsigned int ostate, unsigned int nstate)
{ (void)dlg; conform_state_events++; conform_event_old = (int)ostate; conform_event_new = (int)nstate; }
static void replicate_dialog_deleted(struct dlg_cell *dlg) { (void)dlg; conform_replicated++; }

/* the timer lists and their handlers */
typedef void (*dlg_timer_handler)(struct dlg_tl *);
static struct dlg_timer conform_timer, conform_del_timer_list;
static gen_lock_t conform_timer_lock, conform_del_timer_lock;
static struct dlg_timer *d_timer = &conform_timer;
static struct dlg_timer *ddel_timer = &conform_del_timer_list;
static void conform_handler(struct dlg_tl *tl);
static dlg_timer_handler timer_hdl = conform_handler;
static dlg_timer_handler del_timer_hdl = conform_handler;
/* the routine's call of the expiry function goes through this (harness.c) */
static struct dlg_tl *conform_get_expired(struct dlg_timer *timer, unsigned int time);

#endif
