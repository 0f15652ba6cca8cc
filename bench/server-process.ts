/**
 * A Parapet server in its own process, for benchmarks whose load generator must not share its event loop (nor
 * its CPU profile). The ServeOptions come as JSON in argv[2]; once listening it prints one JSON line
 * `{ "url", "credentials", "database", "pid" }` on stdout. After that, stdin takes one JSON command per line and
 * each is answered by one JSON line:
 *
 *   {"cmd":"audit"}   → {"head": newest seq once the queued records are written, "verify": chain verification}
 *   {"cmd":"count","afterSeq":n,"action":"bedrock:ApplyGuardrail"}
 *                     → {"total": records after n, "matching": of which with that action}
 *   {"cmd":"cpu"}     → {"userMs","systemMs"} of this process so far (all threads); "activeMs": how long its
 *                       event loop (the main thread, which answers every call) has been busy (wall time); and on
 *                       Linux "mainCpuMs": the CPU time of that thread alone — to price a run
 *   {"cmd":"close"}   → {"closed":true}, then the process exits (cleanly: `--cpu-prof` writes its profile)
 *
 *   node --import tsx bench/server-process.ts '{"port":0,"dataDir":"/tmp/x","quotas":{"disabled":true}}'
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { type ServeOptions, startServer, type RunningServer } from '../src/server/serve.ts';

/** What the parent reads from the first stdout line. */
export interface ServerProcessReady {
  url: string;
  credentials: RunningServer['credentials'];
  database: string;
  pid: number;
}

export type ServerCommand = { cmd: 'audit' } | { cmd: 'count'; afterSeq: number; action: string } | { cmd: 'cpu' } | { cmd: 'close' };

/** Records read per page while counting (the store's list is newest-first unless `afterSeq` is given). */
const PAGE = 1000;

/** The newest audit sequence number, after the gateway wrote everything it had queued. */
async function auditHead(server: RunningServer): Promise<number> {
  await server.gateway.drain();
  return (await server.services.store.audit.list({ limit: 1 }))[0]?.seq ?? 0;
}

/** How many records follow `afterSeq`, and how many of those are `action`: one page at a time, oldest first. */
async function countAfter(server: RunningServer, afterSeq: number, action: string): Promise<{ total: number; matching: number }> {
  await server.gateway.drain();
  let total = 0;
  let matching = 0;
  for (let seq = afterSeq; ; ) {
    const page = await server.services.store.audit.list({ afterSeq: seq, limit: PAGE });
    for (const r of page) {
      total++;
      if (r.action === action) matching++;
      seq = Math.max(seq, r.seq);
    }
    if (page.length < PAGE) return { total, matching };
  }
}

/** Clock ticks per second of /proc's CPU times (USER_HZ: 100 on every Linux this runs on). */
const USER_HZ = 100;

/**
 * CPU time (user + system) of the main thread alone, from /proc (Linux; undefined elsewhere). Unlike the event
 * loop's busy time it does not grow while the thread waits for a core, so it still prices a call when other
 * work shares the machine.
 */
function mainThreadCpuMs(): number | undefined {
  try {
    const stat = readFileSync(`/proc/${process.pid}/task/${process.pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces, hence the last ')'): utime is the 12th, stime the 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / USER_HZ;
  } catch {
    return undefined;
  }
}

async function answer(server: RunningServer, c: ServerCommand): Promise<unknown> {
  switch (c.cmd) {
    case 'audit':
      return { head: await auditHead(server), verify: await server.services.store.audit.verify() };
    case 'count':
      return countAfter(server, c.afterSeq, c.action);
    case 'cpu': {
      const u = process.cpuUsage();
      const main = mainThreadCpuMs();
      return {
        userMs: u.user / 1000,
        systemMs: u.system / 1000,
        activeMs: performance.eventLoopUtilization().active,
        ...(main !== undefined ? { mainCpuMs: main } : {}),
      };
    }
    case 'close':
      await server.close();
      return { closed: true };
  }
}

async function main(): Promise<void> {
  const raw = process.argv[2];
  if (!raw) throw new Error('usage: server-process.ts <ServeOptions as JSON>');
  const server = await startServer(JSON.parse(raw) as ServeOptions);
  const ready: ServerProcessReady = { url: server.url, credentials: server.credentials, database: server.database, pid: process.pid };
  process.stdout.write(`${JSON.stringify(ready)}\n`);
  // Commands are answered one at a time, in order, so the parent can match answers to questions.
  let queue = Promise.resolve();
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  lines.on('line', (line) => {
    if (!line.trim()) return;
    const c = JSON.parse(line) as ServerCommand;
    queue = queue.then(async () => {
      const out = await answer(server, c).catch((err: unknown) => ({ error: err instanceof Error ? err.message : String(err) }));
      process.stdout.write(`${JSON.stringify(out)}\n`);
      if (c.cmd === 'close') process.exit(0);
    });
  });
  // The parent went away without a close: stop cleanly anyway (the profile, the store).
  lines.on('close', () => {
    void queue.then(async () => {
      await server.close().catch(() => undefined);
      process.exit(0);
    });
  });
}

await main();
