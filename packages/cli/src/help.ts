import type { Command } from 'commander';

/** An example for every command's --help, by command path. */
const EXAMPLES: Record<string, string[]> = {
  auditkit: [
    'auditkit keys generate --out ./keys',
    'auditkit verify ./audit-logs --key ./keys/auditkit-signing.pub --closed',
  ],
  verify: [
    'auditkit verify ./audit-logs --key ./keys/auditkit-signing.pub',
    'auditkit verify ./audit-logs/audit.jsonl --key ./keys/auditkit-signing.pub --closed --json',
  ],
  prove: ['auditkit prove 0193a5c2-7d41-7c3e-9a1b-4f2e8d6c0b17 ./audit-logs -o proof.json'],
  'verify-proof': ['auditkit verify-proof proof.json --key ./keys/auditkit-signing.pub'],
  keys: [
    'auditkit keys generate --out ./keys',
    'auditkit keys create-api-key --tenant acme --scopes read,export',
  ],
  'keys create-api-key': [
    'auditkit keys create-api-key --tenant acme --scopes read,export --name "quarterly review"',
  ],
  'keys revoke-api-key': ['auditkit keys revoke-api-key --keys ./console-keys.json <key-id>'],
  'keys list-api-keys': ['auditkit keys list-api-keys --keys ./console-keys.json --json'],
  query: [
    "auditkit query --store ./audit-logs 'actor:u-alice type:auth.* -outcome:success' --since 24h",
    'auditkit query --store postgres://audit@db.internal/app --tenant acme --format csv --limit 500',
  ],
  export: ["auditkit export --store ./audit-logs 'category:security' --since 7d --format csv > security.csv"],
  serve: [
    'auditkit serve --store ./audit-logs --signing-key ./keys/console.key --public-key ./keys/auditkit-signing.pub',
  ],
  tail: [
    "auditkit tail --server http://127.0.0.1:7070 --key-file ./tail.key 'type:auth.* -outcome:success'",
    'AUDITKIT_API_KEY=$KEY auditkit tail --server http://127.0.0.1:7070 --format json',
  ],
  report: [
    'auditkit report gdpr --subject u-alice --store ./audit-logs --format html --out alice.html',
    'auditkit report period --from 2026-11-01 --to 2026-12-01 --controls sox --store ./audit-logs --format pdf --out nov.pdf',
  ],
  'report gdpr': [
    'auditkit report gdpr --subject u-alice --store postgres://audit@db.internal/app --tenant acme --format pdf --out alice.pdf',
  ],
  'report period': [
    'auditkit report period --from 2026-11-01 --to 2026-12-01 --controls sox,pci --store ./audit-logs > november.json',
  ],
  'verify-export': ['auditkit verify-export export.ndjson --manifest manifest.json --key ./keys/console.pub'],
  postgres: [
    'auditkit postgres setup-roles --url postgres://admin@db.internal/app --owner auditkit_owner --app auditkit_app',
  ],
  'postgres setup-roles': [
    'auditkit postgres setup-roles --url postgres://admin@db.internal/app --owner auditkit_owner --app auditkit_app',
    'PGHOST=db.internal PGUSER=admin auditkit postgres setup-roles --owner auditkit_owner --app auditkit_app --partition monthly --retention default=365,security=2555',
  ],
  'keys generate': [
    'auditkit keys generate --out ./keys',
    'AUDITKIT_SIGNING_KEY=./keys/auditkit-signing.key node server.js   # the writers sign with it',
  ],
};

function path(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c?.parent; c = c.parent) names.unshift(c.name());
  return names.join(' ') || command.name();
}

/** Every command of `program`, itself included. */
export function allCommands(program: Command): Command[] {
  return [program, ...program.commands.flatMap((c) => allCommands(c))];
}

/** Adds the examples to each command's --help. */
export function addExamples(program: Command): void {
  for (const command of allCommands(program)) {
    const examples = EXAMPLES[path(command)];
    if (examples)
      command.addHelpText(
        'after',
        `\nExample${examples.length > 1 ? 's' : ''}:\n  ${examples.join('\n  ')}\n`,
      );
  }
}
