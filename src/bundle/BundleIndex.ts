/**
 * What the control plane knows of a stored bundle without reading its archive again: the paths and
 * sizes of its regular files and the fields of its root package.json that say which module runs
 * (`main`) and how Node loads `.js` files (`type`). Made in the same pass as the upload check, kept
 * beside the archive (it never changes: the archive is named by its sha256), and enough to refuse
 * an entry whose module the bundle lacks without touching the archive.
 */
import { InvalidArgumentError } from '../common/errors.js';

/** The index of one bundle. */
export interface BundleIndex {
  /** Regular files, by normalized path (`a/b.js`), with their sizes in bytes. */
  files: ReadonlyMap<string, number>;
  /**
   * The root package.json's `main` and `type` (as written, whatever their JSON type), or why it
   * cannot be read; undefined when the bundle has none.
   */
  packageJson?: { main?: unknown; type?: unknown } | { unreadable: string };
}

/** The format version written; an index of another version is made again from the archive. */
const VERSION = 1;

/** The index of a bundle whose root package.json has `packageJsonText` (undefined: none). */
export function bundleIndex(files: ReadonlyMap<string, number>, packageJsonText: string | undefined): BundleIndex {
  if (packageJsonText === undefined) return { files };
  try {
    const parsed = JSON.parse(packageJsonText) as unknown;
    const fields = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
    return { files, packageJson: { main: fields.main, type: fields.type } };
  } catch (error) {
    return { files, packageJson: { unreadable: (error as Error).message } };
  }
}

/** The index as bytes to keep. */
export function encodeBundleIndex(index: BundleIndex): Buffer {
  return Buffer.from(JSON.stringify({ version: VERSION, files: [...index.files], packageJson: index.packageJson }));
}

/** The index kept as `bytes`; INVALID_ARGUMENT when they are not an index of this version. */
export function decodeBundleIndex(bytes: Uint8Array): BundleIndex {
  const document = JSON.parse(Buffer.from(bytes).toString('utf8')) as {
    version?: unknown;
    files?: unknown;
    packageJson?: BundleIndex['packageJson'];
  };
  if (document.version !== VERSION || !Array.isArray(document.files))
    throw new InvalidArgumentError(`not a bundle index of version ${VERSION}`);
  return { files: new Map(document.files as [string, number][]), packageJson: document.packageJson };
}
