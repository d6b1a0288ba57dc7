// The layers of src/, lowest first. A file may import from its own layer and the layers
// below it, never from one above; within the features layer, a feature imports no other
// feature (what two share lives in core). eslint.config.mjs enforces this (npm run lint);
// scripts/package.mjs packs the contract layer, and only it, as smn-kit-contract.
export const LAYERS = [
  {
    name: 'contract',
    about: "the specs' runtime form, SUBHOOK and SMN validation, signing: the smn-kit-contract package",
    // `generated` is the top-level generated/, which src/ sees as src/generated (rootDirs in
    // tsconfig.json) and the build compiles to dist/generated.
    folders: ['contract', 'subhook', 'notification', 'auth', 'generated'],
    files: ['library.ts'],
  },
  {
    name: 'core',
    about: 'what the features share: network, HTTP delivery, judging deliveries, reports, value generation, SMN envelopes',
    folders: ['net', 'report', 'judge', 'generate', 'notify'],
    files: [],
  },
  {
    name: 'features',
    about: 'the mock, the conformance runner, validate, listen, fire: none imports another',
    folders: ['mock', 'conformance', 'validate', 'listen', 'fire'],
    files: ['index.ts'],
    separate: true,
  },
  { name: 'commands', about: 'one file per command, their shared options, main()', folders: ['commands'], files: [] },
  { name: 'cli', about: 'the bin: main() on process.argv', folders: [], files: ['cli.ts'] },
];
