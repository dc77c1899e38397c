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

type Write = NodeJS.WritableStream['write'];

/**
 * The status line on a terminal. While it is drawn, anything else this process writes to stdout or
 * stderr (a session-mode main()'s console, a log line) goes through a guard that erases the status
 * line first and draws it again once that text ended its line, so other text never lands on the
 * spinner's line; the writes are given back when it closes.
 */
class TerminalStatusLine implements StatusLine {
  readonly live = true;
  private text: (() => string) | undefined;
  private frame = 0;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  /** Whether the status line is on the screen now. */
  private drawnNow = false;
  /** Whether another writer left a line unfinished: the status line waits until it ends. */
  private partial = false;
  /** The streams' own writes, which the guards replaced, by stream. */
  private readonly originals = new Map<NodeJS.WritableStream, Write>();

  constructor(private readonly stream: NodeJS.WriteStream) {
    for (const target of new Set<NodeJS.WritableStream>([process.stdout, process.stderr, stream])) this.guard(target);
  }

  print(line: string, to: NodeJS.WritableStream = this.stream): void {
    this.erase();
    this.raw(to, `${line}\n`);
    this.partial = false;
    this.draw();
  }

  set(text: (() => string) | undefined): void {
    if (this.closed) return;
    this.text = text;
    if (text) this.draw();
    else this.erase();
    if (text && !this.timer) {
      // Unreferenced: the spinner never keeps the command alive.
      this.timer = setInterval(() => this.tick(), FRAME_MS).unref();
    }
  }

  close(): void {
    if (this.closed) return;
    this.erase();
    this.closed = true;
    this.text = undefined;
    clearInterval(this.timer);
    for (const [target, write] of this.originals) target.write = write;
    this.originals.clear();
  }

  private tick(): void {
    if (!this.text) return;
    this.frame = (this.frame + 1) % FRAMES.length;
    this.draw();
  }

  /** Draws (or redraws) the status line, unless there is none or another writer's line is unfinished. */
  private draw(): void {
    if (this.closed || !this.text || this.partial) return;
    this.raw(this.stream, `${CLEAR_LINE}${this.drawn()}`);
    this.drawnNow = true;
  }

  /** Takes the status line off the screen, leaving the cursor at the start of its line. */
  private erase(): void {
    if (!this.drawnNow) return;
    this.raw(this.stream, CLEAR_LINE);
    this.drawnNow = false;
  }

  /** Writes with the stream's own write, past the guard. */
  private raw(target: NodeJS.WritableStream, text: string): void {
    (this.originals.get(target) ?? target.write).call(target, text);
  }

  private guard(target: NodeJS.WritableStream): void {
    const original = target.write;
    this.originals.set(target, original);
    const write = (chunk: unknown, ...rest: unknown[]): boolean => {
      this.erase();
      const written = (original as (...args: unknown[]) => boolean).call(target, chunk, ...rest);
      const text = typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('utf8') : '';
      if (text.length > 0) this.partial = !text.endsWith('\n');
      this.draw();
      return written;
    };
    target.write = write as Write;
  }

  /** The line as drawn: cut to the terminal's width, since a line that wraps cannot be erased with one CLEAR_LINE. */
  private drawn(): string {
    const line = `${FRAMES[this.frame]} ${this.text?.() ?? ''}`;
    const width = this.stream.columns > 1 ? this.stream.columns - 1 : 79;
    return line.length > width ? line.slice(0, width) : line;
  }
}
