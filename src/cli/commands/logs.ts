/** `flotilla logs APP`: prints what an application's driver wrote, optionally following it. */
import { LogStream } from '../../../generated/flotilla/v1/common.js';
import { connectFromOptions } from '../options/controlPlaneConnection.js';
import { onReplica } from '../../client/controlPlaneClient.js';
import { readDriverLog } from '../../client/readDriverLog.js';
import type { CommandSpec, ParsedCommandLine } from '../options/args.js';
import { CLIENT_OPTIONS } from '../options/commonOptions.js';
import { nonNegativeInteger } from '../options/optionValues.js';

export const logsCommand: CommandSpec = {
  name: 'logs',
  summary: "Print what an application's driver main() wrote; --follow streams it until the application ends.",
  description:
    'The control plane keeps a copy of everything the driver wrote, so the output of a finished application stays readable. ' +
    "What the driver wrote to stdout is printed to stdout, byte for byte; what it wrote to stderr, and lines of the SDK's logger " +
    'and of the control plane (such as a note of output that could not be copied, starting with "[flotilla]"), to stderr. ' +
    'A lost connection to the control plane is resumed from the last offset printed, without repeating or skipping a byte. ' +
    "Offsets are byte offsets into the application's log; --offset N prints from byte N on. When retention has compacted " +
    'the application, only the end of its log is kept, and an older offset is refused with the oldest offset still kept. ' +
    'In session and per-job modes main() runs in the client, whose own terminal has its output: those applications have an empty log. ' +
    'Exit 0 once everything asked for was printed.',
  positionals: [{ name: 'APP', description: 'The application id that flotilla run printed.', required: true }],
  options: [
    {
      name: 'follow',
      aliases: ['-f'],
      type: 'boolean',
      description: 'Keep printing new output as the driver writes it, until the application has ended.',
    },
    {
      name: 'offset',
      type: 'number',
      valueName: 'N',
      description: 'Start at this byte offset of the log (0 is the beginning).',
      default: 0,
    },
    ...CLIENT_OPTIONS,
  ],
};

export async function runLogs(args: ParsedCommandLine): Promise<number> {
  const offset = nonNegativeInteger(args, 'offset');
  const connection = connectFromOptions(args.options);
  // A reader that went away (`flotilla logs APP | head`) ends the read quietly.
  const readerGone = new AbortController();
  const onError = (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') readerGone.abort();
  };
  process.stdout.on('error', onError);
  process.stderr.on('error', onError);
  try {
    const pieces = readDriverLog(connection, args.positionals[0], {
      offset,
      follow: args.options.follow === true,
      onReconnect: (at) =>
        process.stderr.write(
          `flotilla logs: connection to the control plane lost; resuming at offset ${at}${onReplica(connection)}\n`,
        ),
      signal: readerGone.signal,
    });
    for await (const piece of pieces)
      await write(piece.stream === LogStream.STDOUT ? process.stdout : process.stderr, piece.data);
    return 0;
  } catch (error) {
    if (readerGone.signal.aborted || (error as NodeJS.ErrnoException).code === 'EPIPE') return 0;
    throw error;
  } finally {
    // The listeners stay: an EPIPE can still be reported after the last write.
    connection.close();
  }
}

/** Writes `data`, waiting while the stream's buffer is full (a slow terminal or pipe slows the read, not memory). */
function write(stream: NodeJS.WriteStream, data: Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.write(data, (error) => (error ? reject(error) : resolve()));
  });
}
