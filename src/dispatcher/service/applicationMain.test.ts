import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../common/errors.js';
import type { ApplicationMainSubmission } from '../DispatcherRequests.js';
import { applicationMainFromMessage, applicationMainToMessage } from './applicationMain.js';

const submission: ApplicationMainSubmission = {
  applicationId: 'app-1',
  applicationName: 'etl',
  bundle: { artifactId: 'a'.repeat(64) },
  entry: 'main.js#main',
  args: ['--top', '3'],
  defaultParallelism: 4,
  properties: { 'pipeline.name': 'etl' },
  resources: { cpus: 0, heapMemoryMb: 256, directMemoryMb: 64, nativeMemoryMb: 0 },
  requestId: 'app-1/main',
};

describe('RunApplicationMain messages', () => {
  it('carry a submission there and back unchanged', () => {
    expect(applicationMainFromMessage(applicationMainToMessage(submission))).toEqual(submission);
  });

  it('fill in the name, the parallelism and no request id when the request leaves them out', () => {
    const message = {
      ...applicationMainToMessage(submission),
      applicationName: '',
      defaultParallelism: 0,
      requestId: '',
    };
    expect(applicationMainFromMessage(message)).toEqual({
      ...submission,
      applicationName: 'app-1',
      defaultParallelism: 1,
      requestId: undefined,
    });
  });

  it('refuse a request without an application id or bundle, or with a parallelism past 1024, naming the field', () => {
    const message = applicationMainToMessage(submission);
    expect(() => applicationMainFromMessage({ ...message, applicationId: '' })).toThrow(
      new InvalidArgumentError('application_id is required: the application whose main() runs'),
    );
    expect(() => applicationMainFromMessage({ ...message, bundle: undefined })).toThrow(/^bundle is required/);
    expect(() => applicationMainFromMessage({ ...message, defaultParallelism: 1025 })).toThrow(
      new InvalidArgumentError('default_parallelism must be 0 (1) to 1024, got 1025'),
    );
  });
});
