/**
 * Reads a driver's entry point, Flink's `-c` / `--class`: `"path/to/module.js#exportName"`,
 * `"#exportName"`, `"path/to/module.js"` or `""`. An omitted module means the bundle's main module
 * (package.json `main`, else `index.js`); an omitted export means `main`.
 */

/** The export a driver runs when its entry names none. */
export const DEFAULT_DRIVER_EXPORT = 'main';

/** A parsed entry point. */
export interface DriverEntry {
  /** The bundle-relative module path; undefined for the bundle's main module. */
  module?: string;
  /** The name of the exported function to run. */
  exportName: string;
}

/** Splits `entry` at its last `#` into module and export, filling in the default export. */
export function parseDriverEntry(entry: string): DriverEntry {
  const hash = entry.lastIndexOf('#');
  const module = (hash < 0 ? entry : entry.slice(0, hash)).trim();
  const exportName = (hash < 0 ? '' : entry.slice(hash + 1)).trim() || DEFAULT_DRIVER_EXPORT;
  return module === '' ? { exportName } : { module, exportName };
}
