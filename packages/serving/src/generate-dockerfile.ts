import { cp, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { invalidParameter } from '@cairn/core';
import { flavorPackages, type MLmodel, readMLmodel } from '@cairn/models';

/** Options of {@link generateDockerfile}. */
export interface GenerateDockerfileOptions {
  /** A local model directory (with its MLmodel); copied into the output as `model_dir/`. */
  readonly modelDir: string;
  /** Where the Dockerfile, entrypoint, package.json and model go (MLflow's default `mlflow-dockerfile`). */
  readonly outputDirectory: string;
  /** The version of the @cairn packages to install (default: this package's version). */
  readonly cairnVersion?: string;
  /** Node.js base image (default `node:20-slim`). */
  readonly baseImage?: string;
}

/** What {@link generateDockerfile} wrote. */
export interface GeneratedDockerfile {
  readonly dockerfile: string;
  /** The files written, relative to the output directory. */
  readonly files: readonly string[];
  /** The npm packages the image installs, with versions. */
  readonly dependencies: Readonly<Record<string, string>>;
  /** The flavor the image will load the model with. */
  readonly flavor: string;
}

const defaultBaseImage = 'node:20-slim';
const modelDirName = 'model_dir';

/** The Cairn flavor that serves a model: js_function first, as `loadModel` picks, then the others Cairn has. */
function servingFlavor(mlmodel: MLmodel, modelDir: string): string {
  const names = Object.keys(mlmodel.flavors);
  const found = Object.keys(flavorPackages).find((name) => names.includes(name));
  if (found === undefined) {
    throw invalidParameter(
      `Cannot generate a Dockerfile for the model at ${modelDir}: none of its flavors (${names.join(', ') || 'none'}) can be served by Cairn, which serves ${Object.keys(flavorPackages).join(', ')}`,
      { field: 'model_uri', flavors: names },
    );
  }
  return found;
}

async function packageVersion(): Promise<string> {
  const manifest = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return manifest.version;
}

/**
 * Writes a directory from which `docker build` makes an image serving the model with Cairn's scoring server
 * on port 8080, as MLflow's `mlflow models generate-dockerfile` does for Python: a Node 20 base image, the
 * @cairn packages and the flavor's framework (read from the MLmodel) from package.json, the model copied in,
 * and an entrypoint that loads it and listens on 0.0.0.0:8080.
 */
export async function generateDockerfile(options: GenerateDockerfileOptions): Promise<GeneratedDockerfile> {
  const info = await stat(options.modelDir).catch(() => undefined);
  if (info === undefined || !info.isDirectory()) {
    throw invalidParameter(`No model directory at '${options.modelDir}'`, { field: 'model_uri' });
  }
  const mlmodel = await readMLmodel(options.modelDir);
  const flavor = servingFlavor(mlmodel, options.modelDir);
  const version = options.cairnVersion ?? (await packageVersion());
  const dependencies: Record<string, string> = {
    '@cairn/models': version,
    '@cairn/serving': version,
  };
  for (const name of flavorPackages[flavor] ?? []) {
    // Cairn's own packages go in lockstep; a framework is left to npm's latest.
    dependencies[name] = name.startsWith('@cairn/') ? version : '*';
  }
  const modelHasPackage = await stat(join(options.modelDir, 'code', 'package.json')).then(
    (entry) => entry.isFile(),
    () => false,
  );
  await mkdir(options.outputDirectory, { recursive: true });
  await cp(options.modelDir, join(options.outputDirectory, modelDirName), { recursive: true });
  const manifest = {
    name: 'cairn-model-server',
    private: true,
    type: 'module',
    description: `Serves ${modelDirName}/ (${flavor}) with Cairn's scoring server`,
    dependencies,
  };
  await writeFile(join(options.outputDirectory, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  await writeFile(join(options.outputDirectory, 'serve.mjs'), entrypoint(flavor));
  const dockerfile = dockerfileText(options.baseImage ?? defaultBaseImage, flavor, modelHasPackage);
  await writeFile(join(options.outputDirectory, 'Dockerfile'), dockerfile);
  return {
    dockerfile,
    files: ['Dockerfile', 'package.json', 'serve.mjs', `${modelDirName}/`],
    dependencies,
    flavor,
  };
}

function dockerfileText(baseImage: string, flavor: string, modelHasPackage: boolean): string {
  return [
    `# Serves the ${flavor} model in ${modelDirName}/ with Cairn's scoring server (MLflow's /invocations protocol).`,
    '# Build: docker build -t my-model . && docker run -p 8080:8080 my-model',
    `FROM ${baseImage}`,
    '',
    'WORKDIR /opt/cairn',
    'ENV NODE_ENV=production',
    '',
    'COPY package.json ./',
    'RUN npm install --omit=dev --no-audit --no-fund && npm cache clean --force',
    '',
    `COPY ${modelDirName} /opt/cairn/${modelDirName}`,
    ...(modelHasPackage
      ? [`RUN cd /opt/cairn/${modelDirName}/code && npm install --omit=dev --no-audit --no-fund`]
      : []),
    'COPY serve.mjs ./',
    '',
    '# Lets any user (e.g. a platform running containers as a random uid) read the model.',
    'RUN chmod -R o+rX /opt/cairn',
    '',
    'EXPOSE 8080',
    `CMD ["node", "serve.mjs", "--model-uri", "/opt/cairn/${modelDirName}", "--host", "0.0.0.0", "--port", "8080"]`,
    '',
  ].join('\n');
}

function entrypoint(flavor: string): string {
  // js_function is @cairn/models' own, always given to loadModel.
  const flavorPackage = flavor === 'js_function' ? undefined : flavorPackages[flavor]?.[0];
  return `// Generated by Cairn: loads the model and serves it with Cairn's scoring server.
import { parseArgs } from 'node:util';
import { loadModel } from '@cairn/models';
import { serveModel } from '@cairn/serving';

const { values } = parseArgs({
  options: {
    'model-uri': { type: 'string', default: '/opt/cairn/${modelDirName}' },
    host: { type: 'string', default: '0.0.0.0' },
    port: { type: 'string', default: process.env.PORT ?? '8080' },
  },
});
${
  flavorPackage === undefined
    ? 'const flavors = [];'
    : `// Every flavor the package exports (objects with a name and a load function).
const flavors = Object.values(await import('${flavorPackage}')).filter(
  (value) => typeof value === 'object' && value !== null && typeof value.load === 'function' && typeof value.name === 'string',
);`
}
const timeout = Number(process.env.MLFLOW_SCORING_SERVER_REQUEST_TIMEOUT ?? '60');
const server = await serveModel({
  uri: values['model-uri'],
  loader: (uri) => loadModel(uri, { flavors }),
  host: values.host,
  port: Number(values.port),
  requestTimeoutMs: timeout * 1000,
});
console.log(\`Serving \${values['model-uri']} on \${server.url}\`);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    server.close().then(() => process.exit(0));
  });
}
`;
}
