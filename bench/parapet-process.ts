/**
 * Runs `parapet serve` as its own process, the way it is deployed (bin/parapet.mjs, the same flags), for the
 * benchmarks that must not share an event loop with the server: it resolves once the start banner names the URL,
 * with the bootstrapped credentials (credentials.json in the data directory) and the process id (for RSS).
 */
import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';

export interface ParapetCredentials {
  accounts: Array<{ accountId: string; name: string; role: 'management' | 'member'; accessKeyId: string; secretAccessKey: string }>;
  region: string;
}

export interface ParapetProcess {
  url: string;
  pid: number;
  credentials: ParapetCredentials;
  /** SIGTERM, then SIGKILL after 5 s; resolves when the process has exited. */
  close(): Promise<void>;
}

export interface ParapetProcessOptions {
  dataDir: string;
  /** Extra `serve` flags, e.g. ['--no-quotas', '--models', file, '--database', url]. */
  args?: string[];
  env?: Record<string, string>;
  /** Node flags for the server process, e.g. ['--cpu-prof']. */
  nodeArgs?: string[];
  startTimeoutMs?: number;
}

const BIN = fileURLToPath(new URL('../bin/parapet.mjs', import.meta.url));
const BANNER_RE = /Parapet is listening on (http:\/\/\S+)/;

export interface ServerProcess {
  pid: number;
  /** What `ready` matched in the process's output. */
  ready: RegExpExecArray;
  /** SIGTERM, then SIGKILL after 5 s; resolves when the process has exited. */
  close(): Promise<void>;
}

/**
 * Spawns a Node server (`argv` after the node binary) and resolves once its output matches `ready`; rejects when
 * it exits first or takes longer than `timeoutMs`. Its pipes are drained for its whole life (a full pipe would
 * stall it).
 */
export async function startServerProcess(
  name: string,
  argv: string[],
  env: Record<string, string>,
  ready: RegExp,
  timeoutMs: number,
): Promise<ServerProcess> {
  const child: ChildProcessByStdio<null, Readable, Readable> = spawn(process.execPath, argv, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const match = await new Promise<RegExpExecArray>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start within ${timeoutMs} ms:\n${output}`)), timeoutMs);
    const onData = (d: Buffer) => {
      output += d.toString('utf8');
      const m = ready.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(m);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`${name} exited before listening:\n${output}`));
    });
  });
  child.stdout.on('data', () => {});
  child.stderr.on('data', () => {});
  return {
    pid: child.pid ?? 0,
    ready: match,
    async close() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

export async function startParapetProcess(o: ParapetProcessOptions): Promise<ParapetProcess> {
  const proc = await startServerProcess(
    'parapet serve',
    [...(o.nodeArgs ?? []), BIN, '--data-dir', o.dataDir, 'serve', '--port', '0', ...(o.args ?? [])],
    { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...o.env },
    BANNER_RE,
    o.startTimeoutMs ?? 60_000,
  );
  const credentials = JSON.parse(readFileSync(join(o.dataDir, 'credentials.json'), 'utf8')) as ParapetCredentials;
  return { url: proc.ready[1] ?? '', pid: proc.pid, credentials, close: proc.close };
}

/** The resident set size of a process, from /proc (Linux), in bytes. */
export function rssOf(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m?.[1] ? Number(m[1]) * 1024 : Number.NaN;
}
