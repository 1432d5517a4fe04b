import type { RetentionPolicy } from '@auditkit/core';
import { type PartitionLayout, setupRoles } from '@auditkit/postgres';
import { Pool } from 'pg';
import { type CliIO, EXIT } from './io';

export interface SetupRolesCommandOptions {
  url?: string;
  owner: string;
  app: string;
  schema: string;
  table: string;
  partition: string;
  retention?: string;
}

/** `default=365,security=2555` (days) as a retention policy. */
function retentionPolicy(spec: string): RetentionPolicy {
  const policy: RetentionPolicy = {};
  for (const part of spec.split(',')) {
    const match = /^\s*([^=\s]+)\s*=\s*(\d+(?:\.\d+)?)\s*$/.exec(part);
    if (!match)
      throw new TypeError(
        `--retention must be category=days pairs such as "default=365,security=2555", got "${spec}"`,
      );
    const [, category, days] = match as unknown as [string, string, string];
    if (category === 'default') policy.default = Number(days);
    else policy.categories = { ...policy.categories, [category]: Number(days) };
  }
  return policy;
}

export async function setupRolesCommand(options: SetupRolesCommandOptions, io: CliIO): Promise<number> {
  const retention = options.retention === undefined ? undefined : retentionPolicy(options.retention);
  // Without --url, pg reads PGHOST, PGUSER, PGDATABASE, ... as psql does.
  const pool = new Pool({ ...(options.url ? { connectionString: options.url } : {}), max: 1 });
  try {
    const { actions, risks } = await setupRoles({
      pool,
      owner: options.owner,
      app: options.app,
      schema: options.schema,
      table: options.table,
      partition: options.partition as PartitionLayout,
      retention,
    });
    io.out(`${actions.map((a) => `  ${a}`).join('\n')}\n`);
    if (risks.length > 0) {
      io.out(
        `\nThe application role can still remove or change events:\n${risks.map((r) => `  ${r}\n`).join('')}`,
      );
      return EXIT.failed;
    }
    const partition = options.partition === 'monthly' ? ", partition: 'monthly'" : '';
    io.out(
      `\nThe application connects as ${options.app} and uses postgresStore({ pool, schema: '${options.schema}', table: '${options.table}'${partition}, migrate: false }).\n` +
        'Run this command again after upgrading @auditkit/postgres: it migrates as the owner.\n',
    );
    return EXIT.ok;
  } finally {
    await pool.end();
  }
}
