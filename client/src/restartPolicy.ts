// What the extension does when the Crosswire language server dies: restart it, a bounded number of
// times, and tell the user once. Pure (no `vscode` import), so that it is tested outside VS Code.

export interface CloseDecision {
  /** Start the server again? */
  restart: boolean;
  /** A message for the user, at most once per kind: the first unexpected stop, and giving up. */
  notify?: { severity: 'warning' | 'error'; text: string };
  /** A line for the output channel, every time. */
  log: string;
}

export class RestartPolicy {
  private crashes: number[] = [];
  private toldRestarted = false;
  private toldGaveUp = false;

  /**
   * @param maxRestarts restarts allowed within `windowMs`; one more stop within the window and the server stays stopped
   * @param windowMs the window, in milliseconds
   */
  constructor(
    readonly maxRestarts = 4,
    readonly windowMs = 3 * 60_000,
    private readonly name = 'Crosswire',
  ) {}

  /** The server process exited or its connection closed without the extension asking for it. */
  onClosed(now: number = Date.now()): CloseDecision {
    this.crashes = this.crashes.filter((t) => now - t < this.windowMs);
    this.crashes.push(now);
    const n = this.crashes.length;
    const minutes = Math.round(this.windowMs / 60_000);
    if (n > this.maxRestarts) {
      const notify = this.toldGaveUp
        ? undefined
        : {
            severity: 'error' as const,
            text: `The ${this.name} language server stopped ${n} times in ${minutes} minutes and will not be restarted. Run "${this.name}: Restart server" to try again; details are in the ${this.name} output.`,
          };
      this.toldGaveUp = true;
      return { restart: false, notify, log: `The server stopped unexpectedly (${n} times in ${minutes} minutes): not restarting it.` };
    }
    const notify = this.toldRestarted
      ? undefined
      : {
          severity: 'warning' as const,
          text: `The ${this.name} language server stopped unexpectedly and was restarted. Details are in the ${this.name} output.`,
        };
    this.toldRestarted = true;
    return {
      restart: true,
      notify,
      log: `The server stopped unexpectedly (${n} time${n === 1 ? '' : 's'} in ${minutes} minutes): restarting it (${this.maxRestarts - n} restart${this.maxRestarts - n === 1 ? '' : 's'} left).`,
    };
  }

  /** An error writing to or reading from the server: go on for the first few, then shut the connection down. */
  onError(count: number | undefined): 'continue' | 'shutdown' {
    return count !== undefined && count <= 3 ? 'continue' : 'shutdown';
  }

  /** The user restarted the server by hand: a fresh budget (the user has been told already, if at all). */
  reset(): void {
    this.crashes = [];
    this.toldGaveUp = false;
  }
}
