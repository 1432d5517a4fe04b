// Starts mongo-java-server (fetched by Maven into target/lib on first use) on an ephemeral port.
const { execFileSync, spawn } = require('node:child_process');
const { existsSync } = require('node:fs');
const { join } = require('node:path');
const { createInterface } = require('node:readline');

/** Resolves to `{ uri, stop() }` once the server listens. */
async function startJavaMongo() {
  if (!existsSync(join(__dirname, 'target/lib'))) {
    execFileSync('mvn', ['-q', '-B', 'dependency:copy-dependencies', '-DoutputDirectory=target/lib'], {
      cwd: __dirname,
      stdio: 'inherit',
    });
  }
  const child = spawn('java', ['-cp', join(__dirname, 'target/lib/*'), join(__dirname, 'Main.java')], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const port = await new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`mongo test server exited with ${code}`)));
    createInterface({ input: child.stdout }).on('line', (line) => {
      const match = /^PORT (\d+)/.exec(line);
      if (match) resolve(match[1]);
    });
  });
  return {
    uri: `mongodb://127.0.0.1:${port}/?directConnection=true`,
    stop() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.stdin.end();
      child.kill();
      return exited;
    },
  };
}

module.exports = { startJavaMongo };
