/** `parapet serve`: run the gateway in this process until SIGINT/SIGTERM. */
import { parseRegions } from '../core/regions.ts';
import { DEFAULT_PORT, startServer } from '../server/serve.ts';

export async function runServe(o: { port?: string; host: string; dataDir?: string }): Promise<void> {
  const portText = o.port ?? process.env.PARAPET_PORT;
  const port = portText === undefined ? DEFAULT_PORT : Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid port '${portText}'`);
  const dataDir = o.dataDir ?? process.env.PARAPET_DATA_DIR ?? '.parapet';
  process.umask(0o077); // everything the server writes (database, WAL, keys) is private to its user
  const server = await startServer({
    port,
    host: o.host,
    dataDir,
    masterKey: process.env.PARAPET_MASTER_KEY,
    regions: parseRegions(process.env.PARAPET_REGIONS),
    // A first start creates a demo organization (management + team-a in OU Engineering + team-b); PARAPET_DEMO=0 skips it.
    demo: process.env.PARAPET_DEMO !== '0',
    log: process.env.PARAPET_LOG === 'json' ? (l) => process.stdout.write(`${JSON.stringify(l)}\n`) : undefined,
  });
  const out = process.stdout;
  out.write(`Parapet is listening on ${server.url} (HTTP/1.1 and h2c)\n`);
  out.write(`  API:          ${server.url}  (bedrock, bedrock-runtime, organizations, sts, iam; SigV4, Region ${server.credentials.region})\n`);
  out.write(`  Data:         ${server.dataDir} (SQLite)\n`);
  out.write(`  Credentials:  ${server.credentialsPath}\n`);
  if (server.bootstrapped) {
    const mgmt = server.credentials.accounts.find((a) => a.role === 'management');
    if (mgmt) {
      out.write('\nCreated the management account. Its access key is shown once here (also in credentials.json):\n');
      out.write(`  Account ID:         ${mgmt.accountId}\n`);
      out.write(`  AWS_ACCESS_KEY_ID=${mgmt.accessKeyId}\n`);
      out.write(`  AWS_SECRET_ACCESS_KEY=${mgmt.secretAccessKey}\n`);
    }
    const members = server.credentials.accounts.filter((a) => a.role === 'member');
    if (members.length > 0) {
      out.write('\nDemo organization: member accounts (keys in credentials.json; use them with --account NAME):\n');
      for (const m of members) out.write(`  ${m.name.padEnd(10)} ${m.accountId}\n`);
    }
  }
  const stop = async () => {
    await server.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}
