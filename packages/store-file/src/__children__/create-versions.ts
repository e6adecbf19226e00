// Creates `count` versions of one registered model in the registry at `root`, for the two-process test.
import { createFileRegistryStore } from '../file-registry-store.js';

const [root, name, writer, count] = process.argv.slice(2) as [string, string, string, string];
const store = createFileRegistryStore({ root });
for (let index = 0; index < Number(count); index += 1) {
  await store.createModelVersion({
    name,
    source: `s3://bucket/${writer}/${index}`,
    tags: [{ key: 'writer', value: writer }],
  });
}
