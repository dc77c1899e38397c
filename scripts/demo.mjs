// The README's demo on the embedded defaults: starts a control plane on a free loopback port with
// its state in .flotilla-demo/ (its clusters' folders beside it, in .flotilla-demo-clusters/), runs an example application in driver mode (the control plane
// deploys a local session cluster, runs main() in it as a driver job and tears the cluster down at
// the end), shows what the control plane recorded, and stops the control plane again.
// `npm run demo` runs examples/wordcount; `npm run demo -- digits` runs examples/digits.
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const flotilla = [process.execPath, `${root}bin/flotilla.js`];
const stateDir = `${root}.flotilla-demo`;
/** The examples the demo runs, with the arguments before the output folder. */
const EXAMPLES = { wordcount: ['5'], digits: ['1000'] };
const example = process.argv[2] ?? 'wordcount';
if (!Object.hasOwn(EXAMPLES, example)) {
  process.stderr.write(`demo: unknown example "${example}"; one of ${Object.keys(EXAMPLES).join(', ')}\n`);
  process.exit(2);
}
// Outside the state dir, which the cluster's processes cannot enter; writable by them, as they run as
// a user of their own when the control plane runs as root.
const output = join(`${root}.flotilla-demo-output`, example);
mkdirSync(dirname(output), { recursive: true });
chmodSync(dirname(output), 0o1777);
const step = (text) => process.stdout.write(`\n== ${text}\n`);

step(`flotilla controlplane --listen 127.0.0.1:0 --state-dir ${stateDir}`);
const controlplane = spawn(
  flotilla[0],
  [flotilla[1], 'controlplane', '--listen', '127.0.0.1:0', '--state-dir', stateDir, '--log-level', 'warn'],
  {
    stdio: ['ignore', 'pipe', 'inherit'],
  },
);
const [line] = await once(controlplane.stdout.setEncoding('utf8'), 'data');
const address = /listening on (\S+)/.exec(line)[1];
process.stdout.write(line);

let failed = false;
try {
  const env = { ...process.env, FLOTILLA_CONTROLPLANE: address };
  const cli = (...args) =>
    execFileSync(flotilla[0], [flotilla[1], ...args], { env, stdio: ['ignore', 'pipe', 'inherit'] })
      .toString()
      .trim();

  const args = [...EXAMPLES[example], output];
  step(`flotilla run -D --follow examples/${example} ${args.join(' ')}`);
  const id = cli('run', '-D', '--follow', `${root}examples/${example}`, ...args);
  process.stdout.write(`application id: ${id}\n`);
  printParts(output, '');

  step(`flotilla logs ${id}   (main()'s console on stdout, its logger's lines on stderr)`);
  process.stdout.write(`${cli('logs', id)}\n`);

  step('flotilla list');
  process.stdout.write(`${cli('list')}\n`);
  step('flotilla cluster list   (the cluster deployed for the application is gone)');
  process.stdout.write(`${cli('cluster', 'list')}\n`);

  const curl = (...args) =>
    execFileSync(`${root}node_modules/.bin/buf`, ['curl', '--protocol', 'grpc', '--http2-prior-knowledge', ...args], {
      stdio: ['ignore', 'pipe', 'inherit'],
    }).toString();
  step(`buf curl -d '{"application_id":"${id}"}' http://${address}/flotilla.v1.ClusterClientService/GetApplication`);
  process.stdout.write(
    curl(
      '-d',
      JSON.stringify({ application_id: id }),
      `http://${address}/flotilla.v1.ClusterClientService/GetApplication`,
    ),
  );
} catch (error) {
  failed = true;
  process.stderr.write(`demo failed: ${error.message}\n`);
} finally {
  step('stopping the control plane (SIGTERM)');
  controlplane.kill('SIGTERM');
  const [code] = await once(controlplane, 'exit');
  process.stdout.write(`control plane exited with ${code}\n`);
}
process.exitCode = failed ? 1 : 0;

/** Prints the part files writeAsText wrote under `folder`, in its subfolders too (one per sink). */
function printParts(folder, prefix) {
  for (const name of readdirSync(folder).sort()) {
    const path = join(folder, name);
    if (statSync(path).isDirectory()) printParts(path, `${prefix}${name}/`);
    else if (name.startsWith('part-')) process.stdout.write(`${prefix}${name}:\n${readFileSync(path, 'utf8')}`);
  }
}
