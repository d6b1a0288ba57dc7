// What the service says about itself: its API versions (ListVersions `GET /`, ListVersion
// `GET /v2`), the protocols a subscription may use (ListProtocols) and the cloud services
// an access policy may let publish (ListCloudService, ListCloudServices). Nothing here
// changes; the data is the contract's, where the vendor's pages put it:
// - the versions are the vendor's sample (Open Telekom Cloud api-ref "Listing All SMN API
//   Versions", "Querying the SMN API v2 Version"), their `self` link on the mock's own
//   base URL as the service's is on its own;
// - the protocols are those the emulator accepts for a new subscription, the contract's
//   SubscribingProtocol;
// - the cloud services are the vendor's sample (Huawei Cloud API reference "Querying
//   Authorized Cloud Services"), as the contract's example gives it.
import type { ApiVersion, ListVersionsResponse } from '../../../generated/smn.js';
import type { HttpOperation } from '../../engine/operations.js';
import { Family, type FamilyModule, type Handler } from '../family.js';

/** The JSON example of the operation's 200 answer, as the contract gives it. */
function successExample(operation: HttpOperation): Record<string, unknown> {
  const contents = operation.responses.find((response) => response.code === '200')?.contents ?? [];
  const example = contents.find((content) => content.mediaType === 'application/json')?.examples?.[0] as { value?: unknown } | undefined;
  if (typeof example?.value !== 'object' || example.value === null) throw new Error(`the contract has no JSON example of ${operation.iid ?? 'an operation'}'s 200 answer`);
  return structuredClone(example.value) as Record<string, unknown>;
}

/** A version of the sample, its links leading to the mock itself (the sample's `https://127.0.0.1/v2` is the service's own address). */
const onThisMock = (version: ApiVersion, baseUrl: string): ApiVersion => ({
  ...version,
  ...(version.links ? { links: version.links.map((link) => ({ ...link, href: `${baseUrl}/${version.id}` })) } : {}),
});

export class ServiceInfo extends Family {
  readonly kinds = [] as const;

  override readonly handlers: Readonly<Record<string, Handler>> = {
    ListVersions: ({ operation, notifier }) => {
      const { versions } = successExample(operation) as unknown as ListVersionsResponse;
      return { body: { versions: versions.map((version) => onThisMock(version, notifier.baseUrl())) } };
    },
    ListVersion: ({ operation, notifier }) => {
      const { version } = successExample(operation) as { version: ApiVersion };
      return { body: { version: onThisMock(version, notifier.baseUrl()) } };
    },
    ListProtocols: ({ responses }) => {
      const protocols = (responses.componentSchema('SubscribingProtocol') as { enum: string[] }).enum;
      return { body: { request_id: '', protocols: [...protocols] } };
    },
    ListCloudService: ({ operation }) => ({ body: { ...successExample(operation), request_id: '' } }),
    ListCloudServices: ({ operation }) => ({ body: { ...successExample(operation), request_id: '' } }),
  };
}

export const serviceInfo = {
  create: () => new ServiceInfo(),
} satisfies FamilyModule<ServiceInfo>;
