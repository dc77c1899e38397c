/** The store contract on the SQLite store, over a real file in a temporary folder. */
import { MIGRATIONS } from '../../src/controlplane/store/sqlite/migrations.js';
import { openSqliteControlPlaneStore } from '../../src/controlplane/store/sqlite/SqliteControlPlaneStore.js';
import { tempDir } from '../support/tempDir.js';
import { describeControlPlaneStoreContract } from './controlPlaneStore.contract.js';

describeControlPlaneStoreContract('SQLite', {
  open: async () => openSqliteControlPlaneStore(tempDir()),
  openWrittenByNewerVersion: async () => {
    const stateDir = tempDir();
    const newer = [...MIGRATIONS, { version: MIGRATIONS.length + 1, description: 'from the future', sql: 'SELECT 1;' }];
    await openSqliteControlPlaneStore(stateDir, { migrations: newer }).close();
    return openSqliteControlPlaneStore(stateDir);
  },
});
