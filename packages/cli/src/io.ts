/** Where a command writes; a process's streams, or buffers in tests. */
export interface CliIO {
  out(text: string): void;
  err(text: string): void;
}

export const processIO: CliIO = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

/** Exit codes: 0 everything verified, 1 a break or a failed check, 2 a usage or input error. */
export const EXIT = { ok: 0, failed: 1, error: 2 } as const;
