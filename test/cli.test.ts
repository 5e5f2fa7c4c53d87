/**
 * Transcript tests of the command line: the CLI is spawned as a user runs it
 * (`node --import tsx src/cli.ts ...`) and its exact stdout and exit code are
 * asserted. Timings are normalised (the final `time:` line) or turned off
 * (`--no-timing`). In-process tests of `main` with an injected registry cover
 * what the real registry cannot produce on purpose (a wrong declaration, a
 * model that throws, a non-deterministic model).
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { main, type Io } from '../src/cli.js';
import { always, sometimes, type Action, type Model, type Outcome } from '../src/engine/index.js';
import { parseAssignments, type Registry } from '../src/check/registry.js';
import { compare } from '../src/check/run.js';
import { diffStates, formatChange, renderTable, renderTrace } from '../src/format/text.js';
import { formatProgress, progressPrinter } from '../src/report/progress.js';

const root = fileURLToPath(new URL('..', import.meta.url));

interface Transcript {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Spawns the CLI as `npm run check -- ARGS` would, with stderr not a terminal. */
function cli(...args: string[]): Promise<Transcript> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'src/cli.ts', ...args],
      { cwd: root, env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' }, maxBuffer: 16 << 20 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

const TIME_LINE = /^time: \d+\.\d\d s\n$/m;
const normaliseTime = (s: string): string => s.replace(TIME_LINE, 'time: <normalised>\n');

const DEFAULT_RUN = `run                     status     states  transitions  depth  violated         as declared
counter-race(NP=3,K=4)  violation  165340       465273     52  NoLostUpdate     yes
counter-race(NP=2,K=1)  violation      51           82     11  NoLostUpdate     yes
peterson                ok             38           64     10  -                yes
peterson-buggy          violation      98          186     14  MutualExclusion  yes
two-phase(RM=3)         ok            288         1145     11  -                yes
two-phase-buggy(RM=3)   violation     623         2507     11  TCConsistent     yes

counter-race(NP=3,K=4): NoLostUpdate violated (always: when every process has done its K increments, x = NP*K)
  all 3 processes did 4 increments but x = 8, not 12
  shortest trace, 48 steps, 3 actor switches (the fewest among 1354230898401083489280 distinct shortest traces):
   #  actor  step   changes
   0  -      init   x=0 t=[0,0,0] n=[0,0,0] pc=[head,head,head]
   1  p0     head   pc[0]: head -> load
   2  p0     load   pc[0]: load -> store
   3  p0     store  x: 0 -> 1, pc[0]: store -> incr
   4  p0     incr   n[0]: 0 -> 1, pc[0]: incr -> head
   5  p0     head   pc[0]: head -> load
   6  p0     load   t[0]: 0 -> 1, pc[0]: load -> store
   7  p0     store  x: 1 -> 2, t[0]: 1 -> 0, pc[0]: store -> incr
   8  p0     incr   n[0]: 1 -> 2, pc[0]: incr -> head
   9  p0     head   pc[0]: head -> load
  10  p0     load   t[0]: 0 -> 2, pc[0]: load -> store
  11  p0     store  x: 2 -> 3, t[0]: 2 -> 0, pc[0]: store -> incr
  12  p0     incr   n[0]: 2 -> 3, pc[0]: incr -> head
  13  p0     head   pc[0]: head -> load
  14  p0     load   t[0]: 0 -> 3, pc[0]: load -> store
  15  p0     store  x: 3 -> 4, t[0]: 3 -> 0, pc[0]: store -> incr
  16  p0     incr   n[0]: 3 -> 4, pc[0]: incr -> head
  17  p2     head   pc[2]: head -> load
  18  p2     load   t[2]: 0 -> 4, pc[2]: load -> store
  19  p1     head   pc[1]: head -> load
  20  p1     load   t[1]: 0 -> 4, pc[1]: load -> store
  21  p1     store  x: 4 -> 5, t[1]: 4 -> 0, pc[1]: store -> incr
  22  p1     incr   n[1]: 0 -> 1, pc[1]: incr -> head
  23  p1     head   pc[1]: head -> load
  24  p1     load   t[1]: 0 -> 5, pc[1]: load -> store
  25  p1     store  x: 5 -> 6, t[1]: 5 -> 0, pc[1]: store -> incr
  26  p1     incr   n[1]: 1 -> 2, pc[1]: incr -> head
  27  p1     head   pc[1]: head -> load
  28  p1     load   t[1]: 0 -> 6, pc[1]: load -> store
  29  p1     store  x: 6 -> 7, t[1]: 6 -> 0, pc[1]: store -> incr
  30  p1     incr   n[1]: 2 -> 3, pc[1]: incr -> head
  31  p1     head   pc[1]: head -> load
  32  p1     load   t[1]: 0 -> 7, pc[1]: load -> store
  33  p1     store  x: 7 -> 8, t[1]: 7 -> 0, pc[1]: store -> incr
  34  p1     incr   n[1]: 3 -> 4, pc[1]: incr -> head
  35  p2     store  x: 8 -> 5, t[2]: 4 -> 0, pc[2]: store -> incr
  36  p2     incr   n[2]: 0 -> 1, pc[2]: incr -> head
  37  p2     head   pc[2]: head -> load
  38  p2     load   t[2]: 0 -> 5, pc[2]: load -> store
  39  p2     store  x: 5 -> 6, t[2]: 5 -> 0, pc[2]: store -> incr
  40  p2     incr   n[2]: 1 -> 2, pc[2]: incr -> head
  41  p2     head   pc[2]: head -> load
  42  p2     load   t[2]: 0 -> 6, pc[2]: load -> store
  43  p2     store  x: 6 -> 7, t[2]: 6 -> 0, pc[2]: store -> incr
  44  p2     incr   n[2]: 2 -> 3, pc[2]: incr -> head
  45  p2     head   pc[2]: head -> load
  46  p2     load   t[2]: 0 -> 7, pc[2]: load -> store
  47  p2     store  x: 7 -> 8, t[2]: 7 -> 0, pc[2]: store -> incr
  48  p2     incr   n[2]: 3 -> 4, pc[2]: incr -> head

counter-race(NP=2,K=1): NoLostUpdate violated (always: when every process has done its K increments, x = NP*K)
  all 2 processes did 1 increments but x = 1, not 2
  shortest trace, 8 steps, 2 actor switches (the fewest among 36 distinct shortest traces):
  #  actor  step   changes
  0  -      init   x=0 t=[0,0] n=[0,0] pc=[head,head]
  1  p1     head   pc[1]: head -> load
  2  p1     load   pc[1]: load -> store
  3  p0     head   pc[0]: head -> load
  4  p0     load   pc[0]: load -> store
  5  p0     store  x: 0 -> 1, pc[0]: store -> incr
  6  p0     incr   n[0]: 0 -> 1, pc[0]: incr -> head
  7  p1     store  pc[1]: store -> incr
  8  p1     incr   n[1]: 0 -> 1, pc[1]: incr -> head

peterson-buggy: MutualExclusion violated (always: at most one process is in the critical section)
  shortest trace, 8 steps, 2 actor switches (the fewest among 8 distinct shortest traces):
  #  actor  step  changes
  0  -      init  flag=[false,false] turn=0 ncrit=0 pc=[s1,s1]
  1  p0     s1    turn: 0 -> 1, pc[0]: s1 -> s2
  2  p1     s1    turn: 1 -> 0, pc[1]: s1 -> s2
  3  p1     s2    flag[1]: false -> true, pc[1]: s2 -> s3
  4  p1     s3    pc[1]: s3 -> s4
  5  p1     s4    ncrit: 0 -> 1, pc[1]: s4 -> s5
  6  p0     s2    flag[0]: false -> true, pc[0]: s2 -> s3
  7  p0     s3    pc[0]: s3 -> s4
  8  p0     s4    ncrit: 1 -> 2, pc[0]: s4 -> s5

two-phase-buggy(RM=3): TCConsistent violated (always: no resource manager has aborted while another has committed)
  shortest trace, 3 steps, 2 actor switches (the fewest among 18 distinct shortest traces):
  #  actor  step             changes
  0  -      init             rmState=[working,working,working] tmState=init tmPrepared=[false,false,false] msgPrepared=[false,false,false] msgCommit=false msgAbort=false
  1  TM     TMCommit         tmState: init -> committed, msgCommit: false -> true
  2  rm0    RMChooseToAbort  rmState[0]: working -> aborted
  3  rm1    RMRcvCommitMsg   rmState[1]: working -> committed

6 runs, all as declared: 4 find the violations declared for them, 2 hold every property
time: <normalised>
`;

const AD_HOC_VIOLATION = `run                         status     states  transitions  depth  violated      as declared
two-phase(RM=2,buggy=true)  violation     101          286      8  TCConsistent  NO

two-phase(RM=2,buggy=true): no declared expectation for these parameters; every property is expected to hold

two-phase(RM=2,buggy=true) differs from its declaration:
  - TCConsistent is violated, expected it to hold

two-phase(RM=2,buggy=true): TCConsistent violated (always: no resource manager has aborted while another has committed)
  shortest trace, 3 steps, 2 actor switches (the fewest among 6 distinct shortest traces):
  #  actor  step             changes
  0  -      init             rmState=[working,working] tmState=init tmPrepared=[false,false] msgPrepared=[false,false] msgCommit=false msgAbort=false
  1  TM     TMCommit         tmState: init -> committed, msgCommit: false -> true
  2  rm0    RMChooseToAbort  rmState[0]: working -> aborted
  3  rm1    RMRcvCommitMsg   rmState[1]: working -> committed

1 run, 1 not as declared: two-phase(RM=2,buggy=true)
`;

const PETERSON_PAIR = `run             status     states  transitions  depth  violated         as declared
peterson        ok             38           64     10  -                yes
peterson-buggy  violation      98          186     14  MutualExclusion  yes

peterson-buggy: MutualExclusion violated (always: at most one process is in the critical section)
  shortest trace, 8 steps, 2 actor switches (the fewest among 8 distinct shortest traces):
  #  actor  step  changes
  0  -      init  flag=[false,false] turn=0 ncrit=0 pc=[s1,s1]
  1  p0     s1    turn: 0 -> 1, pc[0]: s1 -> s2
  2  p1     s1    turn: 1 -> 0, pc[1]: s1 -> s2
  3  p1     s2    flag[1]: false -> true, pc[1]: s2 -> s3
  4  p1     s3    pc[1]: s3 -> s4
  5  p1     s4    ncrit: 0 -> 1, pc[1]: s4 -> s5
  6  p0     s2    flag[0]: false -> true, pc[0]: s2 -> s3
  7  p0     s3    pc[0]: s3 -> s4
  8  p0     s4    ncrit: 1 -> 2, pc[0]: s4 -> s5

2 runs, all as declared: 1 finds the violations declared for it, 1 holds every property
`;

const INCOMPLETE = `run              status                  states  transitions  depth  violated  as declared
two-phase(RM=3)  incomplete (maxStates)     100          268      5  -         NO

two-phase(RM=3): steps not fired before the exploration stopped: TM:TMCommit, rm0:RMRcvCommitMsg, rm1:RMRcvCommitMsg, rm2:RMRcvCommitMsg

two-phase(RM=3) differs from its declaration:
  - exploration incomplete (stopped by the maxStates bound); an incomplete run never counts as as-declared

1 run, 1 not as declared: two-phase(RM=3)
`;

/** What a user runs, each spawned once, all at the same time (the default run is the only slow one). */
const SPAWNED = {
  default: ['--group', 'examples', '--traces'],
  adHocViolation: ['--model', 'two-phase', '-p', 'RM=2', '--param', 'buggy=true', '--no-timing'],
  jsonIncomplete: ['--model', 'peterson', '--max-depth', '3', '--json'],
  help: ['check', '--help'],
  unknownOption: ['--frobnicate'],
  badParam: ['--model', 'counter-race', '-p', 'NP=9'],
} satisfies Record<string, string[]>;

let spawned: Record<keyof typeof SPAWNED, Transcript>;

beforeAll(async () => {
  const names = Object.keys(SPAWNED) as (keyof typeof SPAWNED)[];
  const transcripts = await Promise.all(names.map((n) => cli(...SPAWNED[n])));
  spawned = Object.fromEntries(names.map((n, i) => [n, transcripts[i]])) as typeof spawned;
});

/** In process, through the same `main` (same bytes on stdout, same exit code). */
async function inProcess(args: string[], registry?: Registry) {
  let stdout = '';
  let stderr = '';
  const io: Io = {
    stdout: (s) => {
      stdout += s;
    },
    stderr: {
      write: (s: string) => {
        stderr += s;
        return true;
      },
    },
  };
  const code = await main(args, io, registry);
  return { code, stdout, stderr };
}

describe('check (the default command): exit 0 when every result is as declared', () => {
  it('says which selected rows run none of the selected variants (a manifest row that runs only some)', async () => {
    const t = await inProcess(['--scenario', 'bye-vs-timeout-B', '--scenario', 'ok-short-lifetime', '--env', 'posix-sem/sc/eintr1', '--variant', 'orig', '--no-timing', '--jobs', '1', '--no-progress']);
    expect(t.code).toBe(0);
    expect(t.stdout.trimEnd().split('\n').slice(-2)).toEqual([
      '1 run, all as declared: 1 finds the violations declared for it',
      '(1 row selected by the other flags runs none of the selected variants: bye-vs-timeout-B posix-sem/sc/eintr1; see its note in check-manifest.json)',
    ]);
  });

  it("a full-tier row's defaultTier variants run in every check, the others only with --all (check-manifest.json `defaultTier`)", async () => {
    const args = ['--scenario', 'drop-after-sync-two-early', '--env', 'posix-sem/sc/eintr1', '--no-timing', '--jobs', '1', '--no-progress'];
    const t = await inProcess(args);
    expect(t.code).toBe(0);
    expect(t.stdout.trimEnd().split('\n').slice(-2)).toEqual([
      '3 runs, all as declared: 1 finds the violations declared for it, 2 hold every property',
      '(14 run(s) of the full tier were not run: npm run check -- --all runs them too)',
    ]);
    const orig = await inProcess([...args, '--variant', 'orig']);
    expect([orig.code, orig.stderr.trim()]).toEqual([2, 'error: the 1 registered run(s) selected are all in the full tier (millions of states each): add --all to run them']);
  });

  it('prints the table, every violation trace, the summary and a final time line', () => {
    const t = spawned.default;
    expect(t.stderr).toBe('');
    expect(t.code).toBe(0);
    expect(t.stdout).toMatch(TIME_LINE);
    expect(t.stdout.trimEnd().split('\n').at(-1)!.startsWith('time: ')).toBe(true);
    expect(normaliseTime(t.stdout)).toBe(DEFAULT_RUN);
  });

  it('names the command `check` explicitly or not, selects by tag, and is byte-for-byte repeatable', async () => {
    const a = await inProcess(['check', '--filter', 'model=peterson', '--group', 'examples', '--traces', '--no-timing']);
    const b = await inProcess(['--filter', 'model=peterson', '--traces', '--no-timing']);
    expect(a).toEqual({ code: 0, stdout: PETERSON_PAIR, stderr: '' });
    expect(b).toEqual(a);
  });

  it('an ad-hoc run with the parameters of a registered run is that run, with its declaration', async () => {
    const t = await inProcess(['--model', 'peterson', '-p', 'buggy=true', '--no-timing', '--stop-on-first']);
    expect(t.code).toBe(0);
    expect(t.stdout.split('\n').slice(0, 2).join('\n')).toBe(
      'run             status                       states  transitions  depth  violated         as declared\n' +
        'peterson-buggy  violation (stopOnViolation)      59           87      9  MutualExclusion  yes',
    );
  });

  it("an ad-hoc run gets its model's declared expectation for those parameters", async () => {
    const t = await inProcess(['--model', 'counter-race', '-p', 'NP=2,K=2', '--no-timing']);
    expect(t.code).toBe(0);
    expect(t.stdout.split('\n').slice(0, 2).join('\n')).toBe(
      'run                     status     states  transitions  depth  violated      as declared\n' +
        'counter-race(NP=2,K=2)  violation     228          398     19  NoLostUpdate  yes',
    );
  });

  it('--workers 2 explores one run with two threads: the same table row as one thread', { timeout: 120_000 }, async () => {
    const one = await inProcess(['--model', 'counter-race', '-p', 'NP=2,K=2', '--no-timing']);
    const two = await inProcess(['--model', 'counter-race', '-p', 'NP=2,K=2', '--no-timing', '--workers', '2']);
    expect(two.code).toBe(0);
    expect(two.stdout.split('\n').slice(0, 2)).toEqual(one.stdout.split('\n').slice(0, 2));
  });

  it('--memory-limit: a run that reaches it stops, incomplete (memory), exit 1', async () => {
    // The lowest limit accepted (64 MB above what the process uses) and a run that needs more.
    const limit = Math.ceil(process.memoryUsage.rss() / 2 ** 20) + 70;
    const t = await inProcess(['--model', 'counter-race', '-p', 'NP=3,K=8', '--no-timing', '--memory-limit', String(limit)]);
    expect(t.code).toBe(1);
    expect(t.stdout).toContain('incomplete (memory)');
    expect(t.stdout).toContain('exploration incomplete (stopped by the memory bound)');
  });

  it('--json prints the typed outcomes and nothing else on stdout', async () => {
    const t = await inProcess(['--filter', 'id=two-phase-buggy(RM=3)', '--json', '--no-timing']);
    expect(t.code).toBe(0);
    expect(t.stderr).toBe('');
    const json = JSON.parse(t.stdout);
    expect(json.summary).toEqual({ runs: 1, asDeclared: 1, notAsDeclared: [], exitCode: 0 });
    const [run] = json.runs;
    expect(run).toMatchObject({
      id: 'two-phase-buggy(RM=3)',
      tags: { group: 'examples', model: 'two-phase', RM: '3', buggy: 'true' },
      model: 'two-phase-buggy(RM=3)',
      status: 'violation',
      stats: { states: 623, transitions: 2507, depth: 11, complete: true },
      expected: { violated: ['TCConsistent'], states: 623, transitions: 2507, depth: 11, declared: true },
      asDeclared: true,
      differences: [],
    });
    expect(run.stats.timeMs).toBeUndefined();
    // Exactly these counts: the engine's per-level counts (Stats.levels) stay out of the JSON.
    expect(Object.keys(run.stats).sort()).toEqual(['complete', 'depth', 'states', 'transitions']);
    expect(run.coverage.dead).toEqual([]);
    expect(run.properties.map((p: { name: string; verdict: string }) => [p.name, p.verdict])).toEqual([
      ['TPTypeOK', 'holds'],
      ['TCConsistent', 'violated'],
    ]);
    expect(run.violations).toHaveLength(1);
    expect(run.violations[0].trace).toEqual([
      {
        index: 0,
        actor: null,
        step: null,
        source: null,
        state: {
          rmState: ['working', 'working', 'working'],
          tmState: 'init',
          tmPrepared: [false, false, false],
          msgPrepared: [false, false, false],
          msgCommit: false,
          msgAbort: false,
        },
      },
      {
        index: 1,
        actor: 'TM',
        step: 'TMCommit',
        source: null,
        changed: [
          { path: 'tmState', from: 'init', to: 'committed' },
          { path: 'msgCommit', from: false, to: true },
        ],
      },
      { index: 2, actor: 'rm0', step: 'RMChooseToAbort', source: null, changed: [{ path: 'rmState[0]', from: 'working', to: 'aborted' }] },
      { index: 3, actor: 'rm1', step: 'RMRcvCommitMsg', source: null, changed: [{ path: 'rmState[1]', from: 'working', to: 'committed' }] },
    ]);
  });

  it('--help exits 0', () => {
    const t = spawned.help;
    expect(t.code).toBe(0);
    expect(t.stdout).toContain('--max-states <n>');
    expect(t.stderr).toBe('');
  });

  it('--list shows the models with their parameters and the registered runs with their tags', async () => {
    const t = await inProcess(['--list']);
    expect(t.code).toBe(0);
    expect(t.stdout).toContain('  counter-race  NP (an integer from 1 to 8, default 3), K (an integer from 0 to 50, default 4)');
    expect(t.stdout).toMatch(/\n  peterson-buggy +group=examples model=peterson buggy=true\n/);
    expect(t.stdout).toMatch(/\n  dialog\/bye-vs-timeout-B\/fast-lock\/sc\/orig +group=dialog scenario=bye-vs-timeout-B env=fast-lock\/sc variant=orig lock=fast-lock memory=sc eintr=0 assume=none tier=default role=code\n/);
  });
});

describe('exit 1 when a result is not as declared (and the report says which)', () => {
  it('an ad-hoc run with no declared expectation expects every property to hold', () => {
    const t = spawned.adHocViolation;
    expect(t.code).toBe(1);
    expect(t.stderr).toBe('');
    expect(t.stdout).toBe(AD_HOC_VIOLATION);
  });

  it('a bound makes a run incomplete, which never counts as declared', async () => {
    const t = await inProcess(['--model', 'two-phase', '--max-states', '100', '--no-timing']);
    expect(t).toEqual({ code: 1, stdout: INCOMPLETE, stderr: '' });
  });

  it('--json: the same verdict, the differences as data, and one line on stderr', () => {
    const t = spawned.jsonIncomplete;
    expect(t.code).toBe(1);
    expect(t.stderr).toBe('1 run, 1 not as declared: peterson\n');
    const json = JSON.parse(t.stdout);
    expect(json.summary).toMatchObject({ runs: 1, asDeclared: 0, notAsDeclared: ['peterson'], exitCode: 1 });
    expect(typeof json.summary.timeMs).toBe('number');
    expect(json.runs[0]).toMatchObject({ status: 'incomplete', bound: 'maxDepth', asDeclared: false });
    expect(json.runs[0].differences).toEqual([{ kind: 'incomplete', expected: 'complete', actual: 'maxDepth' }]);
  });
});

it("--filter id=ID selects a run whose id holds a comma inside parentheses (the comma separates only NAME=VALUE pairs)", async () => {
  const t = await inProcess(['--filter', 'id=counter-race(NP=2,K=1),group=examples', '--json', '--no-timing']);
  expect(t.code).toBe(0);
  expect(JSON.parse(t.stdout).runs.map((r: { id: string }) => r.id)).toEqual(['counter-race(NP=2,K=1)']);
  expect(parseAssignments(['id=a(b,c),g=x', 'k=(1,(2,3)),m=4'], '--filter')).toEqual([
    ['id', 'a(b,c)'],
    ['g', 'x'],
    ['k', '(1,(2,3))'],
    ['m', '4'],
  ]);
  // Parentheses that do not pair up: every comma separates, as before.
  expect(parseAssignments(['id=a(b,group=examples'], '--filter')).toEqual([
    ['id', 'a(b'],
    ['group', 'examples'],
  ]);
  expect(parseAssignments(['label=x(,THREADS=3'], '--param')).toEqual([
    ['label', 'x('],
    ['THREADS', '3'],
  ]);
  expect(() => parseAssignments(['id=a),(b,c=d'], '--filter')).toThrow("--filter expects NAME=VALUE (several may be comma-separated), got '(b'");
});

describe('exit 2 for usage errors: one line on stderr, nothing on stdout, no stack trace', () => {
  const UNKNOWN_OPTION =
    "error: unknown option '--frobnicate'; expected one of: --model, --model-file, --model-export, --param, --expect, --filter, --group, --scenario, --variant, --env, --lock, --memory, --json, --max-states, --max-depth, --time-limit, --progress, --no-progress, --stop-on-first, --jobs, --workers, --memory-limit, --text-keys, --no-timing, --all, --proof, --verify, --list, --traces, --swimlanes, --export, --out, --force, --help, --version";
  const BAD_PARAM = "error: parameter NP of model counter-race expects an integer from 1 to 8, got '9'";

  it('as a process: an unknown option and a bad parameter', () => {
    expect(spawned.unknownOption).toEqual({ code: 2, stdout: '', stderr: `${UNKNOWN_OPTION}\n` });
    expect(spawned.badParam).toEqual({ code: 2, stdout: '', stderr: `${BAD_PARAM}\n` });
  });

  const cases: [string, string[], string][] = [
    ['unknown option', ['--frobnicate'], UNKNOWN_OPTION],
    ['unknown model', ['--model', 'nope'], "error: unknown model 'nope'; expected one of: counter-race, peterson, two-phase"],
    [
      'unknown command',
      ['frob', 'x.json'],
      "error: unexpected argument 'frob x.json'; expected no arguments: the commands are check (the default, options only), replay <file...>, rootcause and cites",
    ],
    ['--list with --json (was: the table, --json ignored)', ['--model', 'peterson', '--list', '--json'], 'error: --list prints a table of the models and runs; --json does not apply to it'],
    ['--verify with --json (was: text, --json ignored)', ['--verify', 'no-such-bundle.json', '--json'], 'error: --verify prints its differences as text lines; --json does not apply to it'],
    ['rootcause with --markdown and --json (was: JSON alone)', ['rootcause', '--markdown', '--json'], 'error: --json and --markdown are two forms of the report; give one'],
    ['help for no such command', ['help', 'nosuch'], 'error: help nosuch: no such command; the commands are check (the default, options only), replay <file...>, rootcause and cites'],
    ["an unknown option of replay lists replay's", ['replay', 'traces/TR-1.json', '--bogus'], "error: unknown option '--bogus' for replay; expected one of: --code-only, --assumed-only, --json, --help"],
    [
      "an unknown option of rootcause lists rootcause's",
      ['rootcause', '--bogus'],
      "error: unknown option '--bogus' for rootcause; expected one of: --scenario, --env, --variant, --time-limit, --max-states, --jobs, --json, --markdown, --help",
    ],
    ["an unknown option of cites is named before its missing --opensips", ['cites', '--bogus=1'], "error: unknown option '--bogus' for cites; expected one of: --opensips, --pins, --help"],
    ['cites: a short option it does not have', ['cites', '-z'], "error: unknown option '-z' for cites; expected one of: --opensips, --pins, --help"],
    ["cites: an option's value and what follows -- are not options", ['cites', '--pins', '--x', '--', '--y'], "error: required option '--opensips <dir>' not specified"],
    ["commander's hint stays after the command's name", ['replay', '--json=1'], "error: unknown option '--json=1' for replay (Did you mean --json?); expected one of: --code-only, --assumed-only, --json, --help"],
    ['unknown parameter', ['--model', 'counter-race', '-p', 'NQ=2'], "error: model counter-race has no parameter 'NQ'; expected one of: NP, K"],
    ['parameter out of range', ['--model', 'counter-race', '-p', 'NP=9'], BAD_PARAM],
    ['parameter not an integer', ['--model', 'counter-race', '-p', 'K=2.5'], "error: parameter K of model counter-race expects an integer from 0 to 50, got '2.5'"],
    ['bad boolean', ['--model', 'peterson', '-p', 'buggy=yes'], "error: parameter buggy of model peterson expects true or false, got 'yes'"],
    ['K=V malformed', ['--model', 'counter-race', '-p', 'NP=2,K'], "error: --param expects NAME=VALUE (several may be comma-separated), got 'K'"],
    ['parameter given twice', ['--model', 'counter-race', '-p', 'K=1', '-p', 'K=2'], 'error: parameter K of model counter-race is given twice'],
    ['--param without --model', ['-p', 'NP=2'], 'error: --param sets a parameter of --model or --model-file; give --model NAME or --model-file FILE too'],
    ['--model with --group', ['--model', 'peterson', '--group', 'examples'], 'error: --model runs one model ad hoc and cannot be combined with --group (which selects registered runs)'],
    ['unknown tag', ['--filter', 'colour=red'], "error: unknown tag 'colour'; expected one of: id, group, model, NP, K, buggy, RM, scenario, env, variant, lock, memory, eintr, assume, tier, role, proposition"],
    ['unknown tag value', ['--group', 'nope'], 'error: no registered run has group=nope; expected group to be one of: examples, dialog, propositions'],
    [
      'unknown scenario',
      ['--scenario', 'nope'],
      'error: no registered run has scenario=nope; expected scenario to be one of: bye-vs-timeout-B, bye-vs-timeout-B-base, bye-vs-timeout, two-byes-vs-timeout, pr-bye-first, pr-timer-first, pr-timer-reads-first, ok-short-lifetime, route-vs-update, route-rearm, replicated-delete, ping-timeout, drop-after-sync, ok-short-lifetime-reuse, route-vs-update-reuse, route-vs-update-neighbour, drop-after-sync-two-early, bye-vs-timeout-B-shared-bucket',
    ],
    ['unknown variant', ['--variant', 'v9'], 'error: no registered run has variant=v9; expected variant to be one of: orig, v1-part1, v1-part2, v1-both, v2, v3, fix-ref-first, fix-ref-locked, fix-route, fix-repl-del, fix-drop, fix-eintr, fix-bye, fix-db-winner, fix-db-flag, fixed, v3+fixes'],
    ['unknown memory model', ['--memory', 'tso'], 'error: no registered run has memory=tso; expected memory to be one of: sc, relaxed'],
    ['malformed --workers', ['--workers', 'two'], "error: --workers expects a positive integer, got 'two'"],
    ['zero --workers', ['--workers', '0'], "error: --workers expects a positive integer, got '0'"],
    ['malformed --jobs', ['--jobs', '1.5'], "error: --jobs expects a positive integer, got '1.5'"],
    ['malformed --memory-limit', ['--memory-limit', 'lots'], "error: --memory-limit expects a positive integer, got 'lots'"],
    ['zero --memory-limit', ['--memory-limit', '0'], "error: --memory-limit expects a positive integer, got '0'"],
    [
      '--max-states with --workers',
      ['--model', 'peterson', '--workers', '2', '--max-states', '10'],
      "error: --max-states cannot be combined with --workers above 1 (where a run stops would depend on the threads' timing); use --workers 1",
    ],
    [
      '--proof with --workers (which of the equally short traces the workers keep depends on timing)',
      ['--model', 'peterson', '--workers', '2', '--proof', '/tmp/never-written.json'],
      "error: --proof cannot be combined with --workers above 1 (a bundle records each trace's hash, and which of the equally short traces several workers keep depends on their timing); use --workers 1",
    ],
    ['--model with a matrix selection (names the flag given)', ['--model', 'peterson', '--scenario', 'route-rearm'], 'error: --model runs one model ad hoc and cannot be combined with --scenario (which selects registered runs)'],
    ['malformed filter', ['--filter', 'model'], "error: --filter expects NAME=VALUE (several may be comma-separated), got 'model'"],
    ['filters that match nothing', ['--filter', 'model=peterson', '--filter', 'NP=3'], 'error: no registered run matches all of: model=peterson, NP=3'],
    [
      'a variant that the selected row does not run (the manifest row runs only some variants)',
      ['--scenario', 'bye-vs-timeout-B', '--env', 'posix-sem/sc/eintr1', '--variant', 'orig'],
      "error: no registered run matches all of: scenario=bye-vs-timeout-B, variant=orig, env=posix-sem/sc/eintr1, group=dialog (bye-vs-timeout-B posix-sem/sc/eintr1 runs only v3, fix-eintr, fixed, v3+fixes: see the row's note in check-manifest.json; npm run check -- rootcause --scenario bye-vs-timeout-B --env posix-sem/sc/eintr1 searches the code as written there for #3835's line, as docs/root-cause.md does for every variant such a row leaves out)",
    ],
    [
      'a PR version that the selected row does not run: the search for that version',
      ['--scenario', 'pr-timer-first', '--env', 'posix-sem/sc/eintr1', '--variant', 'v2'],
      "error: no registered run matches all of: scenario=pr-timer-first, variant=v2, env=posix-sem/sc/eintr1, group=dialog (pr-timer-first posix-sem/sc/eintr1 runs only v3, fix-eintr, fixed, v3+fixes: see the row's note in check-manifest.json; npm run check -- rootcause --scenario pr-timer-first --env posix-sem/sc/eintr1 --variant v2 searches v2 there for #3835's line, as docs/root-cause.md does for every variant such a row leaves out)",
    ],
    [
      'two variants that the selected row does not run: the search for one of them',
      ['--scenario', 'pr-timer-first', '--env', 'posix-sem/sc/eintr1', '--variant', 'v2', '--variant', 'v1-both'],
      "error: no registered run matches all of: scenario=pr-timer-first, variant=v2, variant=v1-both, env=posix-sem/sc/eintr1, group=dialog (pr-timer-first posix-sem/sc/eintr1 runs only v3, fix-eintr, fixed, v3+fixes: see the row's note in check-manifest.json; npm run check -- rootcause --scenario pr-timer-first --env posix-sem/sc/eintr1 --variant V searches variant V there for #3835's line, as docs/root-cause.md does for every variant such a row leaves out)",
    ],
    [
      "a run of the full tier without --all (v3 in the PR's own ordering under EINTR: 161 million states)",
      ['--scenario', 'pr-timer-first', '--env', 'posix-sem/sc/eintr1', '--variant', 'v3'],
      'error: the 1 registered run(s) selected are all in the full tier (millions of states each): add --all to run them',
    ],
    ['malformed --max-states', ['--max-states', '1e3'], "error: --max-states expects a positive integer, got '1e3'"],
    ['zero --max-depth', ['--max-depth', '0'], "error: --max-depth expects a positive integer, got '0'"],
    ['malformed --time-limit', ['--time-limit', 'soon'], "error: --time-limit expects a positive number of seconds, got 'soon'"],
    ['missing option value', ['--max-states'], "error: option '--max-states <n>' argument missing"],
    [
      'an unknown run id: the ids that begin as it does, not all 1071',
      ['--filter', 'id=counter-race(NP=3,K=5)'],
      "error: no registered run has id=counter-race(NP=3,K=5); expected id to be one of 1071 values (check --list lists the runs); those that begin with 'counter-race(NP=3,K=': counter-race(NP=3,K=4)",
    ],
    [
      'an unknown run id that resembles none: the first ten',
      ['--filter', 'id=nothing-like-it'],
      "error: no registered run has id=nothing-like-it; expected id to be one of 1071 values (check --list lists the runs); the first ones: counter-race(NP=3,K=4), counter-race(NP=2,K=1), peterson, peterson-buggy, two-phase(RM=3), two-phase-buggy(RM=3), dialog/bye-vs-timeout-B/fast-lock/sc/orig, dialog/bye-vs-timeout-B/fast-lock/sc/v1-part1, dialog/bye-vs-timeout-B/fast-lock/sc/v1-part2, dialog/bye-vs-timeout-B/fast-lock/sc/v1-both, ... (1071)",
    ],
  ];
  it.each(cases)('%s', async (_name, args, message) => {
    expect(await inProcess(args)).toEqual({ code: 2, stdout: '', stderr: `${message}\n` });
  });
});

// ---------------------------------------------------------------------------
// In process, with a registry of tiny literal models.

interface Tiny {
  readonly n: number;
  readonly log: { readonly last: string | null };
}

const tiny = (): Model<Tiny, Action> => ({
  name: 'tiny',
  initialStates: () => [{ n: 0, log: { last: null } }],
  actions: (s) => (s.n < 3 ? [{ actor: 'a', step: 'inc', source: { file: 'x.c', line: 10 } }] : []),
  next: (s) => ({ n: s.n + 1, log: { last: `n${s.n}` } }),
  key: (s) => `${s.n}|${s.log.last}`,
  properties: [always<Tiny>('Small', 'n stays below 2', (s) => s.n < 2), sometimes<Tiny>('Never', 'n reaches 9', (s) => s.n === 9)],
  steps: [
    { actor: 'a', step: 'inc' },
    { actor: 'b', step: 'idle' },
  ],
});

/** next() reads a counter outside the state: replaying the trace re-derives different states. */
const nondet = (): Model<{ n: number; r: number }, Action> => {
  let calls = 0;
  return {
    name: 'nondet',
    initialStates: () => [{ n: 0, r: 0 }],
    actions: (s) => (s.n < 3 ? [{ actor: 'a', step: 'inc' }] : []),
    next: (s) => ({ n: s.n + 1, r: ++calls }),
    key: (s) => `${s.n}:${s.r}`,
    properties: [always('Small', 'n stays below 2', (s: { n: number }) => s.n < 2)],
  };
};

const testRegistry: Registry = {
  models: [],
  runs: [
    { id: 'tiny', tags: { group: 't' }, build: tiny, expect: { violated: ['Small', 'Never'], states: 4, transitions: 3, depth: 4 } },
    { id: 'tiny-wrong', tags: { group: 't' }, build: tiny, expect: { violated: ['Gone'], states: 5, depth: 4 } },
    {
      id: 'thrower',
      tags: { group: 'e' },
      build: () => ({
        ...tiny(),
        name: 'thrower',
        next: () => {
          throw new TypeError('boom');
        },
      }),
      expect: { violated: [] },
    },
    { id: 'nondet', tags: { group: 'e' }, build: nondet, expect: { violated: ['Small'] } },
  ],
};

const WRONG_DECLARATIONS = `run         status     states  transitions  depth  violated     as declared
tiny        violation       4            3      4  Small,Never  yes
tiny-wrong  violation       4            3      4  Small,Never  NO
thrower     error           -            -      -  -            NO
nondet      error           -            -      -  -            NO

tiny: steps that never fired: b:idle
tiny-wrong: steps that never fired: b:idle

tiny-wrong differs from its declaration:
  - Small is violated, expected it to hold
  - Never is violated, expected it to hold
  - the expectation names property Gone, which the model does not have
  - 4 states, expected 5

thrower differs from its declaration:
  - error: ModelError: model thrower: next(state, a:inc) threw TypeError: boom, in state 0|null

nondet differs from its declaration:
  - error: DeterminismError: model nondet: replay diverged at step 1 (a:inc): the successor differs from the state explored. Likely causes: next() or actions() depends on something outside the state (Math.random, Date, a mutable global or closure), next() mutates its input state, actions() does not return its list in a stable order, or key() is not canonical (e.g. JSON.stringify of objects whose key order varies).

tiny: Small violated (always: n stays below 2)
  shortest trace, 2 steps, 0 actor switches (the only shortest trace):
  #  actor  step  source  changes
  0  -      init          n=0 log={last:null}
  1  a      inc   x.c:10  n: 0 -> 1, log.last: null -> n0
  2  a      inc   x.c:10  n: 1 -> 2, log.last: n0 -> n1

tiny: Never violated (sometimes: n reaches 9)
  never reached in 4 states, so there is no trace

tiny-wrong: Small violated (always: n stays below 2)
  shortest trace, 2 steps, 0 actor switches (the only shortest trace):
  #  actor  step  source  changes
  0  -      init          n=0 log={last:null}
  1  a      inc   x.c:10  n: 0 -> 1, log.last: null -> n0
  2  a      inc   x.c:10  n: 1 -> 2, log.last: n0 -> n1

tiny-wrong: Never violated (sometimes: n reaches 9)
  never reached in 4 states, so there is no trace

4 runs, 3 not as declared: tiny-wrong, thrower, nondet
`;

describe('main() with an injected registry', () => {
  it('reports wrong declarations, a model that throws and a non-deterministic model: exit 1', async () => {
    const t = await inProcess(['--traces', '--no-timing'], testRegistry);
    expect(t.code).toBe(1);
    expect(t.stderr).toBe('');
    expect(t.stdout).toBe(WRONG_DECLARATIONS);
  });

  it('exit 0 when the selected runs are as declared', async () => {
    const t = await inProcess(['--filter', 'id=tiny', '--no-timing'], testRegistry);
    expect(t.code).toBe(0);
    expect(t.stdout.trimEnd().split('\n').at(-1)).toBe('1 run, all as declared: 1 finds the violations declared for it');
  });

  it('--json serialises errors as data (name, code, message, own fields; no stack)', async () => {
    const t = await inProcess(['--group', 'e', '--json', '--no-timing'], testRegistry);
    expect(t.code).toBe(1);
    const json = JSON.parse(t.stdout);
    expect(json.runs[0].error).toEqual({
      name: 'ModelError',
      message: 'model thrower: next(state, a:inc) threw TypeError: boom, in state 0|null',
      code: 'model-error',
      part: 'next',
      action: 'a:inc',
      stateKey: '0|null',
      thrown: { name: 'TypeError', message: 'boom' },
    });
    expect(json.runs[1].error).toMatchObject({ name: 'DeterminismError', code: 'determinism', position: 1, expectedKey: '1:1' });
    expect(t.stdout).not.toContain('    at ');
    expect(json.runs.map((r: { differences: { kind: string }[] }) => r.differences.map((d) => d.kind))).toEqual([['error'], ['error']]);
  });

  it('a trace step carries its source location and a nested diff', async () => {
    const t = await inProcess(['--filter', 'id=tiny', '--json', '--no-timing'], testRegistry);
    const trace = JSON.parse(t.stdout).runs[0].violations[0].trace;
    expect(trace[2]).toEqual({
      index: 2,
      actor: 'a',
      step: 'inc',
      source: 'x.c:10',
      changed: [
        { path: 'n', from: 1, to: 2 },
        { path: 'log.last', from: 'n0', to: 'n1' },
      ],
    });
    expect(JSON.parse(t.stdout).runs[0].coverage.dead).toEqual(['b:idle']);
  });
});

describe('compare', () => {
  const outcome = (over: Partial<Outcome<unknown>>): Outcome<unknown> => ({
    model: 'm',
    status: 'ok',
    stats: { states: 10, transitions: 20, depth: 5, timeMs: 1, statesPerSecond: 1, complete: true },
    coverage: { steps: [], dead: [] },
    properties: [{ name: 'P', kind: 'always', meaning: '', verdict: 'holds' }],
    violations: [],
    ...over,
  });

  it('is empty when verdicts and pinned counts match', () => {
    expect(compare(outcome({}), { violated: [], states: 10, transitions: 20, depth: 5 })).toEqual([]);
  });

  it('an incomplete outcome always differs; unknown verdicts and counts are then not compared', () => {
    const o = outcome({
      status: 'incomplete',
      bound: 'maxStates',
      stats: { states: 3, transitions: 2, depth: 2, timeMs: 1, statesPerSecond: 1, complete: false },
      properties: [{ name: 'P', kind: 'always', meaning: '', verdict: 'unknown' }],
    });
    expect(compare(o, { violated: [], states: 10 })).toEqual([{ kind: 'incomplete', expected: 'complete', actual: 'maxStates' }]);
  });

  it('stopping at the first violation (as asked) compares only the definite verdicts', () => {
    const o = outcome({
      status: 'violation',
      bound: 'stopOnViolation',
      stats: { states: 3, transitions: 2, depth: 2, timeMs: 1, statesPerSecond: 1, complete: false },
      properties: [
        { name: 'P', kind: 'always', meaning: '', verdict: 'violated' },
        { name: 'Q', kind: 'always', meaning: '', verdict: 'unknown' },
      ],
    });
    expect(compare(o, { violated: ['P'], states: 10 })).toEqual([]);
    expect(compare(o, { violated: ['Q'] })).toEqual([{ kind: 'verdict', property: 'P', expected: 'holds', actual: 'violated' }]);
  });
});

describe('text rendering', () => {
  it('diffStates shows each changed leaf as path: old -> new', () => {
    const a = { x: 1, arr: [1, 2], o: { p: 'a', q: [true] }, m: new Map([['k', 1]]), gone: 1 };
    const b = { x: 1, arr: [1, 3, 4], o: { p: 'b', q: [true] }, m: new Map([['k', 2]]), added: 'two words' };
    expect(diffStates(a, b).map(formatChange)).toEqual([
      'arr[1]: 2 -> 3',
      'arr[2]: (absent) -> 4',
      'o.p: a -> b',
      'm[k]: 1 -> 2',
      'gone: 1 -> (absent)',
      'added: (absent) -> "two words"',
    ]);
    expect(diffStates(a, a)).toEqual([]);
  });

  it('renderTrace: a merged action shows every step it ran and their sources', () => {
    const src = (line: number) => ({ file: 'dlg_hash.c', line });
    const merged = {
      actor: 'w',
      step: 'W1…W3',
      source: src(10),
      parts: [
        { actor: 'w', step: 'W1', source: src(10) },
        { actor: 'w', step: 'W2', source: { file: 'dlg_hash.c', line: 12, endLine: 14 } },
        { actor: 'w', step: 'W3', source: { file: 'dlg_req.c', line: 7 } },
      ],
    };
    const trace = [
      { action: null, state: { refs: 1, locked: false } },
      { action: merged, state: { refs: 2, locked: false } },
      { action: { actor: 'v', step: 'V1' }, state: { refs: 2, locked: false } },
    ];
    expect(renderTrace(trace)).toBe(
      [
        '#  actor  step      source                           changes',
        '0  -      init                                       refs=1 locked=false',
        '1  w      W1+W2+W3  dlg_hash.c:10,12-14 dlg_req.c:7  refs: 1 -> 2',
        '2  v      V1                                         (no change)',
      ].join('\n'),
    );
  });

  it('renderTable aligns columns and trims trailing spaces', () => {
    expect(renderTable([{ header: 'a' }, { header: 'n', align: 'right' }, { header: 'z' }], [['long', '1', ''], ['x', '100', 'y']])).toBe(
      'a       n  z\nlong    1\nx     100  y',
    );
  });

  it('progress: rewritten in place on a terminal, one line each otherwise, nothing when off', () => {
    const p = { states: 12345, transitions: 1, depth: 7, queue: 890, elapsedMs: 1500, statesPerSecond: 8230 };
    expect(formatProgress('run', p)).toBe('run: 12,345 states, depth 7, queue 890, 8,230 states/s, 1.5 s');
    let tty = '';
    const onTty = progressPrinter('run', { isTTY: true, write: (s: string) => (tty += s) }, true);
    onTty.onProgress!(p);
    onTty.done();
    expect(tty).toBe('\rrun: 12,345 states, depth 7, queue 890, 8,230 states/s, 1.5 s\x1b[K\r\x1b[K');
    let piped = '';
    const onPipe = progressPrinter('run', { write: (s: string) => (piped += s) }, true);
    onPipe.onProgress!(p);
    onPipe.done();
    expect(piped).toBe('run: 12,345 states, depth 7, queue 890, 8,230 states/s, 1.5 s\n');
    expect(progressPrinter('run', { isTTY: true, write: () => true }, false).onProgress).toBeUndefined();
  });
});

describe("the matrix shortcuts and PR #3836's proposition searches", () => {
  it('--scenario/--env/--variant select matrix cells only; with --group propositions they select searches', async () => {
    const cells = await inProcess(['--scenario', 'pr-bye-first', '--env', 'fast-lock/sc', '--variant', 'v1-both', '--no-timing', '--jobs', '1']);
    expect(cells.code).toBe(0);
    expect(cells.stdout).not.toContain('proposition/');
    expect(cells.stdout).toContain('1 run, all as declared');
    const searches = await inProcess(['--group', 'propositions', '--scenario', 'pr-bye-first', '--no-timing', '--jobs', '1']);
    expect(searches.code).toBe(0);
    expect(searches.stdout).toContain('P-23         unknown (3 of 10 searches run)  pr-bye-first fast-lock/sc v1-part1: none in 14 states (exhaustive); pr-bye-first fast-lock/sc v1-part2: none in 15 states (exhaustive); pr-bye-first fast-lock/sc v1-both: none in 14 states (exhaustive)');
    expect(searches.stdout).toContain('5 runs, all as declared');
  });

  it('a proposition search prints its witness or counterexample when asked for alone', async () => {
    const r = await inProcess(['--group', 'propositions', '--filter', 'proposition=P-04', '--no-timing', '--jobs', '1']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('P-04         fails    bye-vs-timeout-B fast-lock/sc orig: counterexample, 1 step');
    expect(r.stdout).toContain('proposition/P-04/bye-vs-timeout-B/fast-lock/sc/orig: counterexample (the BYE worker holds no reference (holders W.ctx, W.tm))');
    expect(r.stdout).toMatch(/1 {2}W {6}W1\.H\+\+W1\.scan\+W1\.ref-R\[ref=2\]\+W1\.ref-W\+W1\.H- +dlg_hash\.c:787,789-795,796,797 +ref: 2 -> 3, holders\["W\.ctx"\]: \(absent\) -> 1/);
  });
});
