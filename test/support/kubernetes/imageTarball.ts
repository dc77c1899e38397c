/**
 * A minimal container image builder for the test cluster, which reaches no registry: a folder
 * becomes one layer, and the layer, a config JSON and a manifest.json make a `docker save` tarball
 * that `ctr images import` takes. Files are owned by root in the image; the tar command packs them.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** What the image runs and how it is named. */
export interface ImageSpec {
  /** The image's file system (becomes the single layer). */
  rootfs: string;
  /** The image reference, such as `flotilla.local/pause:3.4`. */
  tag: string;
  entrypoint: string[];
  env?: string[];
  workingDir?: string;
}

const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

/** Writes the image as a docker-save tarball to `out` and returns `out`. */
export function writeImageTarball(spec: ImageSpec, out: string): string {
  const staging = mkdtempSync(join(tmpdir(), 'flotilla-image-'));
  try {
    const layer = join(staging, 'layer.tar');
    execFileSync('tar', ['--numeric-owner', '--owner=0', '--group=0', '-C', spec.rootfs, '-cf', layer, '.']);
    const diffId = sha256(readFileSync(layer));
    mkdirSync(join(staging, diffId));
    renameSync(layer, join(staging, diffId, 'layer.tar'));
    const config = JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      config: {
        Entrypoint: spec.entrypoint,
        Env: spec.env ?? ['PATH=/usr/local/bin:/usr/bin:/bin'],
        WorkingDir: spec.workingDir ?? '/',
      },
      rootfs: { type: 'layers', diff_ids: [`sha256:${diffId}`] },
    });
    const configFile = `${sha256(config)}.json`;
    writeFileSync(join(staging, configFile), config);
    writeFileSync(
      join(staging, 'manifest.json'),
      JSON.stringify([{ Config: configFile, RepoTags: [spec.tag], Layers: [`${diffId}/layer.tar`] }]),
    );
    execFileSync('tar', ['--numeric-owner', '--owner=0', '--group=0', '-C', staging, '-cf', out, '.']);
    return out;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}
