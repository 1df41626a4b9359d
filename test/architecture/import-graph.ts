import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

/** One `import … from` or `export … from` between two files of the tree, by repository-relative path. */
export interface ImportEdge {
  from: string;
  to: string;
  /** `import type`, `export type`, or every named binding marked `type`: erased at compile time. */
  typeOnly: boolean;
}

/** Every relative import and re-export between .ts files under `dir` (tests excluded). */
export function importEdges(root: string, dir: string): ImportEdge[] {
  const edges: ImportEdge[] = [];
  for (const file of tsFiles(join(root, dir))) {
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest);
    for (const statement of source.statements) {
      const edge = edgeOf(statement);
      if (edge === undefined || !edge.specifier.startsWith('.')) continue;
      const target = resolve(dirname(file), edge.specifier.replace(/\.js$/, '.ts'));
      edges.push({ from: relative(root, file), to: relative(root, target), typeOnly: edge.typeOnly });
    }
  }
  return edges;
}

function edgeOf(statement: ts.Statement): { specifier: string; typeOnly: boolean } | undefined {
  if (ts.isImportDeclaration(statement) && ts.isStringLiteral(statement.moduleSpecifier)) {
    const clause = statement.importClause;
    // `import './x.js'` runs the module, so it is a value edge.
    if (clause === undefined) return { specifier: statement.moduleSpecifier.text, typeOnly: false };
    const bindings = clause.namedBindings;
    const allNamedAreTypes =
      clause.name === undefined &&
      bindings !== undefined &&
      ts.isNamedImports(bindings) &&
      bindings.elements.length > 0 &&
      bindings.elements.every((element) => element.isTypeOnly);
    return { specifier: statement.moduleSpecifier.text, typeOnly: clause.isTypeOnly || allNamedAreTypes };
  }
  if (
    ts.isExportDeclaration(statement) &&
    statement.moduleSpecifier !== undefined &&
    ts.isStringLiteral(statement.moduleSpecifier)
  ) {
    const clause = statement.exportClause;
    const allNamedAreTypes =
      clause !== undefined &&
      ts.isNamedExports(clause) &&
      clause.elements.length > 0 &&
      clause.elements.every((element) => element.isTypeOnly);
    return { specifier: statement.moduleSpecifier.text, typeOnly: statement.isTypeOnly || allNamedAreTypes };
  }
  return undefined;
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return tsFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

/**
 * The cycles of the graph, one per strongly connected component of more than one file (or a file that
 * imports itself), each written as a closed path `a -> b -> … -> a` through that component.
 */
export function cycles(edges: readonly ImportEdge[]): string[][] {
  const next = new Map<string, string[]>();
  for (const { from, to } of edges) next.set(from, [...(next.get(from) ?? []), to]);
  return components(next)
    .filter((component) => component.length > 1 || (next.get(component[0]!) ?? []).includes(component[0]!))
    .map((component) => closedPath(component, next));
}

/** Tarjan's algorithm, iterative so a deep import chain cannot overflow the stack. */
function components(next: ReadonlyMap<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const found: string[][] = [];
  let counter = 0;
  for (const start of [...next.keys()].sort()) {
    if (index.has(start)) continue;
    const work: { node: string; child: number }[] = [{ node: start, child: 0 }];
    index.set(start, counter);
    low.set(start, counter++);
    stack.push(start);
    onStack.add(start);
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      const children = next.get(frame.node) ?? [];
      if (frame.child < children.length) {
        const child = children[frame.child++]!;
        if (!index.has(child)) {
          index.set(child, counter);
          low.set(child, counter++);
          stack.push(child);
          onStack.add(child);
          work.push({ node: child, child: 0 });
        } else if (onStack.has(child)) {
          low.set(frame.node, Math.min(low.get(frame.node)!, index.get(child)!));
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent !== undefined) low.set(parent.node, Math.min(low.get(parent.node)!, low.get(frame.node)!));
      if (low.get(frame.node) === index.get(frame.node)) {
        const component: string[] = [];
        let member: string;
        do {
          member = stack.pop()!;
          onStack.delete(member);
          component.push(member);
        } while (member !== frame.node);
        found.push(component.sort());
      }
    }
  }
  return found;
}

/** A shortest way from the component's first file back to itself, staying inside the component. */
function closedPath(component: readonly string[], next: ReadonlyMap<string, string[]>): string[] {
  const inside = new Set(component);
  const start = component[0]!;
  const cameFrom = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const node = queue.shift()!;
    for (const child of next.get(node) ?? []) {
      if (!inside.has(child)) continue;
      if (child === start) {
        const path = [node];
        while (path[0] !== start) path.unshift(cameFrom.get(path[0]!)!);
        return [...path, start];
      }
      if (!cameFrom.has(child)) {
        cameFrom.set(child, node);
        queue.push(child);
      }
    }
  }
  return [start, start];
}
