// The README's demo on the embedded defaults: starts a control plane on a free loopback port with
// its state in .flotilla-demo/, uploads the example bundle twice (the second time nothing is sent),
// asks the control plane about it through gRPC reflection with buf curl, and stops it again.
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const flotilla = [process.execPath, `${root}bin/flotilla.js`];
const stateDir = `${root}.flotilla-demo`;
const step = (text) => process.stdout.write(`\n== ${text}\n`);

step(`flotilla controlplane --listen 127.0.0.1:0 --state-dir ${stateDir}`);
const controlplane = spawn(flotilla[0], [flotilla[1], 'controlplane', '--listen', '127.0.0.1:0', '--state-dir', stateDir, '--log-level', 'warn'], {
  stdio: ['ignore', 'pipe', 'inherit'],
});
const [line] = await once(controlplane.stdout.setEncoding('utf8'), 'data');
const address = /listening on (\S+)/.exec(line)[1];
process.stdout.write(line);

try {
  const cli = (...args) => execFileSync(flotilla[0], [flotilla[1], ...args, '--controlplane', address], { stdio: ['ignore', 'pipe', 'inherit'] }).toString().trim();
  step('flotilla upload examples/wordcount');
  const id = cli('upload', `${root}examples/wordcount`);
  process.stdout.write(`${id}\n`);
  step('flotilla upload examples/wordcount   (again: the control plane has it, nothing is sent)');
  process.stdout.write(`${cli('upload', `${root}examples/wordcount`)}\n`);

  const curl = (...args) =>
    execFileSync(`${root}node_modules/.bin/buf`, ['curl', '--protocol', 'grpc', '--http2-prior-knowledge', ...args], { stdio: ['ignore', 'pipe', 'inherit'] }).toString();
  step(`buf curl --list-services http://${address}`);
  process.stdout.write(curl('--list-services', `http://${address}`));
  step(`buf curl -d '{"artifact_id":"${id.slice(0, 12)}…"}' …/flotilla.v1.ClusterClientService/GetArtifact`);
  process.stdout.write(curl('-d', JSON.stringify({ artifact_id: id }), `http://${address}/flotilla.v1.ClusterClientService/GetArtifact`));
} finally {
  step('stopping the control plane (SIGTERM)');
  controlplane.kill('SIGTERM');
  const [code] = await once(controlplane, 'exit');
  process.stdout.write(`control plane exited with ${code}\n`);
}
