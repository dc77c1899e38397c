/**
 * The authentication of job managers and task executors: a call must carry the cluster's secret
 * (`flotilla-cluster-secret` metadata), issued when the cluster was deployed and known only to its
 * members and to the control plane that deployed it. Compared in constant time.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { UnauthenticatedError } from '../../common/errors.js';
import { peerHost } from './Caller.js';
import type { CallerAuthentication } from './authenticationMiddleware.js';
import { CLUSTER_SECRET_METADATA } from './ClientSecurity.js';

/** Accepts calls that carry `secret`; `role` names the server in messages ("job manager"). */
export function clusterSecretAuthentication(secret: string, role: string): CallerAuthentication {
  const expected = digest(secret);
  return {
    describe: `the cluster's secret (--cluster-secret-file or FLOTILLA_CLUSTER_SECRET)`,
    authenticate(metadata, peer) {
      const given = metadata.get(CLUSTER_SECRET_METADATA);
      if (typeof given !== 'string' || given === '') {
        throw new UnauthenticatedError(
          `this ${role} accepts calls only from members of its cluster: send the cluster's secret as "${CLUSTER_SECRET_METADATA}" metadata (Flotilla's own processes do, given --cluster-secret-file or FLOTILLA_CLUSTER_SECRET)`,
        );
      }
      if (!timingSafeEqual(digest(given), expected)) {
        throw new UnauthenticatedError(
          `the "${CLUSTER_SECRET_METADATA}" metadata does not match this ${role}'s cluster secret`,
        );
      }
      return { tenant: '', key: `peer ${peerHost(peer)}` };
    },
  };
}

/** Fixed-length digests, so the comparison takes the same time whatever the lengths. */
function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
