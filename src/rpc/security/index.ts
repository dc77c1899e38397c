/** Transport security and caller authentication of Flotilla's servers and clients. */
export * from './authenticationMiddleware.js';
export * from './bearerTokenAuthentication.js';
export * from './Caller.js';
export * from './channelCredentials.js';
export * from './ClientSecurity.js';
export * from './clusterSecretAuthentication.js';
export * from './openMethods.js';
export * from './ServerSecurity.js';
export * from './streamLimitMiddleware.js';
