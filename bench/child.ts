/** A benchmark child process: measures the configuration given as JSON in argv[2], prints one JSON line. */
import { measureHere, type BenchConfig } from './measure.js';

const config = JSON.parse(process.argv[2]) as BenchConfig;
process.stdout.write(`${JSON.stringify(await measureHere(config))}\n`);
