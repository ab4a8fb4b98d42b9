/** Where the CLI writes: injected so tests can capture it and decide whether stderr is a terminal. */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Progress lines only go to a terminal: piped stderr stays clean for logs. */
  stderrIsTTY: boolean;
}

export function processIo(): CliIo {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    stderrIsTTY: Boolean(process.stderr.isTTY),
  };
}

export interface Progress {
  /** Shows `[n/total] what` (overwriting the previous line) when stderr is a terminal. */
  step(what: string): void;
  /** Clears the progress line. */
  done(): void;
}

/** A one-line progress indicator on stderr for operations over several items; silent otherwise. */
export function progress(io: CliIo, total: number, verb: string): Progress {
  if (!io.stderrIsTTY || total < 2) return { step: () => undefined, done: () => undefined };
  let count = 0;
  let shown = false;
  return {
    step(what) {
      count++;
      io.stderr(`\r\x1b[2K[${count}/${total}] ${verb} ${what}`);
      shown = true;
    },
    done() {
      if (shown) io.stderr('\r\x1b[2K');
      shown = false;
    },
  };
}
