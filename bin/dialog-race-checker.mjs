#!/usr/bin/env node
// The command of the installed package (npx dialog-race-checker ...). The
// checker is TypeScript run as it is: tsx (a dependency) compiles each module
// as it is loaded, the same way `npx tsx src/cli.ts` runs it in the
// repository, and so is a user's --model-file. The job processes and worker
// threads run a bundle of the same sources made with esbuild (also a
// dependency; src/engine/worker-bundle.ts), or tsx when none can be made.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 6)) {
  process.stderr.write(`error: dialog-race-checker needs Node 20.6 or later (this is ${process.versions.node})\n`);
  process.exit(2);
}
// Both of tsx's hooks, as `npx tsx` registers them: a user's model file in a
// folder whose package.json does not say "type": "module" is CommonJS.
(await import('tsx/esm/api')).register();
(await import('tsx/cjs/api')).register();
const { runAsProcess } = await import('../src/cli.ts');
runAsProcess(process.argv.slice(2));
