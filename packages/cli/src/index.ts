import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { createApiKeyCommand, listApiKeysCommand, revokeApiKeyCommand } from './api-keys-command';
import { API_KEY_ENV, serveCommand, tailCommand } from './console-commands';
import { addExamples } from './help';
import { type CliIO, EXIT, errorMessage, processIO } from './io';
import { keysGenerateCommand } from './keys-command';
import { setupRolesCommand } from './postgres-command';
import { proveCommand, verifyProofCommand } from './prove-command';
import { registerReportCommands } from './report-command';
import { exportCommand, queryCommand } from './store-commands';
import { verifyCommand } from './verify-command';
import { verifyExportCommand } from './verify-export-command';

export { type CliIO, EXIT } from './io';

const { version } = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as {
  version: string;
};

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** Where `serve` and `keys *-api-key` look for the API keys file unless told. */
const DEFAULT_KEYS_FILE = './console-keys.json';

/** Runs the CLI on `argv` (without node and script) and resolves to its exit code. Never exits the process. */
export async function run(argv: readonly string[], io: CliIO = processIO): Promise<number> {
  let code: number = EXIT.ok;
  const program = new Command('auditkit')
    .description('Verify, prove, query, export, serve and tail tamper-evident audit trails')
    .version(version, '-V, --version', 'print the version')
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err });

  program
    .command('verify')
    .description('verify JSONL audit files (rotated and gzipped ones included): hashes, chains, checkpoints')
    .argument('<paths...>', 'audit files or directories (a file stands for its rotated predecessors too)')
    .option('-k, --key <pem>', 'public key (PEM file) that signs checkpoints; repeatable', collect)
    .option('--closed', 'the writers shut down cleanly: every chain must end in a checkpoint')
    .option('--json', 'machine-readable report')
    .option('--allow-empty', 'zero events is OK (by default finding nothing to verify fails)')
    .option(
      '--max-unsigned <n>',
      "most events a chain may have after its last valid checkpoint (default with --key: 1000, the writers' default checkpointEvery)",
    )
    .option(
      '--threads <n>',
      'threads that verify parts of the files at once; 1 for one thread (default: the cores available, for trails of 8 MiB or more)',
    )
    .action(async (paths: string[], options) => {
      code = await verifyCommand(paths, options, io);
    });

  program
    .command('prove')
    .description('prove that one event is in the trail, against the first signed checkpoint after it')
    .argument('<event-id>', 'the event id')
    .argument('<paths...>', 'audit files or directories')
    .option('-o, --out <file>', 'write the proof here instead of stdout')
    .action(async (eventId: string, paths: string[], options) => {
      code = await proveCommand(eventId, paths, options, io);
    });

  program
    .command('verify-proof')
    .description('check a proof from `auditkit prove` with nothing but the proof and the public key')
    .argument('<proof>', 'proof JSON file')
    .option('-k, --key <pem>', 'public key (PEM file); repeatable', collect)
    .action(async (file: string, options) => {
      code = await verifyProofCommand(file, options, io);
    });

  const keys = program.command('keys').description('signing keys for checkpoints, API keys for the console');
  keys
    .command('generate')
    .description('generate an Ed25519 key pair')
    .option('-o, --out <dir>', 'directory for the key files', '.')
    .option('-n, --name <name>', 'file name stem', 'auditkit-signing')
    .action(async (options) => {
      code = await keysGenerateCommand(options, io);
    });

  keys
    .command('create-api-key')
    .description('create a console API key; it is printed once, the keys file keeps only its hash')
    .option('--keys <file>', 'the API keys file', DEFAULT_KEYS_FILE)
    .requiredOption('--tenant <id|*>', "the one tenant the key reaches, or '*' for all")
    .requiredOption('--scopes <list>', 'comma-separated: read, export, write, admin')
    .option('--name <name>', 'a note on whose key it is')
    .action(async (options) => {
      code = await createApiKeyCommand(options, io);
    });

  keys
    .command('revoke-api-key')
    .description('revoke a console API key by id; running consoles close its streams within a second')
    .argument('<id>', 'the key id (akc_<id>_…)')
    .option('--keys <file>', 'the API keys file', DEFAULT_KEYS_FILE)
    .action(async (id: string, options) => {
      code = await revokeApiKeyCommand(id, options, io);
    });

  keys
    .command('list-api-keys')
    .description('list console API keys: id, tenant, scopes, created or revoked (never the keys)')
    .option('--keys <file>', 'the API keys file', DEFAULT_KEYS_FILE)
    .option('--json', 'machine-readable')
    .action(async (options) => {
      code = await listApiKeysCommand(options, io);
    });

  program
    .command('serve')
    .description('run the audit console (REST API, live stream, export, integrity, proofs) over a store')
    .requiredOption('--store <dir|url>', 'the store: a directory of audit files, postgres://… or mongodb://…')
    .option('--keys <file>', 'the API keys file (auditkit keys create-api-key)', DEFAULT_KEYS_FILE)
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port to listen on (0: any free port)', '7070')
    .option(
      '--signing-key <pem>',
      'Ed25519 private key (PEM file) signing export manifests and the console chain',
    )
    .option(
      '-k, --public-key <pem>',
      'public key of the writers, to check checkpoint signatures; repeatable',
      collect,
    )
    .option('--migrate', 'PostgreSQL: create the table and indexes if missing')
    .option('--keyring <file>', 'keyring JSON data-subject reports decrypt protected fields with')
    .option(
      '--subject-keys <file>',
      'subject keys JSON (personal fields), read for each report; erased subjects are marked',
    )
    .action(async (options) => {
      code = await serveCommand(options, io);
    });

  program
    .command('tail')
    .description(`print live events from a running console, like tail -f (key from ${API_KEY_ENV})`)
    .requiredOption('--server <url>', 'the console, e.g. http://127.0.0.1:7070')
    .argument('[filter]', "filter, e.g. 'type:auth.* -outcome:success'")
    .option('--key-file <file>', `file holding the API key (instead of ${API_KEY_ENV})`)
    .option('--format <table|json>', 'output format', 'table')
    .action(async (filter: string | undefined, options) => {
      code = await tailCommand(filter, options, io);
    });

  program
    .command('verify-export')
    .description("check an export against its signed manifest, offline, with the console's public key")
    .argument('<file>', 'the exported file, exactly as downloaded')
    .requiredOption('--manifest <file>', 'its manifest (GET /api/export/<id>/manifest)')
    .option('-k, --key <pem>', 'public key of the console (PEM file); repeatable', collect)
    .action(async (file: string, options) => {
      code = await verifyExportCommand(file, options, io);
    });

  registerReportCommands(program, io, (c) => {
    code = c;
  });

  program
    .command('postgres')
    .description('PostgreSQL store administration')
    .command('setup-roles')
    .description(
      'create an owner role that owns and migrates the trail and an application role that can only insert and read (idempotent)',
    )
    .option(
      '--url <url>',
      'connection URL of a role that may create roles (default: the PG* environment variables)',
    )
    .requiredOption('--owner <role>', 'role that owns the table (created NOLOGIN when missing)')
    .requiredOption('--app <role>', 'role the application connects as (created LOGIN when missing)')
    .option('--schema <name>', 'schema of the table', 'public')
    .option('--table <name>', 'table name', 'audit_events')
    .option('--partition <layout>', 'none or monthly, as the store', 'none')
    .option('--retention <policy>', 'store this retention policy, in days: default=365,security=2555')
    .action(async (options) => {
      code = await setupRolesCommand(options, io);
    });

  program
    .command('query')
    .description(
      'one page of the events a filter selects, newest first, from a directory, postgres://… or mongodb://…',
    )
    .requiredOption('--store <dir|url>', 'the store: a directory of audit files, postgres://… or mongodb://…')
    .argument(
      '[filter]',
      "filter, e.g. 'actor:u-alice type:auth.* -outcome:success' (one starting with - goes after --)",
    )
    .option('--since <time>', 'from this time: ISO date or time, or 15m, 24h, 7d')
    .option('--until <time>', 'before this time: ISO date or time, or 15m, 24h, 7d')
    .option('--tenant <id>', 'only this tenant')
    .option('--limit <n>', 'events per page, 1 to 1000', '100')
    .option('--order <desc|asc>', 'newest (desc) or oldest (asc) first', 'desc')
    .option('--cursor <cursor>', 'the next page, as the previous one printed')
    .option('--format <table|json|csv>', 'output format', 'table')
    .action(async (filter: string | undefined, options) => {
      code = await queryCommand(filter, options, io);
    });

  program
    .command('export')
    .description('every event a filter selects, oldest first, streamed to stdout')
    .requiredOption('--store <dir|url>', 'the store: a directory of audit files, postgres://… or mongodb://…')
    .argument('[filter]', 'filter, as for query (one starting with - goes after --)')
    .option('--since <time>', 'from this time: ISO date or time, or 15m, 24h, 7d')
    .option('--until <time>', 'before this time')
    .option('--tenant <id>', 'only this tenant')
    .option('--format <csv|json|ndjson>', 'output format', 'ndjson')
    .action(async (filter: string | undefined, options) => {
      code = await exportCommand(filter, options, io);
    });

  addExamples(program);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return code;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.error;
    io.err(`auditkit: ${errorMessage(error)}\n`);
    return EXIT.error;
  }
}
