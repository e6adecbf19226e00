// A bare Fastify server with MLflow's log-batch route that parses the body and answers `{}`: the ceiling an
// HTTP + JSON server in one Node process reaches on this machine, for server-vs-mlflow. Prints its port.
// Fastify comes from @cairn/server's dependencies, so the bench adds no package of its own.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const requireFromServer = createRequire(join(here, '..', 'packages', 'server', 'package.json'));
const Fastify = requireFromServer('fastify');

const app = Fastify({ bodyLimit: 1_000_000, logger: false });
app.post('/api/2.0/mlflow/runs/log-batch', async (request) => {
  // Touch what a real handler reads, so the parse is not optimised away.
  const { metrics } = request.body;
  if (!Array.isArray(metrics)) throw new Error('metrics must be an array');
  return {};
});
app.get('/health', async () => 'OK');
const address = await app.listen({ host: '127.0.0.1', port: 0 });
console.log(new URL(address).port);
process.once('SIGTERM', () => app.close().then(() => process.exit(0)));
