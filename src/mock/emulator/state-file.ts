// Where the emulator's state lives between runs: a snapshot (FILE, JSON) and a journal
// of the changes made since (FILE.journal, one JSON line per change). A change costs one
// appended line, whatever the size of the state; the snapshot is rewritten (atomically:
// write then rename) only when the journal has grown, and at start.
//
// Each change carries a sequence number and the snapshot says the last one it holds, so
// a crash between writing a snapshot and emptying the journal replays nothing twice. A
// change cut off by a crash (the journal's last line incomplete) is dropped.
import { appendFileSync, existsSync, readdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { JsonInputError, parseJson } from '../../net/json.js';

export class StateFileError extends Error {
  override readonly name = 'StateFileError';
}

/** The journal is folded into the snapshot past this many changes, or past the snapshot's size. */
const COMPACT_AFTER_CHANGES = 1000;

export interface Loaded<S, C> {
  snapshot: S | undefined;
  /** The changes made after the snapshot, in order. */
  changes: C[];
}

export class StateFile<S extends object, C extends object> {
  private readonly journal: string;
  private seq = 0;
  private journalChanges = 0;
  private journalBytes = 0;
  private snapshotBytes = 0;

  constructor(readonly path: string) {
    this.journal = `${path}.journal`;
  }

  /** Reads the snapshot and the journal; throws a StateFileError naming what is wrong. */
  load(check: (snapshot: unknown) => string | undefined): Loaded<S, C> {
    removeOrphanedTemporaries(this.path);
    if (!existsSync(this.path)) return { snapshot: undefined, changes: [] };
    let raw: unknown;
    try {
      raw = parseJson(readFileSync(this.path, 'utf8'));
    } catch (error) {
      const reason = error instanceof JsonInputError ? `it is ${error.message}` : ((error as NodeJS.ErrnoException).code ?? (error as Error).message);
      throw new StateFileError(`the state file ${this.path} is not one smn-kit wrote (${reason}); move it away or choose another file`);
    }
    const wrong = check(raw);
    if (wrong) throw new StateFileError(`the state file ${this.path} is not one smn-kit wrote: ${wrong}; move it away or choose another file`);
    const { seq = 0, ...snapshot } = raw as S & { seq?: number };
    this.seq = seq;
    return { snapshot: snapshot as unknown as S, changes: this.readJournal(seq) };
  }

  private readJournal(after: number): C[] {
    if (!existsSync(this.journal)) return [];
    const lines = readFileSync(this.journal, 'utf8').split('\n');
    const changes: C[] = [];
    for (const [index, line] of lines.entries()) {
      if (line.trim() === '') continue;
      let entry: { seq?: unknown; change?: unknown };
      try {
        entry = parseJson(line) as typeof entry;
      } catch {
        // The last line of a journal whose writer died mid-append: that change is lost,
        // as it was never answered. Anywhere else, the journal is not ours.
        if (lines.slice(index + 1).every((rest) => rest.trim() === '')) break;
        throw new StateFileError(`${this.journal}: line ${index + 1} is not a change smn-kit wrote; move the state file and its journal away`);
      }
      if (typeof entry.seq !== 'number' || typeof entry.change !== 'object' || entry.change === null) {
        throw new StateFileError(`${this.journal}: line ${index + 1} is not a change smn-kit wrote; move the state file and its journal away`);
      }
      if (entry.seq <= after) continue; // already in the snapshot
      changes.push(entry.change as C);
      this.seq = entry.seq;
    }
    return changes;
  }

  /** Records one change; folds the journal into a snapshot when it has grown. */
  append(change: C, snapshot: () => S): void {
    const line = `${JSON.stringify({ seq: this.seq + 1, change })}\n`;
    try {
      appendFileSync(this.journal, line);
    } catch (error) {
      throw new StateFileError(`cannot write the state journal ${this.journal}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
    this.seq += 1;
    this.journalChanges += 1;
    this.journalBytes += line.length;
    if (this.journalChanges >= COMPACT_AFTER_CHANGES || this.journalBytes > Math.max(this.snapshotBytes, 1 << 20)) this.compact(snapshot());
  }

  /** Writes the whole state as the snapshot and empties the journal. */
  compact(snapshot: S): void {
    const temporary = `${this.path}.${process.pid}.tmp`;
    const text = `${JSON.stringify({ ...snapshot, seq: this.seq })}\n`;
    try {
      writeFileSync(temporary, text);
      renameSync(temporary, this.path);
      writeFileSync(this.journal, '');
    } catch (error) {
      throw new StateFileError(`cannot write the state file ${this.path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
    this.snapshotBytes = text.length;
    this.journalChanges = 0;
    this.journalBytes = 0;
  }
}

/** Removes the temporary files of writers that died mid-write (kill -9), leaving live writers' alone. */
function removeOrphanedTemporaries(file: string): void {
  const directory = dirname(file);
  const pattern = new RegExp(`^${basename(file).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.(\\d+)\\.tmp$`);
  let names: string[];
  try {
    names = readdirSync(directory);
  } catch {
    return; // no directory: writing will say so
  }
  for (const name of names) {
    const pid = Number(pattern.exec(name)?.[1]);
    if (!pid || (pid !== process.pid && isAlive(pid))) continue;
    try {
      unlinkSync(join(directory, name));
    } catch {
      // gone already, or not ours to remove
    }
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
