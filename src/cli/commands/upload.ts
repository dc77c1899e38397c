/** `flotilla upload PATH`: stores a bundle in the control plane and prints its id. */
import { connectFromOptions } from '../options/controlPlaneConnection.js';
import { uploadBundle } from '../../client/uploadBundle.js';
import type { CommandSpec, ParsedCommandLine } from '../options/args.js';
import { CLIENT_OPTIONS, QUIET_OPTION } from '../options/commonOptions.js';
import { progressReporter } from '../output/progress.js';

export const uploadCommand: CommandSpec = {
  name: 'upload',
  summary: 'Upload a bundle (a folder with a package.json, or a .tgz) unless the control plane has it; print its id.',
  description:
    'A folder is packed into a reproducible .tgz, so an unchanged folder has the same id and is not sent again. The id (sha256) goes to stdout; messages and progress (bytes sent out of the total, redrawn on a terminal, a plain line every few seconds elsewhere) go to stderr.',
  positionals: [{ name: 'PATH', description: 'Bundle folder or .tgz file.', required: true }],
  options: [QUIET_OPTION, ...CLIENT_OPTIONS],
};

export async function runUpload(args: ParsedCommandLine): Promise<number> {
  const connection = connectFromOptions(args.options);
  try {
    const progress = progressReporter('uploading', { quiet: args.options.quiet === true });
    const result = await uploadBundle(connection, args.positionals[0], { onProgress: progress.update });
    progress.done();
    process.stderr.write(
      result.alreadyStored
        ? `bundle already stored (${result.sizeBytes} bytes); nothing sent\n`
        : `uploaded ${result.sizeBytes} bytes\n`,
    );
    process.stdout.write(`${result.artifactId}\n`);
    return 0;
  } finally {
    connection.close();
  }
}
