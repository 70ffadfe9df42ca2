#!/usr/bin/env node
import { enableCompileCache } from 'node:module';
import { availableParallelism } from 'node:os';

// Password hashes (argon2id, memory-hard) run on libuv's thread pool, four threads by default. More hashing
// threads than cores only thrash the caches and starve the event loop and the database: on two cores,
// logins/s went from ~74 % to ~87 % of the raw hash rate with a pool the size of the machine
// (docs/performance.md). Set before anything uses the pool; an operator's own UV_THREADPOOL_SIZE wins.
process.env['UV_THREADPOOL_SIZE'] ??= String(Math.max(2, availableParallelism()));

// The entry point stays tiny so Node's on-disk compile cache is on before any heavy module loads:
// it roughly halves module loading on every later start (measured 0.7 → 0.4 s, docs/performance.md).
enableCompileCache();
const { runCli } = await import('./cli-commands.ts');
await runCli(process.argv.slice(2), process.env);
