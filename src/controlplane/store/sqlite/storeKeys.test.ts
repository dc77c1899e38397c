/** The SQLite store's own keys: made once, kept in its database, so page tokens outlive a restart. */
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../../common/errors.js';
import { tempDir } from '../../../common/testing/tempDir.js';
import { testApplication } from '../../testing/testRecords.js';
import { openSqliteControlPlaneStore } from './SqliteControlPlaneStore.js';

describe('store keys', () => {
  it('keeps the page token key across a restart, and another state dir has another key', async () => {
    const stateDir = tempDir();
    const before = openSqliteControlPlaneStore(stateDir, { groupCommit: false });
    const made = [testApplication(), testApplication(), testApplication()];
    for (const application of made) await before.applications.insert(application);
    const request = { pageSize: 1, pageToken: '', statuses: [], tenant: '' };
    const { nextPageToken } = await before.applications.list(request);
    await before.close();

    const after = openSqliteControlPlaneStore(stateDir, { groupCommit: false });
    const next = await after.applications.list({ ...request, pageToken: nextPageToken });
    expect(next.applications.map((application) => application.id)).toEqual([made[1].id]);
    await after.close();

    const other = openSqliteControlPlaneStore(tempDir(), { groupCommit: false });
    for (const application of made) await other.applications.insert(application);
    await expect(other.applications.list({ ...request, pageToken: nextPageToken })).rejects.toThrow(
      InvalidArgumentError,
    );
    await other.close();
  });
});
