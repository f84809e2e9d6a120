// How long the response pumps of one turn of the event loop may run before the rest wait for the next
// turn, so a burst for many streams (a hub publish waking every subscriber) lets I/O through.

/** Milliseconds of pump work in one turn after which a woken pump waits for the next turn. @private */
export const turnBudgetMs = 4;
/** A pump that moved at least this many messages in one go starts the turn's clock. @private */
export const budgetedBatch = 8;

/** When the turn's clock started (performance.now()), or -1 while no pump moved a large batch this turn. */
let startedAt = -1;

function resetClock(): void {
  startedAt = -1;
}

/**
 * Notes that a pump has just moved `messages` in one go: the first large batch of a turn starts the
 * turn's clock once it is done (so a turn runs at least two large batches), and the clock stops at
 * the loop's next check phase. Small batches (a ping-pong's one message) cost nothing.
 * @private
 */
export function notePumped(messages: number): void {
  if (messages < budgetedBatch || startedAt >= 0) return;
  startedAt = performance.now();
  setImmediate(resetClock);
}

/** True when pumps have run {@link turnBudgetMs} in this turn: a woken pump should wait for the next. @private */
export function turnSpent(): boolean {
  return startedAt >= 0 && performance.now() - startedAt > turnBudgetMs;
}

/** Resolves in the next turn of the loop, after its I/O (node's HTTP/2 sends what was written). @private */
export function nextLoopTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
