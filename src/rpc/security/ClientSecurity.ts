/**
 * How a Flotilla client proves itself and checks the server it dials: TLS with the CAs it trusts,
 * and the credential it sends with every call (a cluster's secret between members of a cluster, a
 * bearer token from a client to the control plane). Plain data, so it can cross into a worker
 * thread (a driver's `main()` submits jobs to its job manager as a member of the cluster).
 */

/** The TLS side of a client: speak TLS, trusting these certificate authorities. */
export interface ClientTls {
  /** PEM text of the CA certificates to trust; the system's roots when not given. */
  caPem?: string;
  /**
   * The name the server's certificate must carry, checked (and sent as the TLS server name) instead
   * of the dialed host: a cluster's pods on Kubernetes are dialed by pod IP, and their certificate
   * names the job manager's Service (gRPC's `grpc.ssl_target_name_override`). The dialed host when
   * not given.
   */
  serverName?: string;
}

/** What a client needs to call a secured server; every field is optional (an empty object is a plaintext client without credentials). */
export interface ClientSecurity {
  /** Speak TLS; plaintext when not given. */
  tls?: ClientTls;
  /** The cluster's secret, sent as `flotilla-cluster-secret` metadata (job managers and task executors check it). */
  clusterSecret?: string;
  /** A bearer token, sent as `authorization: Bearer <token>` metadata (the control plane maps it to a tenant). */
  bearerToken?: string;
}

/** The environment variable that hands a cluster's secret to its processes (never their command line, which others can read). */
export const CLUSTER_SECRET_ENV = 'FLOTILLA_CLUSTER_SECRET';

/** The metadata key that carries a cluster's secret. */
export const CLUSTER_SECRET_METADATA = 'flotilla-cluster-secret';

/** The metadata key that carries a bearer token (as HTTP's Authorization header). */
export const AUTHORIZATION_METADATA = 'authorization';
