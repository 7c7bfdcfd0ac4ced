import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { Session } from 'chdb';
import { clickhouse } from '../../dialect/clickhouse.js';
import type { SqlParams } from '../../dialect/sql-value.js';
import type { Row } from '../engine.js';
import { ClickHouseEngine } from './clickhouse-engine.js';
import { bindClickHouse } from './clickhouse-statements.js';

export interface ChdbOptions {
  /** Data directory of the embedded ClickHouse (created when missing). */
  path: string;
  /** Database the tables live in (default "powerlens"). */
  database?: string | undefined;
}

/**
 * ClickHouse in-process (chDB): the same engine a server runs, as a library, on a data directory.
 * Used by the tests (the conformance suite runs every compiled query here and on DuckDB) and as
 * the optional embedded mode `--engine chdb`. One data directory per process (a libchdb limit).
 */
export class ChdbEngine extends ClickHouseEngine {
  private constructor(
    private readonly session: Session,
    database: string,
  ) {
    super(database, undefined);
  }

  static async open(options: ChdbOptions): Promise<ChdbEngine> {
    const path = resolve(options.path);
    mkdirSync(path, { recursive: true });
    const database = options.database ?? 'powerlens';
    const session = new Session(path);
    const quoted = `\`${database.replace(/`/g, '')}\``;
    await session.queryAsync(`CREATE DATABASE IF NOT EXISTS ${quoted}`);
    // Unqualified names in compiled queries are this database's tables.
    await session.queryAsync(`USE ${quoted}`);
    // What the shared SQL assumes (src/dialect/clickhouse.ts); values are the dialect's own.
    for (const [name, value] of Object.entries(clickhouse.sessionSettings)) {
      await session.queryAsync(`SET ${name} = ${typeof value === 'number' ? value : `'${value}'`}`);
    }
    return new ChdbEngine(session, database);
  }

  protected async compactText(sql: string, params?: SqlParams): Promise<string> {
    const result = await this.session.queryBindAsync(sql, bindClickHouse(sql, params), {
      format: 'JSONCompactEachRowWithNamesAndTypes',
    });
    return result.text();
  }

  protected async command(sql: string, params?: SqlParams): Promise<void> {
    await this.compactText(sql, params);
  }

  protected async insertRows(table: string, rows: readonly Row[]): Promise<void> {
    await this.session.insert({ table, values: rows as Record<string, unknown>[] });
  }

  exportParquet(sql: string, params: SqlParams, path: string): Promise<void> {
    const target = path.replace(/\\/g, '\\\\').replace(/'/g, "\\'");
    return this.run(
      `INSERT INTO FUNCTION file('${target}', 'Parquet') ${sql} SETTINGS engine_file_truncate_on_insert = 1`,
      params,
    ).then(() => undefined);
  }

  protected async release(): Promise<void> {
    this.session.close();
  }
}
