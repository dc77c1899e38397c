/** `flotilla watch APP`: follows an application's events until it ends. */
import { connectFromOptions } from '../options/controlPlaneConnection.js';
import type { CommandSpec, ParsedCommandLine } from '../options/args.js';
import { CLIENT_OPTIONS, QUIET_OPTION } from '../options/commonOptions.js';
import { followApplication } from '../output/followApplication.js';
import { nonNegativeInteger } from '../options/optionValues.js';
import { EVENT_FORMATS, outputFormatOf, outputOption } from '../options/outputOption.js';

export const watchCommand: CommandSpec = {
  name: 'watch',
  summary: "Follow an application's events until it ends; exit 0 if it FINISHED, 1 otherwise.",
  description:
    "Events go to stderr, one line each; with -o json they go to stdout as JSON lines, each a WatchApplication response in the proto3 JSON mapping. On a terminal a status line below the events shows a spinner, the application's status, its cluster's task executors ready while it deploys, its jobs running and the time followed (not with --quiet, never on stdout). The watch resumes by itself after a lost connection without repeating or skipping an event; --after N starts after event N (0 replays them all).",
  positionals: [{ name: 'APP', description: 'The application id that flotilla run printed.', required: true }],
  options: [
    {
      name: 'after',
      type: 'number',
      valueName: 'N',
      description: 'Start after this event sequence number.',
      default: 0,
    },
    outputOption(EVENT_FORMATS),
    QUIET_OPTION,
    ...CLIENT_OPTIONS,
  ],
};

export async function runWatch(args: ParsedCommandLine): Promise<number> {
  const after = nonNegativeInteger(args, 'after');
  const format = outputFormatOf(args, EVENT_FORMATS);
  const connection = connectFromOptions(args.options);
  try {
    return await followApplication(connection, args.positionals[0], {
      afterSequence: after,
      json: format === 'json',
      quiet: args.options.quiet === true,
    });
  } finally {
    connection.close();
  }
}
