/**
 * Links from a modelled step's C citation to the OpenSIPS source it cites.
 *
 * The dialog model cites files of modules/dialog/ at the commit it follows
 * (OpenSIPS aad6b856835a); a file written `name@<commit>` is a PR version's
 * patched file, on NormB/opensips (spec/dialog/actors.ts; the commits are those
 * docs/c-source-notes.md names). Known short commits are linked with their full
 * hash; any other hexadecimal commit is linked as written (GitHub resolves an
 * unambiguous short hash). A file written `name@fix-NAME` is the file after
 * applying one of the project's patches (fixes/) to aad6b856835a: no commit
 * holds it, so it gets no link but a note naming the patch. A file of another
 * form, or a citation without a file, gets no link.
 */
import { FIX_PATCHES, type FixName } from '../../spec/dialog/variants.js';
import { formatSource, type SourceLoc } from '../engine/index.js';

/** The OpenSIPS commit the model follows. */
export const OPENSIPS_COMMIT = 'aad6b856835a53d660215834e3c16c4591cf2375';
export const OPENSIPS_REPO = 'https://github.com/OpenSIPS/opensips';
/** PR #3836's versions (v1, v2, v3) live on the PR author's fork. */
export const PR_REPO = 'https://github.com/NormB/opensips';
export const PR_COMMITS: Readonly<Record<string, string>> = {
  '196b51fa': '196b51fa200fcc78b7b6521f1076d85c1917b142',
  '887d200d': '887d200d24fa96c78bb7baa443e3e1af18bc84b3',
  '1c2d0bda': '1c2d0bdac895abc961228406e7ab095ff49f5331',
};
/** Where the cited files are in the OpenSIPS tree. */
export const MODULE_DIR = 'modules/dialog';

export interface Citation {
  /** As the reports print it: `file:line` or `file:line-end` (file possibly `name@commit`). */
  readonly text: string;
  /** The source at that line range, or null when the citation cannot be placed. */
  readonly url: string | null;
  /** What the line is, where no link can say it (a line of a patched file). */
  readonly note?: string;
}

const FILE = /^([A-Za-z0-9_.-]+\.[ch])(?:@([0-9a-f]{7,40}))?$/;

/** The link of one source location (null when its file is not a C file of the module, as written). */
export function citationUrl(loc: SourceLoc): string | null {
  const m = FILE.exec(loc.file);
  if (m === null || !Number.isInteger(loc.line) || loc.line < 1) return null;
  const [, file, commit] = m;
  const lines = loc.endLine !== undefined && loc.endLine !== loc.line ? `#L${loc.line}-L${loc.endLine}` : `#L${loc.line}`;
  const base = commit === undefined ? `${OPENSIPS_REPO}/blob/${OPENSIPS_COMMIT}` : `${PR_REPO}/blob/${PR_COMMITS[commit] ?? commit}`;
  return `${base}/${MODULE_DIR}/${file}${lines}`;
}

const FIXED_FILE = /^([A-Za-z0-9_.-]+\.[ch])@(fix-[a-z0-9-]+)$/;

/** For a line of a patched file (`name@fix-NAME`), what it is: the patch and the commit it applies to. */
export function citationNote(loc: SourceLoc): string | undefined {
  const m = FIXED_FILE.exec(loc.file);
  if (m === null) return undefined;
  const patch = (FIX_PATCHES as Readonly<Record<string, string>>)[m[2] as FixName];
  if (patch === undefined) return undefined;
  return `${m[1]} as it reads after applying ${patch} to OpenSIPS aad6b856835a (the patch of variant ${m[2]}; no upstream commit has this line)`;
}

export function citation(loc: SourceLoc): Citation {
  const note = citationNote(loc);
  return { text: formatSource(loc), url: citationUrl(loc), ...(note !== undefined ? { note } : {}) };
}
