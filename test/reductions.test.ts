/**
 * The reduction that merges whole lock sections into one transition keeps
 * every verdict: for every row of the matrix whose environment lets it apply
 * (locks exclude: no EINTR, no release by a non-holder), the code as written,
 * PR v3 (the timer's own transition) and all the fixes together give the same
 * verdict for every property with sections merged (the matrix's granularity)
 * as with only local steps merged, which keeps every interleaving of shared
 * accesses. test/dialog-model.test.ts compares local steps with no reduction.
 */
import { describe, expect, it } from 'vitest';
import { dialogConfig, loadManifest } from '../src/check/dialog.js';
import { explorable } from '../src/check/granularity.js';
import { check, mergeSections, type Outcome } from '../src/engine/index.js';
import { dialogModel } from '../spec/dialog/model.js';
import type { VariantName } from '../spec/dialog/variants.js';

const manifest = loadManifest();
const verdicts = (o: Outcome<unknown>) => Object.fromEntries(o.properties.map((p) => [p.name, p.verdict]));
const rows = manifest.rows.filter((r) => r.tier !== 'full' && dialogModel(dialogConfig(manifest, r.scenario, r.env, 'orig')).locksExclude);

describe('merging lock sections keeps every verdict', () => {
  it('applies to most rows (those without EINTR or drop_dlg)', () => {
    expect(rows.length).toBe(35);
  });

  it('would catch an unsound merge: each actor run to its end in one transition hides the BYE race', () => {
    const build = () => dialogModel(dialogConfig(manifest, 'bye-vs-timeout-B', 'fast-lock/sc', 'orig'));
    const local = check(explorable(build(), 'local'));
    const m = build();
    const atomic = check(mergeSections(m, () => true, { follow: m.follow }));
    expect(verdicts(local).NoByeAfterDelete).toBe('violated');
    expect(verdicts(atomic).NoByeAfterDelete).toBe('holds');
  });

  describe.each(rows.map((r) => [`${r.scenario} ${r.env}`, r] as const))('%s', (_name, row) => {
    it.each(['orig', 'v3', 'fixed'] as VariantName[])('%s: the same verdicts as with local steps only, in fewer states', (variant) => {
      const build = () => dialogModel(dialogConfig(manifest, row.scenario, row.env, variant));
      const sections = check(explorable(build(), 'sections'));
      const local = check(explorable(build(), 'local'));
      expect(sections.stats.complete && local.stats.complete).toBe(true);
      expect(verdicts(sections)).toEqual(verdicts(local));
      expect(sections.stats.states).toBeLessThan(local.stats.states);
    });
  });
});
