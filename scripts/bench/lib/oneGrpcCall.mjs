// A floor of the submission figure: a bare compiled script that imports nice-grpc and the
// generated client, makes one unary call (GetArtifact) to the control plane, and exits. It is
// what any CLI that talks gRPC cannot go below.
import { createChannel, createClient } from 'nice-grpc';
import { ClusterClientServiceDefinition } from '../../../dist/generated/flotilla/v1/cluster_client_service.js';

const [address, artifactId] = process.argv.slice(2);
const channel = createChannel(address);
await createClient(ClusterClientServiceDefinition, channel).getArtifact({ artifactId });
channel.close();
