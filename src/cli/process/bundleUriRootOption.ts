/**
 * `--bundle-uri-root DIR` of the job manager and the task executor: the folders under which a job
 * or an application's `main()` may name its bundle by uri (an unpacked folder on this machine)
 * instead of by artifact id. Repeatable; none by default, so such bundles are refused: a bundle
 * runs as this process's user, and only the operator says which folders hold code for it.
 */
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { BundleUriRoots } from '../../bundle/BundleUriRoots.js';
import { UsageError, type OptionSpec, type ParsedCommandLine } from '../options/args.js';

/** The option, for the job manager's and the task executor's specs. */
export const BUNDLE_URI_ROOT_OPTION: OptionSpec = {
  name: 'bundle-uri-root',
  type: 'list',
  valueName: 'DIR',
  description:
    "Allow bundles named by uri (bundle.uri: file:///abs/folder or /abs/folder, an unpacked bundle) from folders under DIR. Without it, such bundles are refused with FAILED_PRECONDITION and only uploaded bundles (by artifact id) run. Give the same roots to a cluster's job manager and task executors; only name folders other users cannot write.",
};

/** The roots given on the command line, as absolute paths of existing folders; `holder` names the process in refusals. */
export function bundleUriRootsOf(args: ParsedCommandLine, holder: string): BundleUriRoots {
  const roots = (args.options['bundle-uri-root'] as string[]).map((root) => {
    const stats = statSync(root, { throwIfNoEntry: false });
    if (!stats?.isDirectory()) throw new UsageError(`--bundle-uri-root ${root} is not a folder on this machine`);
    return resolve(root);
  });
  return new BundleUriRoots(roots, holder);
}
