// Records of the emulator's inspection endpoints judged against spec/mock-admin.openapi.yaml
// (its dereferenced copy under generated/), fields the schema does not declare included.
import { fileURLToPath } from 'node:url';
import { readContractDocument } from '../../src/contract/document.js';
import { smnResponses } from '../../src/contract/smn-responses.js';

/** Problems of a record of /_mock/deliveries against the Delivery schema; `time` and `project_id` are the endpoint's own. */
export function deliveryProblems(record: object): string[] {
  const document = readContractDocument(fileURLToPath(new URL('../../generated/mock-admin.openapi.dereferenced.json', import.meta.url))) as {
    components: { schemas: { Delivery: { properties: Record<string, unknown> } } };
  };
  const schema = document.components.schemas.Delivery;
  const { time: _time, project_id: _project, ...delivery } = record as Record<string, unknown>;
  const undeclared = Object.keys(delivery).filter((key) => !(key in schema.properties)).map((key) => `${key} is not declared`);
  return [...undeclared, ...smnResponses().validateWith('mock-admin Delivery', schema, delivery).map((p) => `${p.pointer}: expected ${p.expected}`)];
}
