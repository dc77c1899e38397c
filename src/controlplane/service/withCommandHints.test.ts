import { describe, expect, it } from 'vitest';
import { NotFoundError } from '../../common/errors.js';
import { UnknownClusterError } from '../store/ClusterStore.js';
import { withCommandHint } from './withCommandHints.js';

describe('withCommandHint', () => {
  it('adds the real command that lists clusters to an unknown cluster, keeping NOT_FOUND', () => {
    const hinted = withCommandHint(new UnknownClusterError('cluster "c-1" is not known to this control plane'));
    expect(hinted).toBeInstanceOf(NotFoundError);
    expect((hinted as Error).message).toBe(
      'cluster "c-1" is not known to this control plane (flotilla cluster list lists them)',
    );
  });

  it('passes every other error unchanged', () => {
    const error = new NotFoundError('application "a" is not known to this control plane');
    expect(withCommandHint(error)).toBe(error);
  });
});
