/**
 * Files NSE publishes: bytes → CSV records with their line numbers. A `.zip` (NSE zips most of its
 * daily files) is opened with fflate; the text must be UTF-8. Pure: bytes in, records out.
 */
import { parse } from 'csv-parse/sync';
import { unzipSync } from 'fflate';

/** The file cannot be read as one CSV: not text, a zip without exactly one CSV, broken quoting. */
export class UnreadableFileError extends Error {
  override name = 'UnreadableFileError';
}

/** A daily bhavcopy is a few megabytes; anything near this inside a zip is not one (zip bomb). */
const MAX_UNZIPPED_BYTES = 64 * 1024 * 1024;

const isZip = (bytes: Uint8Array) =>
  bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;

/** The CSV text of a plain or zipped file (judged by its bytes, not its name). */
export function csvText(bytes: Uint8Array): string {
  let data = bytes;
  if (isZip(bytes)) {
    let files: Record<string, Uint8Array>;
    try {
      files = unzipSync(bytes, {
        filter: (f) => {
          if (f.originalSize > MAX_UNZIPPED_BYTES) {
            throw new UnreadableFileError(`${f.name} in the zip is over ${MAX_UNZIPPED_BYTES / 2 ** 20} MB`);
          }
          return /\.csv$/i.test(f.name);
        },
      });
    } catch (error) {
      if (error instanceof UnreadableFileError) throw error;
      throw new UnreadableFileError(`not a readable zip file (${(error as Error).message})`);
    }
    const names = Object.keys(files);
    if (names.length !== 1) {
      throw new UnreadableFileError(`the zip holds ${names.length} CSV files; expected exactly one`);
    }
    data = files[names[0] as string] as Uint8Array;
  }
  try {
    // fatal: a byte sequence that is not UTF-8 refuses the file rather than importing U+FFFD.
    return new TextDecoder('utf-8', { fatal: true }).decode(data);
  } catch {
    throw new UnreadableFileError('not UTF-8 text');
  }
}

export interface CsvRecord {
  /** 1-based line number in the file, as a spreadsheet shows it. */
  line: number;
  cells: string[];
}

/** Records of a CSV text, cells trimmed (inside quotes too), empty lines skipped. */
export function csvRecords(text: string): CsvRecord[] {
  try {
    const rows = parse(text, {
      relax_column_count: true,
      skip_empty_lines: true,
      trim: true,
      info: true,
    }) as unknown as { record: string[]; info: { lines: number } }[];
    // trim only trims outside quotes; NSE's downloads quote cells with spaces inside ("EQ ").
    return rows.map(({ record, info }) => ({ line: info.lines, cells: record.map((c) => c.trim()) }));
  } catch (error) {
    throw new UnreadableFileError(`not a readable CSV file (${(error as Error).message})`);
  }
}

/**
 * The records of a plain or zipped CSV file. A file that cannot be read is refused with the
 * caller's own error (`NotABhavcopyError`, …), so each importer reports what it expected.
 */
export function fileRecords(bytes: Uint8Array, refuse: (message: string) => Error): CsvRecord[] {
  try {
    return csvRecords(csvText(bytes));
  } catch (error) {
    if (error instanceof UnreadableFileError) throw refuse(error.message);
    throw error;
  }
}

/** Column index by header name (the first record); `undefined` when a name is missing. */
export function columnIndex<N extends string>(
  header: string[],
  names: readonly N[],
): Record<N, number> | undefined {
  const out = {} as Record<N, number>;
  for (const name of names) {
    const i = header.indexOf(name);
    if (i < 0) return undefined;
    out[name] = i;
  }
  return out;
}
