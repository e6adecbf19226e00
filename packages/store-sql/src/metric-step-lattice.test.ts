import { describe, expect, it } from 'vitest';
import { latticeStepsAtRanks, stepLattice } from './metric-step-lattice.js';

describe('stepLattice', () => {
  it('merges overlapping and touching progressions on one lattice into spans', () => {
    const lattice = stepLattice([
      { first: 0, last: 30, stride: 3 },
      { first: 33, last: 60, stride: 3 },
      { first: 90, last: 99, stride: 3 },
      { first: 45, last: 45, stride: undefined },
    ]);
    expect(lattice).toEqual({
      base: 0,
      stride: 3,
      spans: [
        [0, 20],
        [30, 33],
      ],
      count: 25,
    });
  });

  it('treats single steps as a stride-1 lattice when no run sets a stride', () => {
    expect(
      stepLattice([
        { first: 7, last: 7, stride: undefined },
        { first: 3, last: 3, stride: undefined },
      ]),
    ).toEqual({
      base: 3,
      stride: 1,
      spans: [
        [0, 0],
        [4, 4],
      ],
      count: 2,
    });
  });

  it('refuses progressions that do not share a lattice', () => {
    expect(
      stepLattice([
        { first: 0, last: 10, stride: 2 },
        { first: 0, last: 10, stride: 5 },
      ]),
    ).toBeUndefined();
    expect(
      stepLattice([
        { first: 0, last: 9, stride: 3 },
        { first: 1, last: 10, stride: 3 },
      ]),
    ).toBeUndefined();
    expect(
      stepLattice([
        { first: 0, last: 9, stride: 3 },
        { first: 4, last: 4, stride: undefined },
      ]),
    ).toBeUndefined();
    expect(stepLattice([])).toBeUndefined();
  });
});

describe('latticeStepsAtRanks', () => {
  it('maps ranks of the union to steps across spans, negative bases included', () => {
    const lattice = stepLattice([
      { first: -10, last: -4, stride: 2 },
      { first: 10, last: 14, stride: 2 },
    ]);
    // The union is -10, -8, -6, -4, 10, 12, 14.
    expect(lattice?.count).toBe(7);
    expect(latticeStepsAtRanks(lattice as NonNullable<typeof lattice>, [0, 3, 4, 6])).toEqual([
      -10, -4, 10, 14,
    ]);
  });
});
