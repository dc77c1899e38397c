/**
 * The store contract on the PostgreSQL store, against a real PostgreSQL 15 server started for this
 * file (test/support/postgresServer.ts) and stopped after it; every store the contract opens gets a
 * new database of its own.
 */
import { afterAll, beforeAll } from 'vitest';
import { POSTGRES_MIGRATIONS } from '../../src/controlplane/store/postgres/migrations.js';
import { openPostgresControlPlaneStore } from '../../src/controlplane/store/postgres/PostgresControlPlaneStore.js';
import { startPostgresServer, type PostgresServer } from '../support/postgresServer.js';
import { describeControlPlaneStoreContract } from './controlPlaneStore.contract.js';

let server: PostgresServer;
beforeAll(async () => {
  server = await startPostgresServer();
});
afterAll(async () => {
  await server?.stop();
});

describeControlPlaneStoreContract('PostgreSQL', {
  open: async () => openPostgresControlPlaneStore(await server.createDatabase()),
  openWrittenByNewerVersion: async () => {
    const url = await server.createDatabase();
    const newer = [
      ...POSTGRES_MIGRATIONS,
      { version: POSTGRES_MIGRATIONS.length + 1, description: 'from the future', sql: 'SELECT 1;' },
    ];
    await (await openPostgresControlPlaneStore(url, { migrations: newer })).close();
    return openPostgresControlPlaneStore(url);
  },
});
