/**
 * The images the test cluster runs, built as docker-save tarballs from files on this machine: the
 * pod sandbox's pause image (the static binary scripts/k8s/build.sh built) and a Flotilla
 * image holding Node (the binary and the shared libraries it loads) and this checkout's bin/, dist/
 * and package.json, enough for `flotilla` commands that need no native npm package.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ROOT } from '../processes.js';
import { writeImageTarball } from './imageTarball.js';

/** The pause image's reference (the kubelet's --pod-infra-container-image and containerd's sandbox_image). */
export const PAUSE_IMAGE = 'flotilla.local/pause:3.4';
/** The Flotilla image's reference; pods use it with imagePullPolicy Never. */
export const FLOTILLA_IMAGE = 'flotilla.local/flotilla:test';
/** Where the checkout sits in the Flotilla image. */
export const FLOTILLA_HOME = '/opt/flotilla';

/** Builds the pause image tarball from the static pause binary, in `folder`. */
export function buildPauseImage(pauseBinary: string, folder: string): string {
  const rootfs = join(folder, 'pause-rootfs');
  mkdirSync(rootfs, { recursive: true });
  copyFileSync(pauseBinary, join(rootfs, 'pause'));
  return writeImageTarball({ rootfs, tag: PAUSE_IMAGE, entrypoint: ['/pause'] }, join(folder, 'pause.tar'));
}

/** The shared libraries a dynamically linked program loads, from ldd. */
function sharedLibraries(program: string): string[] {
  return execFileSync('ldd', [program], { encoding: 'utf8' })
    .split('\n')
    .map((line) => /(\/\S+) \(0x/.exec(line)?.[1])
    .filter((path): path is string => path !== undefined);
}

/** Builds the Flotilla image tarball (Node and this checkout's dist/, which `npm run build` made), in `folder`. */
export function buildFlotillaImage(folder: string): string {
  if (!existsSync(join(ROOT, 'dist/src/cli/main.js'))) throw new Error(`no ${ROOT}dist: run npm run build first`);
  const rootfs = join(folder, 'flotilla-rootfs');
  const node = process.execPath;
  for (const file of [node, ...sharedLibraries(node)]) {
    mkdirSync(join(rootfs, dirname(file)), { recursive: true });
    copyFileSync(file, join(rootfs, file));
  }
  if (node !== '/usr/bin/node') {
    mkdirSync(join(rootfs, 'usr/bin'), { recursive: true });
    copyFileSync(node, join(rootfs, 'usr/bin/node'));
  }
  mkdirSync(join(rootfs, 'tmp'), { recursive: true, mode: 0o1777 });
  for (const part of ['bin', 'dist', 'package.json'])
    cpSync(join(ROOT, part), join(rootfs, FLOTILLA_HOME, part), { recursive: true });
  return writeImageTarball(
    {
      rootfs,
      tag: FLOTILLA_IMAGE,
      entrypoint: ['/usr/bin/node', `${FLOTILLA_HOME}/bin/flotilla.js`],
      workingDir: FLOTILLA_HOME,
    },
    join(folder, 'flotilla.tar'),
  );
}
