import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cycles, importEdges } from './import-graph.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const edges = importEdges(root, 'src');
const describeCycles = (found: string[][]): string[] => found.map((cycle) => cycle.join(' -> '));

describe('the import graph of src', () => {
  it('finds the files it checks', () => {
    expect(edges.length).toBeGreaterThan(100);
    expect(edges.some((edge) => edge.typeOnly)).toBe(true);
  });

  it('has no value-import cycle anywhere, so no module ever sees another half-initialised', () => {
    expect(describeCycles(cycles(edges.filter((edge) => !edge.typeOnly)))).toEqual([]);
  });

  it('has no cycle at all in src/server, type imports included, so each piece there can be read on its own', () => {
    const server = edges.filter(
      (edge) => edge.from.startsWith('src/server/') && edge.to.startsWith('src/server/'),
    );
    expect(describeCycles(cycles(server))).toEqual([]);
  });
});

describe('the cycle finder', () => {
  it('names the files of a cycle in order and ignores a chain', () => {
    const edge = (from: string, to: string) => ({ from, to, typeOnly: false });
    expect(cycles([edge('a', 'b'), edge('b', 'c'), edge('c', 'a'), edge('c', 'd')])).toEqual([
      ['a', 'b', 'c', 'a'],
    ]);
    expect(cycles([edge('a', 'b'), edge('b', 'c')])).toEqual([]);
  });
});
