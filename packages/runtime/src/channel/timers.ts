// Injectable timer functions for modules that schedule work (resolvers, health watches), with a
// default whose timers never keep the process alive.

/** Timer functions a module schedules with; tests may pass fakes. */
export interface Timers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** The global timers, each `unref()`ed so a pending timer never keeps Node running. */
export const unrefTimers: Timers = {
  setTimeout(callback, ms) {
    const t = setTimeout(callback, ms);
    t.unref();
    return t;
  },
  clearTimeout(handle) {
    clearTimeout(handle as ReturnType<typeof setTimeout>);
  },
};
