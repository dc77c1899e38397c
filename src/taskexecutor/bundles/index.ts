/** A task executor's bundles: download, verify, check, unpack and cache. */
export type { BlobSource } from './BlobSource.js';
export { BundleCache } from './BundleCache.js';
export {
  BUNDLE_CACHE_DEFAULTS,
  compileBundleCacheOptions,
  type BundleCacheOptions,
  type CompiledBundleCacheOptions,
} from './BundleCacheOptions.js';
export { BundleEntryChecker, type BundleEntry, type BundleLimits } from './BundleEntryChecker.js';
export { localBundleFolder } from './localBundleFolder.js';
export { unpackBundle } from './unpackBundle.js';
