#!/usr/bin/env node
// Builds Flotilla's container image without Docker or a registry, in the layout of the Dockerfile's
// image (Flotilla in /opt/flotilla: bin/, dist/, package.json and the production node_modules;
// `node` on the PATH), as a `docker save` tarball: one layer made from a folder, a config JSON and
// a manifest.json. Node and the shared libraries it loads are copied from this machine instead of
// a base image. `ctr images import` takes the tarball; --import does that for a test cluster's
// containerd. Run `npm run build` first.
//
//   node scripts/k8s/image.mjs --out FILE [--tag flotilla.local/flotilla:test]
//                                [--import --containerd-socket SOCKET]
//   node scripts/k8s/image.mjs --pause BINARY --out FILE [--tag flotilla.local/pause:3.4]
//
// The second form builds the pod sandbox's pause image from a static pause binary.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** Where Flotilla sits in the image (src/deployment/kubernetes/clusterObjects.ts runs it from there). */
const FLOTILLA_HOME = '/opt/flotilla';

const sha256 = (data) => createHash('sha256').update(data).digest('hex');

/** Writes the image of `rootfs` as a docker-save tarball to `out`. */
function writeImageTarball({ rootfs, tag, entrypoint, env, workingDir }, out) {
  const staging = mkdtempSync(join(tmpdir(), 'flotilla-image-'));
  try {
    const layer = join(staging, 'layer.tar');
    execFileSync('tar', ['--numeric-owner', '--owner=0', '--group=0', '-C', rootfs, '-cf', layer, '.']);
    const diffId = sha256(readFileSync(layer));
    mkdirSync(join(staging, diffId));
    renameSync(layer, join(staging, diffId, 'layer.tar'));
    const config = JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      config: {
        Entrypoint: entrypoint,
        Env: env ?? ['PATH=/usr/local/bin:/usr/bin:/bin'],
        WorkingDir: workingDir ?? '/',
      },
      rootfs: { type: 'layers', diff_ids: [`sha256:${diffId}`] },
    });
    const configFile = `${sha256(config)}.json`;
    writeFileSync(join(staging, configFile), config);
    writeFileSync(
      join(staging, 'manifest.json'),
      JSON.stringify([{ Config: configFile, RepoTags: [tag], Layers: [`${diffId}/layer.tar`] }]),
    );
    execFileSync('tar', ['--numeric-owner', '--owner=0', '--group=0', '-C', staging, '-cf', out, '.']);
    return out;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/** The shared libraries a dynamically linked program loads, from ldd. */
function sharedLibraries(program) {
  return execFileSync('ldd', [program], { encoding: 'utf8' })
    .split('\n')
    .map((line) => /(\/\S+) \(0x/.exec(line)?.[1])
    .filter((path) => path !== undefined);
}

/** The top-level folders under node_modules of the production dependencies, relative to the checkout. */
function productionPackages() {
  const listed = execFileSync('npm', ['ls', '--omit=dev', '--all', '--parseable'], {
    cwd: ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  return listed
    .split('\n')
    .map((path) => relative(ROOT, path))
    .filter((path) => /^node_modules\/(@[^/]+\/)?[^/]+$/.test(path));
}

/** Fills `rootfs` with Node, its libraries and this checkout's runtime files. */
function flotillaRootfs(rootfs) {
  if (!existsSync(join(ROOT, 'dist/src/cli/main.js'))) throw new Error(`no ${ROOT}dist: run npm run build first`);
  const node = process.execPath;
  for (const file of [node, ...sharedLibraries(node)]) {
    mkdirSync(join(rootfs, dirname(file)), { recursive: true });
    copyFileSync(file, join(rootfs, file));
  }
  if (node !== '/usr/bin/node') {
    mkdirSync(join(rootfs, 'usr/bin'), { recursive: true });
    copyFileSync(node, join(rootfs, 'usr/bin/node'));
  }
  // Writable by the pods' user; mkdir's mode would pass through the umask.
  mkdirSync(join(rootfs, 'tmp'), { recursive: true });
  chmodSync(join(rootfs, 'tmp'), 0o1777);
  for (const part of ['bin', 'dist', 'package.json'])
    cpSync(join(ROOT, part), join(rootfs, FLOTILLA_HOME, part), { recursive: true });
  // node_modules may be a link to a shared install: the packages themselves are copied.
  for (const found of productionPackages())
    cpSync(realpathSync(join(ROOT, found)), join(rootfs, FLOTILLA_HOME, found), { recursive: true });
}

const { values } = parseArgs({
  options: {
    out: { type: 'string' },
    tag: { type: 'string' },
    pause: { type: 'string' },
    import: { type: 'boolean', default: false },
    'containerd-socket': { type: 'string' },
  },
});
if (!values.out) throw new Error('--out FILE is required');
const rootfs = mkdtempSync(join(tmpdir(), 'flotilla-rootfs-'));
try {
  if (values.pause) {
    copyFileSync(values.pause, join(rootfs, 'pause'));
    writeImageTarball({ rootfs, tag: values.tag ?? 'flotilla.local/pause:3.4', entrypoint: ['/pause'] }, values.out);
  } else {
    flotillaRootfs(rootfs);
    writeImageTarball(
      {
        rootfs,
        tag: values.tag ?? 'flotilla.local/flotilla:test',
        entrypoint: ['node', `${FLOTILLA_HOME}/bin/flotilla.js`],
        workingDir: FLOTILLA_HOME,
      },
      values.out,
    );
  }
} finally {
  rmSync(rootfs, { recursive: true, force: true });
}
if (values.import) {
  if (!values['containerd-socket']) throw new Error('--import needs --containerd-socket SOCKET');
  execFileSync(
    'ctr',
    ['--address', values['containerd-socket'], '--namespace', 'k8s.io', 'images', 'import', values.out],
    {
      stdio: 'inherit',
    },
  );
}
console.log(values.out);
