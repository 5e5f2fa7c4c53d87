/**
 * `npm run explore`: usage errors (one line, exit 2, nothing written), --out
 * and --force (written through a temporary name, the same bytes on every run
 * with --no-timing, nothing fetched at view time), and --serve (127.0.0.1,
 * port 0, stopped by SIGTERM and SIGINT).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli-explore.js';
import { listenPage } from '../src/explore/serve.js';
import { createServer, type AddressInfo } from 'node:net';
import { fakeRegistry } from './helpers/explorer-fixture.js';

const dir = mkdtempSync(join(tmpdir(), 'explore-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(argv: string[], registry = fakeRegistry()) {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: (t) => (stdout += t), stderr: { write: (t: string) => (stderr += t) } }, registry);
  return { code, stdout, stderr };
}

describe('usage errors: one line on stderr, exit 2, nothing written', () => {
  const existing = join(dir, 'existing.html');
  writeFileSync(existing, 'keep me');
  const cases: [string, string[], RegExp][] = [
    ['neither --out nor --serve', ['--group', 'fake'], /^error: explore needs --out FILE \(write the page\) or --serve \(serve it\), or both\n$/],
    ['--out to an existing file without --force', ['--group', 'fake', '--out', existing], /^error: --out .*existing\.html: the file exists; give --force to overwrite it\n$/],
    ['--out to a directory', ['--group', 'fake', '--out', dir, '--force'], /^error: --out .*: is a directory; give the name of the HTML file to write\n$/],
    ['--out in a missing directory', ['--group', 'fake', '--out', join(dir, 'no', 'such', 'page.html')], /^error: --out .*: cannot write in .*no\/such/],
    ['--force without --out', ['--group', 'fake', '--serve', '--force'], /^error: --force applies to --out; give --out FILE too\n$/],
    ['--port without --serve', ['--group', 'fake', '--out', join(dir, 'a.html'), '--port', '8080'], /^error: --port applies to --serve; give --serve too\n$/],
    ['a bad port', ['--group', 'fake', '--serve', '--port', '70000'], /^error: --port expects a port number from 0 to 65535 \(0: any free port\), got '70000'\n$/],
    ['a bad bound', ['--group', 'fake', '--out', join(dir, 'b.html'), '--max-states', '0'], /^error: --max-states expects a positive integer, got '0'\n$/],
    ['--jobs above 4 per core', ['--group', 'fake', '--out', join(dir, 'f.html'), '--jobs', '9999'], /^error: --jobs 9999 is more than this machine can use: at most \d+ \(4 per core, \d+ cores?\)\n$/],
    ['--workers above 4 per core', ['--group', 'fake', '--out', join(dir, 'g.html'), '--workers', '9999'], /^error: --workers 9999 is more than this machine can use: at most \d+ \(4 per core, \d+ cores?\)\n$/],
    ['a selection that matches nothing', ['--group', 'nothing', '--out', join(dir, 'c.html')], /^error: no registered run has group=nothing; expected group to be one of: fake\n$/],
    ['an unknown option', ['--out', join(dir, 'd.html'), '--colour'], /^error: unknown option '--colour'\n$/],
    ['an argument', ['page.html'], /^error: too many arguments.*; explore takes options only \(see --help\)\n$/],
  ];
  for (const [what, argv, message] of cases) {
    it(what, async () => {
      const r = await run(argv);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.split('\n').length).toBe(2);
      expect(r.stdout).toBe('');
    });
  }
  it('leaves the existing file as it was, and writes no other file', () => {
    expect(readFileSync(existing, 'utf8')).toBe('keep me');
    expect(readdirSync(dir)).toEqual(['existing.html']);
  });
  it('--serve on a port in use: one line, exit 2, before any run (was: an internal error after them)', async () => {
    const held = createServer();
    await new Promise<void>((resolve) => held.listen(0, '127.0.0.1', resolve));
    const port = (held.address() as AddressInfo).port;
    try {
      let ran = 0;
      const registry = fakeRegistry();
      const counted = { ...registry, runs: registry.runs.map((r) => ({ ...r, build: () => (ran++, r.build()) })) };
      const r = await run(['--group', 'fake', '--serve', '--port', String(port)], counted);
      expect(r).toEqual({ code: 2, stdout: '', stderr: `error: --serve: cannot listen on 127.0.0.1:${port} (the port is in use)\n` });
      expect(ran).toBe(0);
    } finally {
      held.close();
    }
  });
  it("a scenario the matrix does not have lists the ones it has (the check's own selection)", async () => {
    const r = await run(['--scenario', 'nope', '--out', join(dir, 'e.html')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('error: no registered run has scenario=nope; expected scenario to be one of: two-holders, slow-start\n');
  });
});

describe('--out', () => {
  const page = join(dir, 'page.html');
  it('writes one self-contained page, through a temporary name, with the check\'s summary and exit code', async () => {
    const r = await run(['--group', 'fake', '--out', page, '--no-timing']);
    expect(r.code).toBe(0);
    const html = readFileSync(page, 'utf8');
    expect(r.stdout).toBe(`6 runs, all as declared: 2 find the violations declared for them, 4 hold every property\nwrote ${page} (${Buffer.byteLength(html)} bytes)\n`);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    // Nothing is loaded from elsewhere: no external script, style sheet, image, font or frame.
    expect(html).not.toMatch(/<script[^>]+src=|<link\b|<img\b|<iframe\b|@import|url\(\s*['"]?https?:/i);
    expect(html).toContain(`content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; connect-src 'none'"`);
    expect(html.match(/<script>/g)).toHaveLength(1);
    const json = html.slice(html.indexOf('<script id="explorer-data" type="application/json">') + 51, html.indexOf('</script>'));
    const data = JSON.parse(json);
    expect(data.matrix.variants).toEqual(['orig', 'fix-timer-ref', 'fixed']);
    expect(data.selection).toBe('--group fake');
    expect(data.timeMs).toBeUndefined();
  });

  it('gives the same bytes on every run with --no-timing, and overwrites only with --force', async () => {
    const first = readFileSync(page, 'utf8');
    expect((await run(['--group', 'fake', '--out', page, '--no-timing'])).code).toBe(2);
    const again = await run(['--group', 'fake', '--out', page, '--no-timing', '--force']);
    expect(again.code).toBe(0);
    expect(readFileSync(page, 'utf8')).toBe(first);
  });

  it('exits 1 when a result is not as declared, and writes the page all the same', async () => {
    const registry = fakeRegistry();
    const runs = registry.runs.map((r) => (r.tags.variant === 'fixed' ? { ...r, expect: { violated: ['CountNonNegative'] } } : r));
    const out = join(dir, 'differs.html');
    const r = await run(['--group', 'fake', '--out', out, '--no-timing'], { models: [], runs });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^6 runs, 2 not as declared: fake\/two-holders\/spin-lock\/tso\/fixed, fake\/slow-start\/spin-lock\/tso\/fixed\n/);
    const html = readFileSync(out, 'utf8');
    expect(html).toContain('"asDeclared":false');
  });
});

describe('--serve', () => {
  /** Starts `explore --serve --port 0` in its own process; resolves with its URL once it prints it. */
  function serve(args: string[]) {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli-explore.ts', ...args, '--serve', '--port', '0', '--no-timing'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stderr.on('data', (b) => (err += b));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const url = new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (b) => {
        out += b;
        const m = /serving the explorer at (http:\/\/127\.0\.0\.1:(\d+)\/) \(SIGINT or SIGTERM stops it\)\n/.exec(out);
        if (m) resolve(m[1]);
      });
      child.on('exit', () => reject(new Error(`explore --serve exited before serving: ${err}`)));
    });
    return { child, url, exited, output: () => out };
  }

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`serves the page on 127.0.0.1 (port 0: any free port) and stops on ${signal}`, async () => {
      const s = serve(['--model', 'peterson', '-p', 'buggy=true']);
      try {
        const url = await s.url;
        expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
        expect(Number(new URL(url).port)).toBeGreaterThan(0);
        const res = await fetch(url);
        expect(res.status).toBe(200);
        expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
        const html = await res.text();
        expect(html).toContain('"id":"peterson-buggy"');
        expect((await fetch(new URL('/other', url))).status).toBe(404);
        expect((await fetch(url, { method: 'POST' })).status).toBe(405);
        s.child.kill(signal);
        expect(await s.exited).toBe(0);
        expect(s.output()).toMatch(/^listening at (http:\/\/127\.0\.0\.1:\d+\/): the page is served once the runs are done\n1 run, all as declared: 1 finds the violations declared for it\nserving the explorer at \1 /);
        await expect(fetch(url)).rejects.toThrow();
      } finally {
        if (s.child.exitCode === null) s.child.kill('SIGKILL');
      }
    });
  }

  it('listens before the page is ready: 503 until it is shown, then the page', async () => {
    const listening = await listenPage(0);
    try {
      const before = await fetch(listening.url);
      expect([before.status, before.headers.get('retry-after'), await before.text()]).toEqual([503, '5', 'the explorer is still running its checks; reload in a moment\n']);
      listening.show('<p>page</p>');
      const after = await fetch(listening.url);
      expect([after.status, await after.text()]).toEqual([200, '<p>page</p>']);
    } finally {
      await listening.close();
    }
  });

  it('writes the page and serves the same bytes when given --out too', async () => {
    const out = join(dir, 'served.html');
    const s = serve(['--model', 'peterson', '-p', 'buggy=true', '--out', out]);
    try {
      const html = await (await fetch(await s.url)).text();
      expect(existsSync(out)).toBe(true);
      expect(html).toBe(readFileSync(out, 'utf8'));
    } finally {
      s.child.kill('SIGTERM');
      await s.exited;
    }
  });
});
