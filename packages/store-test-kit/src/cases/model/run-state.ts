import type { SessionManager } from '@sess/core';
import type { CaseContext } from '../../types.ts';
import type { Strategy } from './commands.ts';
import type { GatedStore } from './gated-store.ts';
import type { Model } from './oracle.ts';

/** One run: the managers under test, the model they are checked against, and the run's users. */
export interface Run {
  readonly ctx: CaseContext;
  readonly strategy: Strategy;
  readonly model: Model;
  /** The manager the commands drive, over the gated store. */
  readonly sess: SessionManager;
  /**
   * jwt: a second instance over the same backend that asks the store on every request, so a
   * revocation the store loses cannot hide in the first instance's own cache. `null` otherwise.
   */
  readonly other: SessionManager | null;
  readonly gated: GatedStore;
  readonly userIds: readonly string[];
}
