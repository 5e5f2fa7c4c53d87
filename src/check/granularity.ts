/**
 * How a dialog model is explored: at which granularity.
 *
 * - 'steps': every step of the model is a transition of its own.
 * - 'local': a step that only touches the actor's locals (a branch, a return)
 *   runs in the same transition as the actor's previous step. Always sound:
 *   such a step commutes with every step of every other actor and no property
 *   reads locals.
 * - 'sections': in addition, a whole lock section (acquire .. release) is one
 *   transition. Sound only where locks exclude (no EINTR, no release by a
 *   non-holder): the model says so in `locksExclude`, and tests compare the
 *   verdicts of the three granularities.
 */
import { mergeSections, type Action, type Model } from '../engine/index.js';
import type { DialogModel } from '../../spec/dialog/model.js';
import type { DialogState } from '../../spec/dialog/state.js';

export type Granularity = 'steps' | 'local' | 'sections';


/** The finest granularity that the reduction allows by default for this model's environment. */
export const defaultGranularity = (m: DialogModel): Granularity => (m.locksExclude ? 'sections' : 'local');

export function explorable(m: DialogModel, g: Granularity = defaultGranularity(m)): Model<DialogState, Action> {
  switch (g) {
    case 'steps':
      return m;
    case 'local':
      return mergeSections(m, m.localNextOf, { follow: m.follow });
    case 'sections':
      if (!m.locksExclude) throw new Error(`${m.name}: locks do not exclude in this environment; sections cannot be merged`);
      return mergeSections(m, (s, a) => m.inSectionOf(s, a) || m.localNextOf(s, a), { follow: m.follow });
  }
}
