import { budgetedBatch, notePumped, turnBudgetMs, turnSpent } from "./turn-budget.js";

/** Spins until `ms` have passed (the budget is wall time within one turn). */
function busy(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until);
}
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe("the pumps' turn budget", () => {
  afterEach(() => nextTurn());

  it("is never spent by small batches, however long the turn runs", () => {
    for (let i = 0; i < 100; i++) notePumped(budgetedBatch - 1);
    busy(turnBudgetMs + 2);
    expect(turnSpent()).toBe(false);
  });

  it("is spent once a large batch started the clock and the turn ran past the budget", () => {
    notePumped(budgetedBatch);
    expect(turnSpent()).toBe(false);
    busy(turnBudgetMs + 2);
    expect(turnSpent()).toBe(true);
  });

  it("starts afresh in the next turn of the loop", async () => {
    notePumped(budgetedBatch);
    busy(turnBudgetMs + 2);
    expect(turnSpent()).toBe(true);
    await nextTurn();
    expect(turnSpent()).toBe(false);
  });
});
