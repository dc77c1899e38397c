/**
 * The pod network of the test cluster: a CNI bridge (flotilla0) with host-local addresses from
 * 10.244.0.0/24, no masquerading, nothing routed beyond the host; its address bookkeeping lives in
 * the tier's folder. Pods route the Service range (10.96.0.0/24) through the bridge to the host,
 * which holds the `kubernetes` Service's address (serviceProxy.ts); they have no default route. Debian's containernetworking-plugins provide the plugins.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SERVICE_CLUSTER_IP_RANGE } from './apiServer.js';

/** The pods' subnet. */
export const POD_SUBNET = '10.244.0.0/24';
/** The bridge the pods' veths hang on (removed when the tier stops). */
export const POD_BRIDGE = 'flotilla0';
/** Where Debian's CNI plugins live. */
export const CNI_PLUGINS = '/usr/lib/cni';

/** Writes the network configuration into `folder`/cni and returns that configuration folder. */
export function writeCniConfig(folder: string): string {
  const confDir = join(folder, 'cni');
  mkdirSync(confDir, { recursive: true });
  const config = {
    cniVersion: '0.4.0',
    name: 'flotilla-test',
    plugins: [
      {
        type: 'bridge',
        bridge: POD_BRIDGE,
        isGateway: true,
        ipMasq: false,
        hairpinMode: true,
        ipam: {
          type: 'host-local',
          ranges: [[{ subnet: POD_SUBNET }]],
          routes: [{ dst: SERVICE_CLUSTER_IP_RANGE }],
          dataDir: join(folder, 'cni-addresses'),
        },
      },
    ],
  };
  writeFileSync(join(confDir, '10-flotilla.conflist'), JSON.stringify(config, null, 2));
  return confDir;
}
