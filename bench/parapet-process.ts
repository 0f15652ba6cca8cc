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

export async function startParapetProcess(o: ParapetProcessOptions): Promise<ParapetProcess> {
  const child: ChildProcessByStdio<null, Readable, Readable> = spawn(
    process.execPath,
    [...(o.nodeArgs ?? []), BIN, '--data-dir', o.dataDir, 'serve', '--port', '0', ...(o.args ?? [])],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...o.env } },
  );
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`parapet serve did not start within ${o.startTimeoutMs ?? 60_000} ms:\n${output}`)), o.startTimeoutMs ?? 60_000);
    const onData = (d: Buffer) => {
      output += d.toString('utf8');
      const m = BANNER_RE.exec(output);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`parapet serve exited before listening:\n${output}`));
    });
  });
  // Keep draining the pipes (a full pipe would stall the server); the output stays available for errors.
  child.stdout.on('data', () => {});
  child.stderr.on('data', () => {});
  const credentials = JSON.parse(readFileSync(join(o.dataDir, 'credentials.json'), 'utf8')) as ParapetCredentials;
  return {
    url,
    pid: child.pid ?? 0,
    credentials,
    async close() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** The resident set size of a process, from /proc (Linux), in bytes. */
export function rssOf(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m?.[1] ? Number(m[1]) * 1024 : Number.NaN;
}
