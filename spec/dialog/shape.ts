/**
 * The shape of the dialog model's state: the finite domain of every field
 * for one model (scenario, variant, environment), from which the engine's
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

/** The values each memory field may hold (0 included: unused history entries are 0). */
const VALUE: Readonly<Record<Field, ReturnType<typeof field.int>>> = {
  state: field.int(0, 5),
  ref: field.int(REF_MIN, REF_MAX),
  hasBye: field.int(0, 1),
  tlNext: field.int(0, 2),
  tlPrev: field.int(0, 2),
  tlTimeout: field.int(0, 2),
};

const LOCALS: ShapeOf<Locals> = {
  r: field.int(REF_MIN, REF_MAX),
  old: field.int(0, 5),
  nw: field.int(0, 5),
  unref: field.int(0, 7),
  tmr: field.int(0, 1),
  ret: field.int(-1, 1),
  st: field.int(0, 5),
  bkNext: field.int(0, 2),
  bkPrev: field.int(0, 2),
  bkTimeout: field.int(0, 2),
};

/** A counter of events the ghost records (BYEs sent, DB deletes, ...). */
const COUNT = field.int(0, 15);

export function dialogShape(cfg: DialogConfig, programs: readonly Program[], holders: readonly string[], marks: number, steps: number): ShapeOf<DialogState> {
  const n = programs.length;
  const relaxed = cfg.env.memory === 'relaxed' ? RELAXED_FIELDS : [];
  const cap = (f: Field) => (relaxed.includes(f) ? HISTORY_CAP : 1);
  const hist = {} as Record<Field, ReturnType<typeof field.array>>;
  const len = {} as Record<Field, ReturnType<typeof field.int>>;
  for (const f of FIELDS) {
    hist[f] = field.array(cap(f), VALUE[f]);
    len[f] = field.int(1, cap(f));
  }
  const views = (count: number) => field.array(count, field.array(relaxed.length, field.int(0, HISTORY_CAP - 1)));
  const mem = field.record({ hist: field.record(hist), len: field.record(len), view: views(n), lockView: views(2) }) as unknown as ShapeOf<{ m: Memory<Field> }>['m'];
  // A semaphore's value grows with every release by a process that did not decrement it.
  const lock = field.record({ v: field.int(0, 7), held: field.array(n, field.int(0, 3)) });
  const maxPc = Math.max(...programs.map((p) => p.instrs.length));
  return {
    mem,
    linked: field.bool,
    inList: field.bool,
    locks: field.record({ H: lock, TL: lock }),
    actors: field.array(n, field.record({ pc: field.int(-1, maxPc), loc: field.record(LOCALS) })),
    ghost: field.record({
      holders: field.array(holders.length, field.int(-7, 8)),
      frees: field.int(0, 7),
      uaf: field.int(0, steps),
      bogus: field.int(0, steps),
      bogusRef: field.int(REF_MIN, 0),
      bogusCnt: field.int(0, 7),
      deletedBy: field.int(0, n),
      dbDeletes: COUNT,
      termCallbacks: COUNT,
      byesSent: COUNT,
      byesAfterDelete: COUNT,
      marks: field.array(marks, field.bool),
      eintrLeft: field.int(0, cfg.env.eintr),
      detachedUnclaimed: field.bool,
    }),
  } as ShapeOf<DialogState>;
}

export function dialogCodec(cfg: DialogConfig, programs: readonly Program[], holders: readonly string[], marks: number, steps: number): DialogCodec {
  return wordsCodec(dialogShape(cfg, programs, holders, marks, steps));
}
