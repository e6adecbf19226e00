import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const repo = fileURLToPath(new URL('..', import.meta.url));

interface Workspace {
  name: string;
  dir: string;
  isApp: boolean;
  /** Workspace packages named in dependencies, peerDependencies and optionalDependencies. */
  runtime: Set<string>;
  /** Workspace packages named anywhere in the manifest, devDependencies included. */
  declared: Set<string>;
  /** Workspace packages imported by non-test source files. */
  imported: Set<string>;
  /** Workspace packages imported by any source file, tests included. */
  importedAnywhere: Set<string>;
}

type Manifest = { name: string } & Partial<
  Record<
    'dependencies' | 'devDependencies' | 'peerDependencies' | 'optionalDependencies',
    Record<string, string>
  >
>;

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => []);
  return entries
    .filter((entry) => entry.isFile() && /\.(ts|tsx|mts|mjs|js)$/u.test(entry.name))
    .map((entry) => join(entry.parentPath, entry.name))
    .filter((file) => !/node_modules|[/\\]dist[/\\]/u.test(file));
}

const importPattern = /(?:from\s+|import\s*\(\s*|import\s+)['"](@cairn\/[a-z0-9-]+)/gu;

async function workspaces(): Promise<Workspace[]> {
  const dirs = [
    ...(await readdir(join(repo, 'packages'))).map((name) => join(repo, 'packages', name)),
    ...(await readdir(join(repo, 'apps'))).map((name) => join(repo, 'apps', name)),
  ];
  const found: Workspace[] = [];
  for (const dir of dirs) {
    const manifest = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as Manifest;
    const names = (record: Record<string, string> | undefined) => Object.keys(record ?? {});
    const runtime = new Set(
      [manifest.dependencies, manifest.peerDependencies, manifest.optionalDependencies].flatMap(names),
    );
    const declared = new Set([...runtime, ...names(manifest.devDependencies)]);
    const imported = new Set<string>();
    const importedAnywhere = new Set<string>();
    for (const file of await sourceFiles(join(dir, 'src'))) {
      const text = await readFile(file, 'utf8');
      const isTest = /\.test\.|test-helpers|[/\\]testing[/\\]/u.test(file);
      for (const match of text.matchAll(importPattern)) {
        const name = match[1] as string;
        importedAnywhere.add(name);
        if (!isTest) imported.add(name);
      }
    }
    found.push({
      name: manifest.name,
      dir: relative(repo, dir),
      isApp: relative(repo, dir).startsWith('apps'),
      runtime,
      declared,
      imported,
      importedAnywhere,
    });
  }
  return found;
}

/** The first cycle found in a graph, as a path that starts and ends at the same node, or undefined. */
function findCycle(graph: Map<string, Set<string>>): string[] | undefined {
  const state = new Map<string, 'visiting' | 'done'>();
  const path: string[] = [];
  const visit = (node: string): string[] | undefined => {
    if (state.get(node) === 'done') return undefined;
    if (state.get(node) === 'visiting') return [...path.slice(path.indexOf(node)), node];
    state.set(node, 'visiting');
    path.push(node);
    for (const next of graph.get(node) ?? []) {
      const cycle = visit(next);
      if (cycle !== undefined) return cycle;
    }
    path.pop();
    state.set(node, 'done');
    return undefined;
  };
  for (const node of graph.keys()) {
    const cycle = visit(node);
    if (cycle !== undefined) return cycle;
  }
  return undefined;
}

describe('the workspace import graph', () => {
  it('has no app that depends on or imports another app', async () => {
    const all = await workspaces();
    const apps = new Set(all.filter((workspace) => workspace.isApp).map((workspace) => workspace.name));
    const arrows = all.flatMap((workspace) =>
      [...workspace.declared, ...workspace.importedAnywhere]
        .filter((target) => apps.has(target) && target !== workspace.name)
        .map((target) => `${workspace.dir} -> ${target}`),
    );
    expect([...new Set(arrows)]).toEqual([]);
  });

  it('has no package that imports a workspace package it does not declare', async () => {
    const all = await workspaces();
    const names = new Set(all.map((workspace) => workspace.name));
    const undeclared = all.flatMap((workspace) =>
      [...workspace.importedAnywhere]
        .filter((target) => names.has(target) && target !== workspace.name && !workspace.declared.has(target))
        .map((target) => `${workspace.dir} imports ${target}`),
    );
    expect(undeclared).toEqual([]);
  });

  it('has no dependency cycle between workspace packages (manifests and source imports)', async () => {
    const all = await workspaces();
    const names = new Set(all.map((workspace) => workspace.name));
    const graph = new Map(
      all.map((workspace) => [
        workspace.name,
        new Set(
          [...workspace.runtime, ...workspace.imported].filter(
            (target) => names.has(target) && target !== workspace.name,
          ),
        ),
      ]),
    );
    expect(findCycle(graph)).toBeUndefined();
  });
});
