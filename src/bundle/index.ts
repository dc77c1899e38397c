/**
 * The bundle rules the control plane, the client, job managers and task executors share: entry
 * checks, archive checks, and the cache that downloads, verifies and unpacks bundles.
 */
export type { BlobSource } from '../blob/BlobSource.js';
export { BundleCache } from './BundleCache.js';
export {
  BUNDLE_CACHE_DEFAULTS,
  compileBundleCacheOptions,
  type BundleCacheOptions,
  type CompiledBundleCacheOptions,
} from './BundleCacheOptions.js';
export { BundleEntryChecker, type BundleEntry, type BundleLimits } from './BundleEntryChecker.js';
export { BundleUriRoots } from './BundleUriRoots.js';
export { checkBundleUri, localBundleFolder } from './localBundleFolder.js';
export { unpackBundle } from './unpackBundle.js';
