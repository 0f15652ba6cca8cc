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

/** How a `parapet serve` process ended. */
export interface ServeExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** `parapet serve` on a fixed port, with control over how it ends (for the soak's restarts). */
export interface ParapetServe extends ParapetProcess {
  port: number;
  /** Resolves when the process has exited, however it ended (a crash included). */
  exited: Promise<ServeExit>;
  /** Sends `signal` (SIGTERM: graceful; SIGKILL: a crash) and resolves with how the process ended. */
  stop(signal: 'SIGTERM' | 'SIGKILL'): Promise<ServeExit>;
  /** The last 64 KiB of its stdout and stderr. */
  output(): string;
}

/** A TCP port free on 127.0.0.1 right now (bound, then released). */
export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise<number>((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const address = s.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/**
 * Starts `parapet serve --port <port>` (the same data directory and flags may be started again after it ends:
 * a restart), resolving once the start banner is out. Unlike startParapetProcess, the caller chooses the port and
 * how the process ends, and can watch for an exit it did not cause.
 */
export async function startParapetServe(
  o: ParapetProcessOptions & { port: number; /** Every line the process writes (stdout and stderr). */ onLine?: (line: string) => void },
): Promise<ParapetServe> {
  const child: ChildProcessByStdio<null, Readable, Readable> = spawn(
    process.execPath,
    [...(o.nodeArgs ?? []), BIN, '--data-dir', o.dataDir, 'serve', '--port', String(o.port), ...(o.args ?? [])],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...o.env } },
  );
  let output = '';
  const partial = { stdout: '', stderr: '' };
  const keep = (stream: 'stdout' | 'stderr') => (d: Buffer) => {
    const text = d.toString('utf8');
    output += text;
    if (output.length > 128 * 1024) output = output.slice(-64 * 1024);
    if (!o.onLine) return;
    const lines = (partial[stream] + text).split('\n');
    partial[stream] = lines.pop() ?? '';
    for (const l of lines) o.onLine(l);
  };
  child.stdout.on('data', keep('stdout'));
  child.stderr.on('data', keep('stderr'));
  const exited = new Promise<ServeExit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const timeoutMs = o.startTimeoutMs ?? 60_000;
  const url = await new Promise<string>((resolve, reject) => {
    const deadline = Date.now() + timeoutMs;
    let done = false;
    const poll = setInterval(() => {
      const m = BANNER_RE.exec(output);
      if (m?.[1]) {
        done = true;
        clearInterval(poll);
        resolve(m[1]);
      } else if (Date.now() > deadline) {
        clearInterval(poll);
        child.kill('SIGKILL');
        reject(new Error(`parapet serve did not start within ${timeoutMs} ms:\n${output.slice(-4000)}`));
      }
    }, 20);
    void exited.then((e) => {
      if (done) return;
      clearInterval(poll);
      reject(new Error(`parapet serve exited before listening (code ${String(e.code)}, signal ${String(e.signal)}):\n${output.slice(-4000)}`));
    });
  });
  const credentials = JSON.parse(readFileSync(join(o.dataDir, 'credentials.json'), 'utf8')) as ParapetCredentials;
  const alive = () => child.exitCode === null && child.signalCode === null;
  const stop = async (signal: 'SIGTERM' | 'SIGKILL'): Promise<ServeExit> => {
    if (alive()) child.kill(signal);
    return exited;
  };
  return {
    url,
    port: o.port,
    pid: child.pid ?? 0,
    credentials,
    exited,
    stop,
    output: () => output.slice(-64 * 1024),
    async close() {
      if (!alive()) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
