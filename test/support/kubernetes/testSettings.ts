/**
 * The Kubernetes settings of clusters in the test cluster: the image imported from this checkout
 * (pull policy Never: no registry is reachable), small requests so that several clusters fit the
 * one node but limits that let Node start at its speed, in the default namespace.
 */
import {
  KUBERNETES_SETTINGS_DEFAULTS,
  type KubernetesSettings,
} from '../../../src/deployment/kubernetes/KubernetesSettings.js';
import { FLOTILLA_IMAGE } from './images.js';

/** The settings, with another image when given. */
export function testKubernetesSettings(image = FLOTILLA_IMAGE): KubernetesSettings {
  return {
    ...KUBERNETES_SETTINGS_DEFAULTS,
    image,
    imagePullPolicy: 'Never',
    jobManagerResources: { cpus: 0.1, memoryMb: 384 },
    taskExecutorResources: { cpus: 0.1, memoryMb: 384 },
    cpuLimitFactor: 10,
  };
}
