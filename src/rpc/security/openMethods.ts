/**
 * The RPCs every server answers without credentials: grpc.health.v1 (load balancers and
 * orchestrators probe it without a token) and server reflection (so grpcurl and buf curl can list
 * and describe the services before the caller's token is involved). They reveal whether a service
 * is up and its public contract, nothing of any tenant or cluster.
 */

const OPEN_SERVICES = [
  '/grpc.health.v1.Health/',
  '/grpc.reflection.v1.ServerReflection/',
  '/grpc.reflection.v1alpha.ServerReflection/',
];

/** Whether the RPC at `path` (`/package.Service/Method`) is answered without credentials. */
export function isOpenMethod(path: string): boolean {
  return OPEN_SERVICES.some((prefix) => path.startsWith(prefix));
}
