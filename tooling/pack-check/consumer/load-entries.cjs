// Loads every specifier given on the command line with require() (this file is CommonJS) and with
// import() (JSON with its import attribute), and prints each one's export names from both, as JSON.
const specifiers = process.argv.slice(2);

async function main() {
  const loaded = {};
  for (const specifier of specifiers) {
    const required = require(specifier);
    const imported = specifier.endsWith('.json')
      ? (await import(specifier, { with: { type: 'json' } })).default
      : await import(specifier);
    loaded[specifier] = {
      require: Object.keys(required).sort(),
      import: Object.keys(imported).sort(),
    };
  }
  process.stdout.write(JSON.stringify(loaded));
}

main().catch((error) => {
  process.stderr.write(`${error.stack}\n`);
  process.exit(1);
});
