// The server side of bench/artifacts.bench.mjs, run as a child process so that its peak RSS is its own.
// Usage: node artifact-server.mjs <kind> <dir> <port>
//   kind = raw:   a bare node:http server that streams PUT bodies into <dir>/<path> and GETs back out of it
//                 (the loopback ceiling: no framework, no store, no path checks);
//   kind = local: Cairn's server (createServer from @cairn/server) with its artifact proxy on the local file
//                 store at <dir>/artifacts, tracking in SQLite at <dir>/tracking.db;
//   kind = s3:    the same with the proxy on the S3 store at CAIRN_BENCH_S3_URI (the endpoint and credentials
//                 come from MLFLOW_S3_ENDPOINT_URL / AWS_* as MLflow reads them).
// It prints `listening <url>` when ready and stops on SIGTERM.
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { createServer as createHttpServer } from 'node:http';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createServer } from '@cairn/server';
import { createFileArtifactStore } from '@cairn/store-file';
import { createS3ArtifactStore } from '@cairn/store-s3';
import { createSqlTrackingStore } from '@cairn/store-sql';

const [kind, dir, port] = process.argv.slice(2);

async function startRaw() {
  const server = createHttpServer(async (request, response) => {
    const path = join(dir, decodeURIComponent(new URL(request.url, 'http://x').pathname));
    try {
      if (request.method === 'PUT') {
        await mkdir(dirname(path), { recursive: true });
        await pipeline(request, createWriteStream(path));
        response.end();
      } else {
        response.setHeader('content-length', (await stat(path)).size);
        await pipeline(createReadStream(path), response);
      }
    } catch (error) {
      response.statusCode = 500;
      response.end(String(error));
    }
  });
  await new Promise((resolve) => server.listen(Number(port), '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(resolve)) };
}

async function startCairn() {
  const trackingStore = createSqlTrackingStore({
    uri: `sqlite:///${join(dir, 'tracking.db')}`,
    artifactRoot: 'mlflow-artifacts:',
  });
  const artifactStore =
    kind === 's3'
      ? createS3ArtifactStore({ uri: process.env.CAIRN_BENCH_S3_URI })
      : createFileArtifactStore({ root: join(dir, 'artifacts') });
  const app = createServer({ trackingStore, artifactStore });
  const url = await app.listen({ host: '127.0.0.1', port: Number(port) });
  return {
    url,
    close: async () => {
      await app.close();
      await trackingStore.close();
    },
  };
}

const server = kind === 'raw' ? await startRaw() : await startCairn();
process.stdout.write(`listening ${server.url}\n`);
process.once('SIGTERM', () => {
  void server.close().finally(() => process.exit(0));
});
