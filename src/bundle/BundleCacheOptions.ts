/** The settings of a {@link BundleCache}, and their defaults. */
import type { BlobSource } from '../blob/BlobSource.js';
import type { BundleLimits } from './BundleEntryChecker.js';
import { BundleUriRoots } from './BundleUriRoots.js';

/** Options of {@link BundleCache}. */
export interface BundleCacheOptions extends Partial<BundleLimits> {
  /** The task executor's state folder; bundles go to `<stateDir>/bundles`. */
  stateDir: string;
  /** Where bundles named by artifact id are downloaded from. */
  source: BlobSource;
  /** The largest bundle (the gzipped tar) downloaded, in bytes. */
  maxBundleBytes?: number;
  /** Where bundles named by a uri may be; none by default (such bundles are refused). */
  uriRoots?: BundleUriRoots;
}

/** {@link BundleCacheOptions} with every default filled in. */
export type CompiledBundleCacheOptions = Required<BundleCacheOptions>;

/** The defaults of the limits. */
export const BUNDLE_CACHE_DEFAULTS = {
  maxBundleBytes: 512 * 1024 * 1024,
  maxEntries: 100_000,
  maxUnpackedBytes: 2 * 1024 * 1024 * 1024,
} as const;

/** Fills in the defaults of `options`. */
export function compileBundleCacheOptions(options: BundleCacheOptions): CompiledBundleCacheOptions {
  return {
    stateDir: options.stateDir,
    source: options.source,
    maxBundleBytes: options.maxBundleBytes ?? BUNDLE_CACHE_DEFAULTS.maxBundleBytes,
    uriRoots: options.uriRoots ?? BundleUriRoots.none('process'),
    maxEntries: options.maxEntries ?? BUNDLE_CACHE_DEFAULTS.maxEntries,
    maxUnpackedBytes: options.maxUnpackedBytes ?? BUNDLE_CACHE_DEFAULTS.maxUnpackedBytes,
  };
}
