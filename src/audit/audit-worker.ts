/**
 * The audit writer's thread: its own SQLite connection to the store's file, appending the batches the gateway
 * posts (hashing included), so that work never runs on the event loop that answers requests. Appends still
 * serialize with every other writer through SQLite's write lock and read the chain head inside their
 * transaction, so the chain stays one chain.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { isServiceError } from '../core/errors.ts';
import { openSqliteStore } from '../store/sqlite/index.ts';
import type { AuditEntry, SecretCipher } from '../store/types.ts';

interface Request {
  id: number;
  entries: AuditEntry[];
}

/** The audit trail holds no secrets: a cipher that is never needed, and says so if it ever is. */
const noSecrets: SecretCipher = {
  encrypt() {
    throw new Error('the audit writer thread handles no secrets');
  },
  decrypt() {
    throw new Error('the audit writer thread handles no secrets');
  },
};

const { filename } = workerData as { filename: string };
const store = await openSqliteStore({ filename, cipher: noSecrets });
const port = parentPort;
if (!port) throw new Error('audit-worker.ts must run as a worker thread');

port.on('message', (msg: Request | 'close') => {
  if (msg === 'close') {
    void store.close().then(() => port.close());
    return;
  }
  store.audit.appendMany(msg.entries).then(
    (records) => port.postMessage({ id: msg.id, records }),
    (err: unknown) =>
      port.postMessage({
        id: msg.id,
        error: { message: err instanceof Error ? err.message : String(err), code: isServiceError(err) ? err.code : undefined },
      }),
  );
});
port.postMessage({ ready: true });
