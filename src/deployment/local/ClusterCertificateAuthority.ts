/**
 * The certificate authority of the clusters a control plane deploys. Each cluster gets a TLS
 * certificate and key of its own, valid for 127.0.0.1 and localhost (where local clusters listen),
 * signed by this CA, instead of the control plane's own key: code running in a cluster can read its
 * cluster's key, and must find nothing there that lets it pose as the control plane or as another
 * tenant's cluster. The control plane trusts this CA when it calls its clusters, and a cluster's
 * processes trust it (only it) when they call each other.
 *
 * The CA lives in a folder of the control plane's state dir (0700; `ca.key` 0600, `ca.pem`), made on
 * first start with the `openssl` command (EC P-256 keys: fast to make, small to send). Certificates
 * are made in a private scratch folder there and handed back as text; the CA's files are renamed
 * into place only once both exist, so a start interrupted half-way makes a new CA next time.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A certificate and its private key, as PEM text. */
export interface IssuedCertificate {
  certPem: string;
  keyPem: string;
}

/** How long the CA and its certificates are valid: clusters may run for years; they are renewed by redeploying. */
const VALIDITY_DAYS = '3650';
/** Where local clusters listen. */
const LOCAL_NAMES = ['IP:127.0.0.1', 'DNS:localhost'];
const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];

/** The clusters' CA. */
export class ClusterCertificateAuthority {
  private constructor(
    private readonly folder: string,
    /** The CA's certificate (PEM), for whoever must trust the clusters. */
    readonly caPem: string,
  ) {}

  /** The CA's certificate file. */
  get caFile(): string {
    return join(this.folder, 'ca.pem');
  }

  /** Opens the CA in `folder`, making it (and the folder, 0700) when it has none yet. */
  static async open(folder: string): Promise<ClusterCertificateAuthority> {
    mkdirSync(folder, { recursive: true, mode: 0o700 });
    const certFile = join(folder, 'ca.pem');
    const keyFile = join(folder, 'ca.key');
    if (!existsSync(certFile) || !existsSync(keyFile)) {
      await inScratch(folder, async (scratch) => {
        await openssl(scratch, [
          'req',
          '-x509',
          ...EC_KEY,
          '-keyout',
          'ca.key',
          '-out',
          'ca.pem',
          '-days',
          VALIDITY_DAYS,
          '-subj',
          '/CN=Flotilla cluster CA',
          '-addext',
          'basicConstraints=critical,CA:TRUE,pathlen:0',
          '-addext',
          'keyUsage=critical,keyCertSign,cRLSign',
        ]);
        rmSync(certFile, { force: true });
        renameSync(join(scratch, 'ca.key'), keyFile);
        renameSync(join(scratch, 'ca.pem'), certFile);
      });
    }
    return new ClusterCertificateAuthority(folder, readFileSync(certFile, 'utf8'));
  }

  /**
   * A new key and a certificate for it, named `name` (the cluster's id), valid for `altNames` in
   * openssl's spelling: 127.0.0.1 and localhost unless told (a cluster on Kubernetes: its job
   * manager's Service names).
   */
  async issue(name: string, altNames: readonly string[] = LOCAL_NAMES): Promise<IssuedCertificate> {
    return inScratch(this.folder, async (scratch) => {
      await openssl(scratch, [
        'req',
        '-x509',
        ...EC_KEY,
        '-keyout',
        'cluster.key',
        '-out',
        'cluster.pem',
        '-days',
        VALIDITY_DAYS,
        '-subj',
        `/CN=${name.replace(/[^A-Za-z0-9._-]/g, '_')}`,
        '-CA',
        join(this.folder, 'ca.pem'),
        '-CAkey',
        join(this.folder, 'ca.key'),
        '-addext',
        `subjectAltName=${altNames.join(',')}`,
        '-addext',
        'basicConstraints=critical,CA:FALSE',
        '-addext',
        'keyUsage=critical,digitalSignature',
        '-addext',
        'extendedKeyUsage=serverAuth,clientAuth',
      ]);
      return {
        certPem: await readFile(join(scratch, 'cluster.pem'), 'utf8'),
        keyPem: await readFile(join(scratch, 'cluster.key'), 'utf8'),
      };
    });
  }
}

/** Runs `work` in a new private folder under `folder`, removed afterwards. */
async function inScratch<T>(folder: string, work: (scratch: string) => Promise<T>): Promise<T> {
  const scratch = await mkdtemp(join(folder, 'scratch-'));
  try {
    return await work(scratch);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

async function openssl(cwd: string, args: string[]): Promise<void> {
  try {
    await run('openssl', args, { cwd });
  } catch (error) {
    const stderr = String((error as { stderr?: unknown }).stderr ?? '').trim();
    throw new Error(
      `the cluster CA could not run "openssl ${args[0]}" (is the openssl command installed?): ${stderr || (error as Error).message}`,
      { cause: error },
    );
  }
}
