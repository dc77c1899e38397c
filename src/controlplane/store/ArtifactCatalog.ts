/**
 * The control plane's artifact records, as a port: which bundles its {@link ArtifactStore} holds,
 * by sha256, with their size, display file name and first upload time. The store writes a bundle's
 * file and renames it into place first and records it here second, so the catalog may lag the files
 * after a crash; the artifact store brings them back in step when it opens. Asynchronous like every
 * repository of the port, so that a database reached over the network can keep it.
 *
 * @see ../../blob/ArtifactStore.ts, which reads its records from memory and writes through this.
 */
import type { ArtifactRecords } from '../../blob/ArtifactRecords.js';

/**
 * The records of the control plane's artifact store: the blob folder's {@link ArtifactRecords}
 * (find, record keeping an existing record, forget, all), named as the port's repository.
 */
export type ArtifactCatalog = ArtifactRecords;
