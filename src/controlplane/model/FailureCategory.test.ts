import { describe, expect, it } from 'vitest';
import { applicationFailureCategory, failureCategoryOf } from './FailureCategory.js';

const failure = (name: string) => ({ name, message: 'm', stack: '' });

describe('failureCategoryOf', () => {
  it('reads the category off the outermost failure name', () => {
    expect(failureCategoryOf(failure('DriverLostError'))).toBe('INFRASTRUCTURE');
    expect(failureCategoryOf(failure('ClusterLostError'))).toBe('INFRASTRUCTURE');
    expect(failureCategoryOf(failure('DriverMemoryLimitError'))).toBe('RESOURCE');
    expect(failureCategoryOf(failure('CollectLimitExceededError'))).toBe('RESOURCE');
    expect(failureCategoryOf(failure('RangeError'))).toBe('APPLICATION');
    expect(failureCategoryOf(undefined)).toBeUndefined();
  });

  it('gives an application CANCELED when cancelled, its failure category when FAILED, none otherwise', () => {
    expect(applicationFailureCategory('CANCELED', undefined)).toBe('CANCELED');
    expect(applicationFailureCategory('FAILED', failure('ClusterLostError'))).toBe('INFRASTRUCTURE');
    expect(applicationFailureCategory('FAILED', undefined)).toBe('APPLICATION');
    expect(applicationFailureCategory('FINISHED', undefined)).toBeUndefined();
  });
});
