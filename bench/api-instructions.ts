import { execFile, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { commandMix } from './command-mix';
import { HttpConnection } from './http-connection';
import { CONCURRENCY } from './write-path';

const run = promisify(execFile);

/** Commands sent first, uncounted, until V8 has compiled the hot code (fewer leave compilation in the count). */
export const INSTRUCTION_WARMUP = Number(process.env.BENCH_INSTRUCTION_WARMUP ?? 30_000);
/** Commands counted. */
export const INSTRUCTION_COMMANDS = Number(process.env.BENCH_INSTRUCTION_COMMANDS ?? 6_000);

/**
 * Instructions the API process executes per HTTP command (BENCH_ONLY=instructions, issue 22): the write path's
 * commands (`commandMix`, CONCURRENCY clients) against the API process run under valgrind's callgrind, counted only
 * while the measured commands run (`callgrind_control --instr=on/off`). The database, the clients and the kernel are
 * left out. The count on the main thread, where every request is handled in turn, depends little on the machine's
 * speed: five runs of one build counted 570–600 thousand (±3 %; what V8 compiles and collects when, and how many
 * appends share a call, still vary), where the API's CPU time per command moved ±15 % between runs. So a few runs of
 * each of two builds tell a change of a few per cent to what a command costs, where the rates need many. Needs
 * valgrind; takes 2–3 minutes.
 */
export async function benchmarkApiInstructions(databaseUrl: string): Promise<void> {
  try {
    await run('valgrind', ['--version']);
  } catch {
    console.log('Instructions per command: skipped, valgrind is not installed (apt-get install valgrind)\n');
    return;
  }
  const folder = mkdtempSync(join(tmpdir(), 'zhenggai-callgrind-'));
  const server = spawn(
    'valgrind',
    [
      '--tool=callgrind',
      '--instr-atstart=no',
      '--separate-threads=yes',
      `--callgrind-out-file=${join(folder, 'callgrind.out')}`,
      `--log-file=${join(folder, 'valgrind.log')}`,
      process.execPath,
      join(__dirname, 'api-instructions-server.js'),
    ],
    {
      env: {
        ...process.env,
        BENCH_SERVER_DATABASE_URL: databaseUrl,
        BENCH_SERVER_JWT_SECRET: randomUUID() + randomUUID(),
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const exited = new Promise<number | null>((resolve) => server.once('exit', resolve));
  const connections: HttpConnection[] = [];
  try {
    const port = await new Promise<number>((resolve, reject) => {
      let output = '';
      server.stdout!.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const ready = /READY (\d+)/.exec(output);
        if (ready) resolve(Number(ready[1]));
      });
      void exited.then((code) => reject(new Error(`the API process under valgrind exited with ${code}`)));
    });
    for (let i = 0; i < CONCURRENCY; i++) connections.push(await HttpConnection.open('127.0.0.1', port));
    const loop = await commandMix(connections);
    const send = async (count: number): Promise<number> => {
      let left = count;
      let sent = 0;
      const each = <T>(command: () => Promise<T>) => {
        left--;
        sent++;
        return command();
      };
      await Promise.all(
        connections.map(async (_, client) => {
          while (left > 0) await loop(client, each);
        }),
      );
      return sent;
    };
    const warmupStarted = Date.now();
    const warmedUp = await send(INSTRUCTION_WARMUP);
    const warmupSeconds = (Date.now() - warmupStarted) / 1000;
    await run('callgrind_control', ['--instr=on', String(server.pid)]);
    const counted = await send(INSTRUCTION_COMMANDS);
    await run('callgrind_control', ['--instr=off', String(server.pid)]);
    for (const connection of connections.splice(0)) connection.close();
    server.kill('SIGTERM');
    await exited;
    const { main, all } = countsOf(folder);
    console.log(
      `API process, instructions per HTTP command (callgrind; ${counted} commands counted after ${warmedUp} to warm ` +
        `up, ${warmupSeconds.toFixed(0)} s): ${(main / counted / 1000).toFixed(1)} thousand on its main thread ` +
        `(the event loop), ${(all / counted / 1000).toFixed(1)} thousand with V8's and libuv's threads\n`,
    );
  } finally {
    for (const connection of connections) connection.close();
    if (server.exitCode === null) server.kill('SIGKILL');
    rmSync(folder, { recursive: true, force: true });
  }
}

/**
 * The instructions callgrind counted (`--separate-threads=yes`: a file per thread, each with its `totals:`), on the
 * main thread (thread 1, the event loop, where every request is handled in turn) and on all threads (V8's compiler
 * and garbage collector helpers too, whose share depends on when their work happens to fall).
 */
function countsOf(folder: string): { main: number; all: number } {
  let main = 0;
  let all = 0;
  for (const file of readdirSync(folder).filter((name) => /^callgrind\.out-\d+$/.test(name))) {
    const text = readFileSync(join(folder, file), 'utf8');
    const totals = Number(/^totals: (\d+)/m.exec(text)?.[1] ?? 0);
    all += totals;
    if (/^thread: 1$/m.test(text)) main = totals;
  }
  if (main === 0) throw new Error('callgrind counted nothing on the main thread');
  return { main, all };
}
