/** Where a command writes; a process's streams, or buffers in tests. */
export interface CliIO {
  out(text: string): void;
  err(text: string): void;
  /** Writes to stdout and resolves when it can take more (streamed exports wait on it). Default `out`. */
  write?(text: string): Promise<void>;
  /** Whether stderr is a terminal: progress is shown only there. Default false. */
  errIsTTY?: boolean;
}

/** The first error stdout reported (EPIPE when the reader went away), kept so later writes fail too. */
let stdoutError: Error | undefined;
let watching = false;

function writeStdout(text: string): Promise<void> {
  if (!watching) {
    watching = true;
    process.stdout.on('error', (error) => {
      stdoutError ??= error;
    });
  }
  return new Promise((resolve, reject) => {
    if (stdoutError) return reject(stdoutError);
    if (process.stdout.write(text)) return resolve();
    const onError = (error: Error) => reject(error);
    process.stdout.once('error', onError);
    process.stdout.once('drain', () => {
      process.stdout.off('error', onError);
      resolve();
    });
  });
}

export const processIO: CliIO = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  write: writeStdout,
  get errIsTTY() {
    return process.stderr.isTTY === true;
  },
};

/** Exit codes: 0 everything verified, 1 a break, a failed check or nothing found, 2 a usage or input error. */
export const EXIT = { ok: 0, failed: 1, error: 2 } as const;

/** Node's file errors: "ENOENT: no such file or directory, open 'nope.json'". */
const FILE_ERROR = /(?:\bError: )?\bE[A-Z]+: ([^,']+), [a-z]+ '([^']*)'/;

/**
 * An error's message for the terminal, with the one "auditkit:" prefix the CLI adds itself. A
 * file error reads as "nope.json: no such file or directory", its path named once.
 */
export function errorMessage(error: unknown): string {
  const message = (error instanceof Error ? error.message : String(error)).replace(/^(auditkit:\s*)+/, '');
  return message.replace(FILE_ERROR, (_match, what: string, path: string, at: number) =>
    message.slice(0, at).includes(path) ? what : `${path}: ${what}`,
  );
}
