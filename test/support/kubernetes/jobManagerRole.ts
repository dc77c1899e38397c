/**
 * The service account a cluster's job manager pod runs as in the test cluster, with the Role
 * docs/kubernetes.md gives: `get` and `delete` on pods in its namespace, so that a job manager whose
 * lease expired deletes its own pod (and garbage collection the rest of its cluster). The full tier
 * makes it in the default namespace; control planes under test name it with
 * --kubernetes-service-account.
 */
import type { ApiClient } from './apiClient.js';

/** The service account's (and its Role's and RoleBinding's) name. */
export const JOB_MANAGER_SERVICE_ACCOUNT = 'flotilla-jobmanager';

/** Creates the service account, the Role and the RoleBinding in `namespace`. */
export async function createJobManagerRole(client: ApiClient, namespace = 'default'): Promise<void> {
  const name = JOB_MANAGER_SERVICE_ACCOUNT;
  await client.call('POST', `/api/v1/namespaces/${namespace}/serviceaccounts`, {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name },
  });
  const rbac = `/apis/rbac.authorization.k8s.io/v1/namespaces/${namespace}`;
  await client.call('POST', `${rbac}/roles`, {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    metadata: { name },
    rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'delete'] }],
  });
  await client.call('POST', `${rbac}/rolebindings`, {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
    subjects: [{ kind: 'ServiceAccount', name, namespace }],
  });
}
