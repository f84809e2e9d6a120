// The progress line on stderr: one rewritten line on a terminal, one line per step otherwise (CI).

/** Reports what the runner is doing and how much of the plan is done. */
export interface Progress {
  /** Starts a step expected to take `expectedMs`. */
  step(label: string, expectedMs: number): void;
  /** Prints a message on its own line (failures, notes). */
  note(message: string): void;
  /** Clears the line. */
  done(): void;
}

function formatSeconds(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s` : `${s}s`;
}

/** Creates a progress reporter for a plan of `plannedMs` in total. */
export function createProgress(plannedMs: number, stream: NodeJS.WriteStream = process.stderr): Progress {
  const tty = stream.isTTY === true;
  const t0 = Date.now();
  let doneMs = 0;
  let current: { label: string; expectedMs: number; start: number } | undefined;
  let timer: NodeJS.Timeout | undefined;
  const render = (): void => {
    if (current === undefined) return;
    const inStep = Date.now() - current.start;
    const fraction = Math.min(1, (doneMs + Math.min(inStep, current.expectedMs)) / Math.max(1, plannedMs));
    const eta = Math.max(0, plannedMs - doneMs - inStep);
    const line = `[${(fraction * 100).toFixed(0).padStart(3)}% ${formatSeconds(Date.now() - t0)} elapsed, ~${formatSeconds(eta)} left] ${current.label} ${formatSeconds(inStep)}/${formatSeconds(current.expectedMs)}`;
    const width = stream.columns ?? 120;
    stream.write(`\r${line.slice(0, width - 1).padEnd(width - 1)}`);
  };
  const finishStep = (): void => {
    if (current !== undefined) doneMs += current.expectedMs;
    current = undefined;
  };
  return {
    step(label, expectedMs) {
      finishStep();
      current = { label, expectedMs, start: Date.now() };
      if (tty) {
        timer ??= setInterval(render, 250);
        timer.unref();
        render();
      } else {
        stream.write(`[${formatSeconds(Date.now() - t0)}] ${label}\n`);
      }
    },
    note(message) {
      if (tty) stream.write(`\r${" ".repeat((stream.columns ?? 120) - 1)}\r`);
      stream.write(`${message}\n`);
    },
    done() {
      finishStep();
      clearInterval(timer);
      timer = undefined;
      if (tty) stream.write(`\r${" ".repeat((stream.columns ?? 120) - 1)}\r`);
    },
  };
}
