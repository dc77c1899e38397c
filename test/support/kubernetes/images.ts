/**
 * The images the test cluster runs, built as docker-save tarballs by scripts/k8s/image.mjs (no
 * Docker, no registry): the pod sandbox's pause image from the static binary scripts/k8s/build.sh
 * built, and Flotilla's image in the Dockerfile's layout (Flotilla in /opt/flotilla with its
 * production node_modules, Node and its libraries from this machine), from this checkout's dist/.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from '../processes.js';

/** The pause image's reference (the kubelet's --pod-infra-container-image and containerd's sandbox_image). */
export const PAUSE_IMAGE = 'flotilla.local/pause:3.4';
/** The Flotilla image's reference; pods use it with imagePullPolicy Never. */
export const FLOTILLA_IMAGE = 'flotilla.local/flotilla:test';

const IMAGE_SCRIPT = join(ROOT, 'scripts/k8s/image.mjs');

function buildImage(args: string[], out: string): string {
  execFileSync(process.execPath, [IMAGE_SCRIPT, ...args, '--out', out], { stdio: ['ignore', 'ignore', 'pipe'] });
  return out;
}

/** Builds the pause image tarball from the static pause binary, in `folder`. */
export function buildPauseImage(pauseBinary: string, folder: string): string {
  return buildImage(['--pause', pauseBinary, '--tag', PAUSE_IMAGE], join(folder, 'pause.tar'));
}

/** Builds the Flotilla image tarball (`npm run build` made dist/), in `folder`. */
export function buildFlotillaImage(folder: string): string {
  return buildImage(['--tag', FLOTILLA_IMAGE], join(folder, 'flotilla.tar'));
}
