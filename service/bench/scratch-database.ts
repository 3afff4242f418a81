// A PostgreSQL database made for one run (CREATE DATABASE on the server, DROP … WITH (FORCE) afterwards), for
// what runs in other processes: they are given its URL, where a private schema could not be passed.
import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** A fresh database and its URL; `drop()` removes it, closing whatever is still connected. */
export interface ScratchDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

/** Creates an empty database named after `label` on the server of `serverUrl`. */
export async function createScratchDatabase(serverUrl: string, label: string): Promise<ScratchDatabase> {
  const name = `beats_${label}_${process.pid}_${randomBytes(4).toString('hex')}`;
  await runOnServer(serverUrl, `CREATE DATABASE "${name}"`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), name, drop: () => runOnServer(serverUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`) };
}

async function runOnServer(serverUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  client.on('error', () => undefined);
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
