// Where the emulator's state lives between runs: a snapshot (FILE, JSON) and a journal
// of the changes made since (FILE.journal, one JSON line per change). A change costs one
// appended line, whatever the size of the state; the snapshot is rewritten (atomically:
// write then rename) only when the journal has grown, and at start.
//
// Each change carries a sequence number and the snapshot says the last one it holds, so
// a crash between writing a snapshot and emptying the journal replays nothing twice. A
// change cut off by a crash (the journal's last line incomplete) is dropped.
//
// What can go wrong with the files, and what this file does about it:
// - Two mocks on one file would each overwrite the other's changes: a lock (FILE.lock,
//   made atomically, holding the holder's pid and start time) keeps a second one out;
//   the lock of a process that is gone is taken over.
// - A write that fails (a full disk) must leave the journal as it was: the line cut off
//   is truncated away, and the caller does not apply the change (journal first).
// - A symbolic link in place of a file would be followed, and its target truncated:
//   none of the files is opened through a link (O_NOFOLLOW; temporaries O_EXCL).
// - A path that is not a regular file (/dev/zero, a FIFO, a directory) would read
//   forever or hang, and one too large to read would fail half way: refused with one
//   line. Nothing is written before the files are read and checked, so a file that
//   cannot be loaded is left as it is.
// - The files hold the signing key and the link secret: they are made 0600, and a
//   journal found with a wider mode is narrowed to 0600 (the state file becomes 0600
//   when it is rewritten at start).
import { closeSync, constants, fchmodSync, fstatSync, ftruncateSync, linkSync, lstatSync, openSync, readdirSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { JsonInputError, parseJson } from '../../net/json.js';

export class StateFileError extends Error {
  override readonly name = 'StateFileError';
}

/** The journal is folded into the snapshot past this many changes, or past the snapshot's size. */
const COMPACT_AFTER_CHANGES = 1000;
/** A snapshot or journal larger than this is not read (well below the largest string V8 makes). */
export const MAX_STATE_FILE_BYTES = 256 * 1024 * 1024;
/** Only the owner reads and writes the files: they hold the signing key and the link secret. */
const OWNER_ONLY = 0o600;
const { O_RDONLY, O_WRONLY, O_CREAT, O_EXCL, O_APPEND, O_NOFOLLOW } = constants;

export interface Loaded<S, C> {
  snapshot: S | undefined;
  /** The changes made after the snapshot, in order. */
  changes: C[];
}

/** Why a value read from the file is not what smn-kit writes, or undefined when it is. */
export type Check = (value: unknown) => string | undefined;

const codeOf = (error: unknown): string => (error as NodeJS.ErrnoException).code ?? (error as Error).message;

export class StateFile<S extends object, C extends object> {
  readonly journal: string;
  readonly lock: string;
  private journalFd?: number;
  private holdsLock = false;
  private seq = 0;
  private journalChanges = 0;
  private journalBytes = 0;
  private snapshotBytes = 0;
  /** After a failed compaction, the next is tried once the journal has this many changes. */
  private retryAt = 0;

  constructor(readonly path: string) {
    if (path === '') throw new StateFileError('the state file name is empty: give --state-file a file name, or leave it out to keep no state');
    this.journal = `${path}.journal`;
    this.lock = `${path}.lock`;
  }

  /**
   * Takes the lock, then reads the snapshot and the journal, each line checked; throws a
   * StateFileError naming what is wrong, having written nothing and released the lock.
   */
  load(checkSnapshot: Check, checkChange: Check): Loaded<S, C> {
    // What is not a regular file is refused before anything is made beside it (a lock beside /dev/zero).
    inspect(this.path, 'state file');
    inspect(this.journal, 'state journal');
    this.takeLock();
    try {
      removeOrphanedTemporaries(this.path);
      const text = readRegularFile(this.path, 'state file');
      const journalText = readRegularFile(this.journal, 'state journal');
      let loaded: Loaded<S, C> = { snapshot: undefined, changes: [] };
      if (text === undefined) {
        if (journalText?.trim()) throw new StateFileError(`${this.journal} holds changes, but the state file ${this.path} is missing; put the state file back, or move the journal away`);
      } else {
        loaded = this.parse(text, journalText ?? '', checkSnapshot, checkChange);
      }
      this.openJournal();
      return loaded;
    } catch (error) {
      this.close();
      throw error;
    }
  }

  private parse(text: string, journalText: string, checkSnapshot: Check, checkChange: Check): Loaded<S, C> {
    let raw: unknown;
    try {
      raw = parseJson(text);
    } catch (error) {
      const reason = error instanceof JsonInputError ? `it is ${error.message}` : codeOf(error);
      throw new StateFileError(`the state file ${this.path} is not one smn-kit wrote (${reason}); move it away or choose another file`);
    }
    const wrong = checkSnapshot(raw);
    if (wrong) throw new StateFileError(`the state file ${this.path} is not one smn-kit wrote: ${wrong}; move it away or choose another file`);
    const { seq = 0, ...snapshot } = raw as S & { seq?: number };
    this.seq = seq;
    return { snapshot: snapshot as unknown as S, changes: this.readJournal(journalText, seq, checkChange) };
  }

  private readJournal(text: string, after: number, checkLine: Check): C[] {
    const lines = text.split('\n');
    const changes: C[] = [];
    const refuse = (index: number, why: string): never => {
      throw new StateFileError(`${this.journal}: line ${index + 1} is not a change smn-kit wrote (${why}); move the state file and its journal away`);
    };
    for (const [index, line] of lines.entries()) {
      if (line.trim() === '') continue;
      let entry: unknown;
      try {
        entry = parseJson(line);
      } catch (error) {
        // The last line of a journal whose writer died mid-append: that change is lost,
        // as it was never answered. Anywhere else, the journal is not ours.
        if (lines.slice(index + 1).every((rest) => rest.trim() === '')) break;
        refuse(index, error instanceof JsonInputError ? `it is ${error.message}` : codeOf(error));
      }
      const wrong = checkLine(entry);
      if (wrong) refuse(index, wrong);
      const { seq, change } = entry as { seq: number; change: C };
      if (seq <= after) continue; // already in the snapshot
      changes.push(change);
      this.seq = seq;
    }
    return changes;
  }

  /** Records one change; throws a StateFileError, the journal left as it was, when it cannot be written. */
  append(change: string): void {
    const line = Buffer.from(`{"seq":${this.seq + 1},"change":${change}}\n`);
    const fd = this.journalFd;
    try {
      if (fd === undefined) throw new Error('the state file is closed');
      writeAll(fd, line);
    } catch (error) {
      // A part of the line may have been written (a disk that filled up mid-line): cut it
      // off, or the next line would be appended to it and the journal not read back.
      try {
        if (fd !== undefined) ftruncateSync(fd, this.journalBytes);
      } catch {
        // The start will drop a cut-off last line anyway.
      }
      throw new StateFileError(`cannot write the state journal ${this.journal}: ${codeOf(error)}`);
    }
    this.seq += 1;
    this.journalChanges += 1;
    this.journalBytes += line.length;
  }

  /** Whether the journal has grown enough to be folded into the snapshot. */
  due(): boolean {
    if (this.journalChanges < this.retryAt) return false;
    return this.journalChanges >= COMPACT_AFTER_CHANGES || this.journalBytes > Math.max(this.snapshotBytes, 1 << 20);
  }

  /** Writes the whole state as the snapshot and empties the journal; returns the snapshot's size in bytes. */
  compact(snapshot: S): number {
    const text = Buffer.from(`${JSON.stringify({ ...snapshot, seq: this.seq })}\n`);
    const temporary = `${this.path}.${process.pid}.tmp`;
    try {
      let fd: number;
      try {
        fd = openSync(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, OWNER_ONLY);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        // Ours from a failed write, or planted (a link): removed, never followed.
        unlinkSync(temporary);
        fd = openSync(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, OWNER_ONLY);
      }
      try {
        writeAll(fd, text);
      } finally {
        closeSync(fd);
      }
      renameSync(temporary, this.path);
      if (this.journalFd !== undefined) ftruncateSync(this.journalFd, 0);
    } catch (error) {
      try {
        unlinkSync(temporary);
      } catch {
        // not there
      }
      this.retryAt = this.journalChanges + 100;
      throw new StateFileError(`cannot write the state file ${this.path}: ${codeOf(error)}`);
    }
    this.snapshotBytes = text.length;
    this.journalChanges = 0;
    this.journalBytes = 0;
    this.retryAt = 0;
    return text.length;
  }

  /** Closes the journal and gives the lock back (when this process still holds it). */
  close(): void {
    if (this.journalFd !== undefined) {
      try {
        closeSync(this.journalFd);
      } catch {
        // closed already
      }
      this.journalFd = undefined;
    }
    if (this.holdsLock) {
      this.holdsLock = false;
      const holder = readLock(this.lock);
      if (holder?.pid === process.pid) {
        try {
          unlinkSync(this.lock);
        } catch {
          // gone already
        }
      }
    }
  }

  private openJournal(): void {
    try {
      this.journalFd = openSync(this.journal, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW, OWNER_ONLY);
    } catch (error) {
      throw new StateFileError(`cannot write the state journal ${this.journal}: ${codeOf(error) === 'ELOOP' ? 'it is a symbolic link' : codeOf(error)}`);
    }
    try {
      fchmodSync(this.journalFd, OWNER_ONLY);
    } catch {
      // Another user's file that this one may write: its mode is its owner's to change.
    }
  }

  /**
   * The lock: FILE.lock, holding `{"pid", "started"}` of the mock that holds it, made
   * whole in one step (a link to a file already written), so that nobody reads a lock
   * half made. A lock whose process is gone (or is another process by now: its start
   * time differs) is taken over; one of this process is this process's (an earlier mock
   * of it that was not closed).
   */
  private takeLock(): void {
    const mine = JSON.stringify({ pid: process.pid, started: startTimeOf(process.pid) ?? null });
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        createWhole(this.lock, mine);
        this.holdsLock = true;
        return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw new StateFileError(`cannot write the state file ${this.path}: cannot make its lock ${this.lock}: ${codeOf(error)}`);
      }
      const holder = readLock(this.lock);
      if (holder && holder.pid !== process.pid && isRunning(holder)) {
        throw new StateFileError(`the state file ${this.path} is in use by another mock (pid ${holder.pid}, holding ${this.lock}); stop it, or give this one another --state-file`);
      }
      try {
        unlinkSync(this.lock);
      } catch {
        // taken away by another, who may hold it now: the next attempt says
      }
    }
    throw new StateFileError(`cannot take the lock ${this.lock} of the state file ${this.path}: other mocks keep taking it`);
  }
}

/** Writes all of `data`, however many writes it takes. */
function writeAll(fd: number, data: Buffer): void {
  for (let offset = 0; offset < data.length; ) offset += writeSync(fd, data, offset);
}

/** Makes `path` with `text` in one step, or throws EEXIST: a temporary file written, then linked in its place. */
function createWhole(path: string, text: string): void {
  const temporary = `${path}.${process.pid}.tmp`;
  try {
    unlinkSync(temporary);
  } catch {
    // none left over
  }
  const fd = openSync(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, OWNER_ONLY);
  try {
    writeAll(fd, Buffer.from(text));
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(temporary, path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // A file system without hard links: made with O_EXCL instead (written just after).
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS') throw error;
    const fd = openSync(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, OWNER_ONLY);
    try {
      writeAll(fd, Buffer.from(text));
    } finally {
      closeSync(fd);
    }
  } finally {
    unlinkSync(temporary);
  }
}

interface LockHolder {
  pid: number;
  started: string | null;
}

/** The holder a lock names, or undefined when it is not a lock smn-kit made (or is gone). */
function readLock(path: string): LockHolder | undefined {
  try {
    const fd = openSync(path, O_RDONLY | O_NOFOLLOW);
    let text: string;
    try {
      if (!fstatSync(fd).isFile() || fstatSync(fd).size > 1024) return undefined;
      text = readFileSync(fd, 'utf8');
    } finally {
      closeSync(fd);
    }
    const holder = JSON.parse(text) as Partial<LockHolder>;
    return Number.isSafeInteger(holder.pid) && holder.pid! > 0 ? { pid: holder.pid!, started: typeof holder.started === 'string' ? holder.started : null } : undefined;
  } catch {
    return undefined;
  }
}

/** Whether the lock's holder still runs: its pid is alive and, where the system says, started when the lock says. */
function isRunning(holder: LockHolder): boolean {
  if (!isAlive(holder.pid)) return false;
  const started = startTimeOf(holder.pid);
  return holder.started === null || started === undefined || started === holder.started;
}

/** When a process started, in the system's ticks since boot (Linux /proc), or undefined where the system does not say. */
function startTimeOf(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces and parentheses): the 20th is the start time.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/**
 * The content of a regular file, or undefined when there is none; a link, a device, a
 * FIFO, a directory or a file too large to read is refused without being opened.
 */
function readRegularFile(path: string, what: string): string | undefined {
  if (!inspect(path, what)) return undefined;
  try {
    const fd = openSync(path, O_RDONLY | O_NOFOLLOW);
    try {
      // Replaced between the look and the open: read only what is still a regular file.
      if (!fstatSync(fd).isFile()) throw new Error('it is no longer a regular file');
      return readFileSync(fd, 'utf8');
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    throw new StateFileError(`cannot read the ${what} ${path}: ${codeOf(error)}`);
  }
}

/** Whether there is a file at `path` (a regular one, not too large to read); anything else is refused. */
function inspect(path: string, what: string): boolean {
  let stats;
  try {
    stats = lstatSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw new StateFileError(`cannot read the ${what} ${path}: ${codeOf(error)}`);
  }
  if (stats.isSymbolicLink()) throw new StateFileError(`the ${what} ${path} is a symbolic link; smn-kit writes its state only to regular files: give the path of the file itself`);
  if (!stats.isFile()) throw new StateFileError(`the ${what} ${path} is not a regular file (a device, a FIFO or a directory); give the path of a file, or of one to create`);
  if (stats.size > MAX_STATE_FILE_BYTES) {
    throw new StateFileError(`the ${what} ${path} is ${Math.ceil(stats.size / 2 ** 20)} MiB, more than smn-kit reads (${MAX_STATE_FILE_BYTES / 2 ** 20} MiB); it is left as it is: move it away or choose another file`);
  }
  return true;
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
      unlinkSync(join(directory, name)); // a link is removed, never followed
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
