/** The gRPC side of the data exchange between tasks: the ExchangeData handler and remote input channels. */
export * from './exchangeDataHandler.js';
export * from './ExchangeRequestStream.js';
export * from './PartitionRequestClient.js';
export * from './PartitionRequestClientFactory.js';
export * from './RemoteInputChannel.js';
