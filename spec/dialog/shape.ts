/**
 * The shape of the dialog model's state: the finite domain of every field
 * for one model (scenario, variant, environment, and its sizes: cells,
 * buckets, dialogs), from which the engine's
 * words codec is generated (src/engine/shape.ts). A value outside its domain
 * is an error naming the field (never a silently wrong state): the domains
 * below are generous bounds, and every registered cell is explored with them.
 */
import { field, wordsCodec, type ShapeOf, type WordsShapeCodec } from '../../src/engine/model.js';
import type { Memory } from '../../src/memory/views.js';
import type { DialogConfig } from './model.js';
import type { Program } from './program.js';
import { FIELDS, RELAXED_FIELDS, type DialogState, type Field, type Locals } from './state.js';

export type DialogCodec = WordsShapeCodec<DialogState>;

/** `ref`, and the value a ref read-modify-write holds: from a few below 0 (the 'bogus ref' abort) to more than any scenario takes. */
export const REF_MIN = -8;
export const REF_MAX = 23;
/** How many writes of a relaxed field are kept at once (src/memory/views.ts). */
export const HISTORY_CAP = 8;
/**
 * The same in the model of several cells, whose histories are canonical (a
 * write whose value is written again later is dropped, MemoryLayout.dedup):
 * one write per distinct value, plus the one a step adds before compaction
 * (tl pointers take 3 + cells values).
 */
export const historyCap = (d: Dims): number => (d.multi ? Math.max(HISTORY_CAP, d.cells + 4) : HISTORY_CAP);

/**
 * The sizes of a model: cells, hash buckets, dialogs (those of the start and
 * the one an allocator may build), and whether it is the model of several
 * cells (its timer list is primitives.ts's, with the sentinel and the pointer
 * encoding NULL 0, FAKE 1, first 2, tl<k> 3 + k).
 */
export interface Dims {
  readonly cells: number;
  readonly buckets: number;
  readonly dialogs: number;
  readonly multi: boolean;
}

/** The largest tl pointer value: the one-entry model's NBR (2), or the last cell's tl. */
export const maxPtr = (d: Dims): number => (d.multi ? 2 + d.cells : 2);

/** The values each memory field may hold (0 included: unused history entries are 0). */
const values = (d: Dims): Readonly<Record<Field, ReturnType<typeof field.int>>> => ({
  state: field.int(0, 5),
  ref: field.int(REF_MIN, REF_MAX),
  hasBye: field.int(0, 1),
  tlNext: field.int(0, maxPtr(d)),
  tlPrev: field.int(0, maxPtr(d)),
  tlTimeout: field.int(0, 2),
});

const locals = (d: Dims): ShapeOf<Locals> => ({
  r: field.int(REF_MIN, REF_MAX),
  old: field.int(0, 5),
  nw: field.int(0, 5),
  sw: field.int(0, 5),
  unref: field.int(0, 7),
  tmr: field.int(0, 1),
  ret: field.int(-1, 1),
  st: field.int(0, 5),
  bkNext: field.int(0, maxPtr(d)),
  bkPrev: field.int(0, maxPtr(d)),
  bkTimeout: field.int(0, 2),
  dlg: field.int(0, d.dialogs - 1),
  hb: field.int(0, d.buckets - 1),
  nxt: field.int(0, d.multi ? d.dialogs : 0),
  chain: field.int(0, d.multi ? maxPtr(d) : 0),
});

/** A counter of events the ghost records (BYEs sent, DB deletes, ...). */
const COUNT = field.int(0, 15);

export function dialogShape(cfg: DialogConfig, programs: readonly Program[], holders: readonly string[], marks: number, steps: number, dims: Dims): ShapeOf<DialogState> {
  const n = programs.length;
  const VALUE = values(dims);
  const relaxed = cfg.env.memory === 'relaxed' ? RELAXED_FIELDS : [];
  const cap = (f: Field) => (relaxed.includes(f) ? historyCap(dims) : 1);
  const hist = {} as Record<Field, ReturnType<typeof field.array>>;
  const len = {} as Record<Field, ReturnType<typeof field.int>>;
  for (const f of FIELDS) {
    hist[f] = field.array(cap(f), VALUE[f]);
    len[f] = field.int(1, cap(f));
  }
  const views = (count: number) => field.array(count, field.array(relaxed.length, field.int(0, historyCap(dims) - 1)));
  const mem = field.record({ hist: field.record(hist), len: field.record(len), view: views(n), lockView: views(dims.buckets + 1) }) as unknown as ShapeOf<{ m: Memory<Field> }>['m'];
  // A semaphore's value grows with every release by a process that did not decrement it.
  const lock = field.record({ v: field.int(0, 7), held: field.array(n, field.int(0, 3)) });
  const maxPc = Math.max(...programs.map((p) => p.instrs.length));
  const one = dims.dialogs === 1;
  // With one dialog its cell, bucket and existence never change: constant fields take no bits.
  const sentinel = dims.multi ? field.int(0, maxPtr(dims)) : field.int(2, 2);
  return {
    cells: field.array(
      dims.cells,
      field.record({ mem, linked: field.bool, inList: field.bool, h: field.int(0, dims.buckets - 1), dlg: field.int(0, dims.dialogs - 1) }),
    ),
    first: field.record({ next: sentinel, prev: sentinel }),
    locks: field.record({ H: field.array(dims.buckets, lock), TL: lock }),
    actors: field.array(n, field.record({ pc: field.int(-1, maxPc), loc: field.record(locals(dims)) })),
    ghost: field.record({
      dialogs: field.array(
        dims.dialogs,
        field.record({
          holders: field.array(holders.length, field.int(-7, 8)),
          frees: field.int(0, 15), // 8 reached: ping-timeout, fix-bye, under EINTR (every holder's unref can destroy)
          uaf: field.int(0, steps),
          uafInto: field.int(0, one ? 0 : dims.dialogs),
          deletedBy: field.int(0, n),
          dbDeletes: COUNT,
          termCallbacks: COUNT,
          byesSent: COUNT,
          byesAfterDelete: COUNT,
          born: one ? field.oneOf([true]) : field.bool,
          cell: field.int(0, dims.cells - 1),
          bucket: field.int(0, dims.buckets - 1),
        }),
      ),
      bogus: field.int(0, steps),
      bogusRef: field.int(REF_MIN, REF_MAX),
      bogusCnt: field.int(0, 7),
      bogusDlg: field.int(0, dims.dialogs - 1),
      walk: field.int(0, dims.multi ? steps : 0),
      walkPtr: field.int(0, dims.multi ? maxPtr(dims) : 0),
      marks: field.array(marks, field.bool),
      eintrLeft: field.int(0, cfg.env.eintr),
      detachedUnclaimed: field.bool,
    }),
  } as ShapeOf<DialogState>;
}

export function dialogCodec(cfg: DialogConfig, programs: readonly Program[], holders: readonly string[], marks: number, steps: number, dims: Dims): DialogCodec {
  return wordsCodec(dialogShape(cfg, programs, holders, marks, steps, dims));
}
