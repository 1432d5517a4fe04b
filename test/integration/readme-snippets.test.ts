/**
 * Every TypeScript block of every README compiles under strict TypeScript against the packages'
 * published types (their `exports` → dist/*.d.ts, as a user's project resolves them), so the docs
 * cannot drift from the API.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

const root = join(__dirname, '..', '..');

function readmes(): string[] {
  const files = [join(root, 'README.md')];
  for (const group of ['packages', 'examples'])
    for (const name of readdirSync(join(root, group)).sort()) {
      const file = join(root, group, name, 'README.md');
      try {
        readFileSync(file);
        files.push(file);
      } catch {
        // a folder without a README
      }
    }
  return files;
}

interface Snippet {
  readme: string;
  /** Line of the opening fence in the README. */
  line: number;
  code: string;
}

function snippets(readme: string): Snippet[] {
  const out: Snippet[] = [];
  const lines = readFileSync(readme, 'utf8').split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (!/^```(ts|typescript)\s*$/.test(lines[i]!)) continue;
    const start = i;
    const body: string[] = [];
    while (++i < lines.length && !lines[i]!.startsWith('```')) body.push(lines[i]!);
    out.push({ readme, line: start + 1, code: body.join('\n') });
  }
  return out;
}

describe('README TypeScript blocks', () => {
  it('compile under strict TypeScript against the published types', () => {
    const all = readmes().flatMap(snippets);
    expect(all.length).toBeGreaterThan(15);
    // Inside the repository, so `@auditkit/*` and the frameworks resolve from its node_modules.
    const dir = join(root, '.tmp', `readme-snippets-${process.pid}`);
    mkdirSync(dir, { recursive: true });
    try {
      const files = all.map((s, i) => {
        // .mts: an ES module, so top-level await works as in the docs.
        const file = join(dir, `snippet-${i}.mts`);
        writeFileSync(file, `${s.code}\nexport {};\n`);
        return file;
      });
      const program = ts.createProgram(files, {
        strict: true,
        target: ts.ScriptTarget.ES2022,
        module: ts.ModuleKind.Node16,
        moduleResolution: ts.ModuleResolutionKind.Node16,
        lib: ['lib.es2023.d.ts'],
        types: ['node'],
        esModuleInterop: true,
        experimentalDecorators: true,
        emitDecoratorMetadata: true,
        skipLibCheck: true,
        noEmit: true,
      });
      const problems = ts.getPreEmitDiagnostics(program).map((d) => {
        const index = d.file ? files.indexOf(d.file.fileName) : -1;
        const s = all[index];
        const where =
          s && d.file && d.start !== undefined
            ? `${relative(root, s.readme)}:${s.line + 1 + d.file.getLineAndCharacterOfPosition(d.start).line}`
            : (d.file?.fileName ?? 'config');
        return `${where}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
      });
      expect(problems).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
