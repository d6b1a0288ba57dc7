// npm run lint: typescript-eslint's recommended type-checked rules, and the layers of
// scripts/layers.mjs: an import that runs the wrong way fails.
import tseslint from 'typescript-eslint';
import { LAYERS } from './scripts/layers.mjs';

const globsOf = (layer) => [...layer.folders.map((folder) => `src/${folder}/**/*.ts`), ...layer.files.map((file) => `src/${file}`)];

/** The import patterns a file of `layer` (in `folder`, for the features) may not use. */
function forbidden(index, folder) {
  const patterns = [];
  for (const above of LAYERS.slice(index + 1)) {
    for (const name of above.folders) patterns.push({ group: [`**/${name}/*`, `./${name}/*`], message: `${name}/ is in the ${above.name} layer, above this one: imports run one way (scripts/layers.mjs).` });
    // A file at the top of src/: `../name.js` from a folder (a folder's own index.js is another file).
    for (const file of above.files) patterns.push({ group: [`../${file.replace(/\.ts$/, '.js')}`], message: `${file} is in the ${above.name} layer, above this one (scripts/layers.mjs).` });
  }
  if (folder !== undefined) {
    for (const other of LAYERS[index].folders.filter((name) => name !== folder)) {
      patterns.push({ group: [`../${other}/*`, `**/src/${other}/*`], message: `${other}/ is another feature: features share through core, never import each other (scripts/layers.mjs).` });
    }
  }
  return { 'no-restricted-imports': ['error', { patterns }] };
}

const layerRules = LAYERS.flatMap((layer, index) =>
  layer.separate
    ? [
        ...layer.folders.map((folder) => ({ files: [`src/${folder}/**/*.ts`], rules: forbidden(index, folder) })),
        ...(layer.files.length > 0 ? [{ files: layer.files.map((file) => `src/${file}`), rules: forbidden(index) }] : []),
      ]
    : [{ files: globsOf(layer), rules: forbidden(index) }],
);

export default tseslint.config(
  { ignores: ['dist/**', 'build/**', 'generated/**', 'node_modules/**', 'docs/**', 'test/**', 'bench/**', 'scripts/**', 'conformance/**', 'packages/**', '*.mjs', '*.config.*'] },
  {
    files: ['src/**/*.ts'],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // A name that starts with _ is left unused on purpose (a field taken out of a rest).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', ignoreRestSiblings: true }],
    },
  },
  ...layerRules,
);
