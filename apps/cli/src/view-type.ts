import type { ViewType } from '@cairn/core';
import { InvalidArgumentError } from 'commander';

const views: Record<string, ViewType> = {
  active_only: 'ACTIVE_ONLY',
  deleted_only: 'DELETED_ONLY',
  all: 'ALL',
};

/** Parses MLflow's `--view` values (`active_only`, `deleted_only`, `all`, any case). */
export function parseViewType(value: string): ViewType {
  const view = views[value.toLowerCase()];
  if (view === undefined) {
    throw new InvalidArgumentError(`expected one of ${Object.keys(views).join(', ')}`);
  }
  return view;
}

/** Parses a positive integer option. */
export function parsePositiveInt(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number <= 0) throw new InvalidArgumentError('expected a positive integer');
  return number;
}
