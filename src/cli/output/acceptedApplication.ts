/**
 * What `flotilla run` prints on stdout once the control plane accepted the application: its id
 * (for scripts: `APP=$(flotilla run -D ...)`), or with `-o json` the RunApplication answer in the
 * proto3 JSON mapping, on one line, so that `--follow`'s event lines after it make JSON lines.
 */
import { RunApplicationResponse } from '../../../generated/flotilla/v1/cluster_client_service.js';
import type { Application } from '../../../generated/flotilla/v1/resources.js';
import { printJsonLine, type OutputFormat } from './outputFormat.js';

/** Prints the accepted application in `format`. */
export function printAcceptedApplication(format: OutputFormat, application: Application, deduplicated: boolean): void {
  if (format === 'json') printJsonLine(RunApplicationResponse.toJSON({ application, deduplicated }));
  else process.stdout.write(`${application.id}\n`);
}
