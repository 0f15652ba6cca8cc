/**
 * A load generator in its own process (`--import tsx <script>`), spoken to in JSON lines: the init on stdin, then
 * `{"ready":true}`; `{"go":true}`, then `progress` lines and one `result` (or `error`). Used by the memory and soak
 * benchmarks, whose generators (memory-load.ts, soak-load.ts) follow this protocol.
 */
import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';

export interface LoadProcess<Progress, Result> {
  go(onProgress: (p: Progress) => void): Promise<Result>;
  close(): void;
}

export async function startLoadProcess<Progress, Result>(script: string, init: unknown): Promise<LoadProcess<Progress, Result>> {
  const child: ChildProcessByStdio<Writable, Readable, null> = spawn(process.execPath, ['--import', 'tsx', script], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let onLine: (msg: Record<string, unknown>) => void = () => {};
  let onExit: (err: Error) => void = () => {};
  child.on('exit', (code, signal) => onExit(new Error(`the load generator exited (code ${String(code)}, signal ${String(signal)})`)));
  createInterface({ input: child.stdout, crlfDelay: Infinity }).on('line', (line) => {
    if (line.startsWith('{')) onLine(JSON.parse(line) as Record<string, unknown>);
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the load generator did not start within 30 s')), 30_000);
    onLine = (msg) => {
      if (msg.ready === true) {
        clearTimeout(timer);
        resolve();
      }
    };
    onExit = reject;
    child.stdin.write(`${JSON.stringify(init)}\n`);
  });
  return {
    go: (onProgress) =>
      new Promise<Result>((resolve, reject) => {
        onExit = reject;
        onLine = (msg) => {
          if (msg.kind === 'progress') onProgress(msg as unknown as Progress);
          else if (msg.kind === 'result') resolve(msg as unknown as Result);
          else if (msg.kind === 'error') reject(new Error(`the load generator failed: ${String(msg.message)}`));
        };
        child.stdin.write(`${JSON.stringify({ go: true })}\n`);
      }),
    close() {
      child.stdin.end();
      if (child.exitCode === null && child.signalCode === null) child.kill();
    },
  };
}
