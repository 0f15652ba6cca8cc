/**
 * `parapet rotate-master-key`: re-seals every stored secret with a new master key, working on the store directly
 * like `parapet export` / `import` (SQLite in the data directory, or PostgreSQL with --database). How the switch
 * stays safe across a crash is explained in `../store/master-key-rotation.ts`. Servers must be stopped first.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { RotationResult } from '../server/master-key-rotation.ts';
import { DATABASE_HELP, SCHEMA_HELP, type StoreFlags, storeOptions } from './export-commands.ts';
import type { CliContext } from './output.ts';

interface RotateFlags extends StoreFlags {
  newKeyFile?: string;
}

/** The new key the operator chose, if any: --new-key-file wins over PARAPET_NEW_MASTER_KEY. */
async function requestedKey(o: RotateFlags): Promise<Buffer | undefined> {
  const { parseNewKey } = await import('../server/master-key-rotation.ts');
  if (o.newKeyFile !== undefined) return parseNewKey(readFileSync(o.newKeyFile, 'utf8'), `--new-key-file ${o.newKeyFile}`);
  const env = process.env.PARAPET_NEW_MASTER_KEY;
  return env ? parseNewKey(env, 'PARAPET_NEW_MASTER_KEY') : undefined;
}

function countsLine(r: RotationResult): string {
  const perTable = Object.entries(r.perTable).map(([t, n]) => `${t} ${n}`).join(', ');
  const already = r.alreadyNext ? `; ${r.alreadyNext} were already sealed with it (an interrupted rotation finished)` : '';
  return `re-encrypted ${r.resealed} secrets with the new master key in one transaction (${perTable})${already}; all ${r.verified} open with the new key`;
}

function fileModeAdvice(r: RotationResult): string {
  return [
    `the new master key is in ${r.keyFile}; the previous one is kept in ${r.oldKeyFile}`,
    'next:',
    '  - replicas on the same PostgreSQL store: copy the new master.key into each one\'s data directory before starting it',
    `  - ${r.oldKeyFile}: servers no longer need it. Keep it (offline) only while you may import exports made before now`,
    '    (parapet import FILE --source-key-file master.key.old), then delete it (e.g. shred -u)',
    '  - web console sign-ins made before now have ended: sign in again',
  ].join('\n');
}

function envModeAdvice(key: Buffer): string {
  return [
    'the new master key (shown once; Parapet keeps no copy of it):',
    `  PARAPET_MASTER_KEY=${key.toString('hex')}`,
    'set PARAPET_MASTER_KEY to it on every replica (and in the secret store it comes from) before starting them: the old',
    'value no longer opens the secrets. Keep the old value only while you may import exports made before now',
    '(parapet import FILE --source-key-file <a file holding it>). Web console sign-ins made before now have ended.',
  ].join('\n');
}

export function addRotateMasterKeyCommand(program: Command, ctx: CliContext): void {
  program
    .command('rotate-master-key')
    .description(
      're-encrypt every stored secret (access keys, STS sessions) with a new master key in one transaction, then replace ' +
        '<data-dir>/master.key (the old one is kept as master.key.old) — or, with PARAPET_MASTER_KEY, show the new key once. ' +
        'Stop every server on the store first; if interrupted, run it again to finish',
    )
    .option('--database <url>', DATABASE_HELP)
    .option('--database-schema <name>', SCHEMA_HELP)
    .option('--new-key-file <file>', 'the new key (64 hex characters or base64 of 32 bytes; default: PARAPET_NEW_MASTER_KEY, else a random one)')
    .action(async (o: RotateFlags) => {
      const { describeStore } = await import('../server/backup.ts');
      const { rotateMasterKey } = await import('../server/master-key-rotation.ts');
      const so = storeOptions(ctx, o);
      const newKey = await requestedKey(o);
      process.umask(0o077); // the staged and renamed key files are private to this user, like `serve`'s
      const where = describeStore(so);
      const r = await rotateMasterKey(
        {
          dataDir: so.dataDir,
          ...(so.database ? { database: so.database } : {}),
          ...(so.databaseSchema ? { databaseSchema: so.databaseSchema } : {}),
          ...(so.masterKey !== undefined ? { masterKeyEnv: so.masterKey } : {}),
        },
        // Environment mode: the key is printed (and flushed) before the staged copy is removed.
        { ...(newKey ? { newKey } : {}), reveal: (key, result) => writeOut(report(ctx, where, result, key)) },
      );
      if (r.mode === 'file') await writeOut(report(ctx, where, r));
    });
}

function writeOut(text: string): Promise<void> {
  return new Promise((res, rej) => process.stdout.write(text, (e) => (e ? rej(e) : res())));
}

/** What the command prints: JSON with `-o json`, else the counts and what to do next. */
function report(ctx: CliContext, store: string, r: RotationResult, newKey?: Buffer): string {
  if (ctx.gopts().output === 'json')
    return `${JSON.stringify({ store, ...r, ...(newKey ? { newMasterKey: newKey.toString('hex') } : {}) }, null, 2)}\n`;
  const resumed = r.resumed ? 'finished an interrupted rotation (master.key.new)\n' : '';
  return `${resumed}${countsLine(r)} in ${store}\n${newKey ? envModeAdvice(newKey) : fileModeAdvice(r)}\n`;
}
