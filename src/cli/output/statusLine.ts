/**
 * The one line at the bottom of a terminal that says what a waiting command waits for (a spinner,
 * a status, the time so far), kept below the lines the command prints: every line goes through
 * {@link StatusLine.print}, which clears the status line, writes the line and draws the status line
 * again, so event lines stay whole. On anything but a terminal, or with `--quiet`, there is no
 * status line: printed lines go out as they are, and `set` does nothing.
 */

/** Braille spinner frames, as npm and most terminal tools draw them. */
const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const FRAME_MS = 100;
/** Erases the cursor's line and returns to its start. */
export const CLEAR_LINE = '\r\x1b[K';

/** Lines above, one status line below. */
export interface StatusLine {
  /** Whether a status line is drawn at all (a terminal, not quiet). */
  readonly live: boolean;
  /** Writes `line` (without its newline) above the status line, to `to` when given (stdout for JSON lines, which a terminal shows above it too). */
  print(line: string, to?: NodeJS.WritableStream): void;
  /** What the status line says after the spinner, asked at each redraw (so it may hold a clock); undefined hides it. */
  set(text: (() => string) | undefined): void;
  /** Erases the status line and stops redrawing it; later prints go out as plain lines. */
  close(): void;
}

/** Options of {@link statusLine}. */
export interface StatusLineOptions {
  /** Where lines go; stderr unless given. */
  stream?: NodeJS.WriteStream;
  /** No status line even on a terminal (`--quiet`). */
  quiet?: boolean;
}

/** A status line on `stream` when it is a terminal (and not quiet), plain lines otherwise. */
export function statusLine(options: StatusLineOptions = {}): StatusLine {
  const stream = options.stream ?? process.stderr;
  if (!stream.isTTY || options.quiet === true) {
    return {
      live: false,
      print: (line, to = stream) => to.write(`${line}\n`),
      set: () => undefined,
      close: () => undefined,
    };
  }
  return new TerminalStatusLine(stream);
}

class TerminalStatusLine implements StatusLine {
  readonly live = true;
  private text: (() => string) | undefined;
  private frame = 0;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly stream: NodeJS.WriteStream) {}

  print(line: string, to: NodeJS.WritableStream = this.stream): void {
    const shown = this.text !== undefined && !this.closed;
    if (to === this.stream) {
      this.stream.write(shown ? `${CLEAR_LINE}${line}\n${this.drawn()}` : `${line}\n`);
      return;
    }
    if (shown) this.stream.write(CLEAR_LINE);
    to.write(`${line}\n`);
    if (shown) this.stream.write(this.drawn());
  }

  set(text: (() => string) | undefined): void {
    if (this.closed) return;
    const had = this.text !== undefined;
    this.text = text;
    this.stream.write(text ? `${CLEAR_LINE}${this.drawn()}` : had ? CLEAR_LINE : '');
    if (text && !this.timer) {
      // Unreferenced: the spinner never keeps the command alive.
      this.timer = setInterval(() => this.tick(), FRAME_MS).unref();
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    if (this.text) this.stream.write(CLEAR_LINE);
    this.text = undefined;
  }

  private tick(): void {
    if (!this.text) return;
    this.frame = (this.frame + 1) % FRAMES.length;
    this.stream.write(`${CLEAR_LINE}${this.drawn()}`);
  }

  /** The line as drawn: cut to the terminal's width, since a line that wraps cannot be erased with one CLEAR_LINE. */
  private drawn(): string {
    const line = `${FRAMES[this.frame]} ${this.text?.() ?? ''}`;
    const width = this.stream.columns > 1 ? this.stream.columns - 1 : 79;
    return line.length > width ? line.slice(0, width) : line;
  }
}
