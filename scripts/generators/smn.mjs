// TypeScript types of the SMN contract: `paths`, `components`, `operations`.
import openapiTS, { astToString } from 'openapi-typescript';

const spec = new URL('../../spec/smn.openapi.yaml', import.meta.url);

export const targets = [
  {
    file: 'generated/smn.ts',
    source: 'spec/smn.openapi.yaml',
    async render() {
      const ast = await openapiTS(spec, { alphabetize: false, exportType: false, rootTypes: true, rootTypesNoSchemaPrefix: true, enumValues: true });
      return astToString(ast);
    },
  },
];
