/** The data exchange between tasks: result partitions, their manager, input gates and channels. */
export * from './createInputGate.js';
export * from './errors.js';
export * from './InputChannel.js';
export * from './InputGate.js';
export * from './LocalInputChannel.js';
export * from './NetworkBatch.js';
export * from './ResultPartition.js';
export * from './ResultPartitionManager.js';
export * from './ResultSubpartition.js';
export * from './ResultSubpartitionView.js';
