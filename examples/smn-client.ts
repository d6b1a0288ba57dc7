// An application's SMN calls, typed by the contract: openapi-fetch over the generated
// `paths` of smn-kit-contract, each request signed with AK/SK as the Huawei Cloud SDKs
// sign it (signRequest), topic URNs put in the path as the SDKs put them, colons unencoded.
// CreateTopic -> AddSubscription -> PublishMessage, against the mock or SMN itself.
//
//   npm install smn-kit-contract openapi-fetch && npm install -D typescript @types/node
//   SMN_AK=... SMN_SK=... SMN_PROJECT_ID=... SMN_ENDPOINT=http://127.0.0.1:4010 node smn-client.js
//   (the mock verifies the signatures with: npx smn-kit mock --auth aksk, SMN_MOCK_AK and SMN_MOCK_SK set)
import createClient, { type Middleware } from 'openapi-fetch';
import { signRequest } from 'smn-kit-contract';
import type { paths } from 'smn-kit-contract/types';

const required = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`set ${name}`);
  return value;
};
const projectId = required('SMN_PROJECT_ID');
const keys = { ak: required('SMN_AK'), sk: required('SMN_SK') };

const signing: Middleware = {
  async onRequest({ request }) {
    const body = request.body ? await request.clone().text() : undefined;
    const headers: Record<string, string> = { 'X-Project-Id': projectId };
    if (body !== undefined) headers['Content-Type'] = request.headers.get('content-type') ?? 'application/json';
    const signed = signRequest({ method: request.method, url: request.url, headers, body }, keys);
    const out = new Headers(request.headers);
    for (const [name, value] of Object.entries({ ...headers, ...signed })) out.set(name, value);
    return new Request(request, { headers: out });
  },
};

const smn = createClient<paths>({
  baseUrl: process.env.SMN_ENDPOINT ?? 'http://127.0.0.1:4010',
  pathSerializer: (path, params) => path.replace(/\{(\w+)\}/g, (_, name: string) => String(params[name])),
});
smn.use(signing);

async function main(): Promise<void> {
  const project = { project_id: projectId };
  const topic = await smn.POST('/v2/{project_id}/notifications/topics', { params: { path: project }, body: { name: 'orders', display_name: 'Order desk' } });
  if (!topic.data) throw new Error(`CreateTopic: ${topic.response.status} ${JSON.stringify(topic.error)}`);
  const topic_urn = topic.data.topic_urn; // 201 new, 200 already there
  console.log(`topic ${topic_urn} (${topic.response.status})`);

  const subscription = await smn.POST('/v2/{project_id}/notifications/topics/{topic_urn}/subscriptions', {
    params: { path: { ...project, topic_urn } },
    body: { protocol: 'https', endpoint: 'https://orders.example.com/smn', remark: 'order desk' }, // gets a SubscriptionConfirmation
  });
  if (!subscription.data) throw new Error(`AddSubscription: ${subscription.response.status} ${JSON.stringify(subscription.error)}`);
  console.log(`subscription ${subscription.data.subscription_urn} (${subscription.response.status})`);

  const sent = await smn.POST('/v2/{project_id}/notifications/topics/{topic_urn}/publish', {
    params: { path: { ...project, topic_urn } },
    body: { subject: 'Order 42', message: 'Order 42 has shipped' },
  });
  // Errors are typed too: SMN's {request_id, code, message} (SMN.0006: no such topic), or
  // the API gateway's {request_id, error_code, error_msg} (APIGW.0301: a bad signature).
  if (sent.error) {
    const { code, message } = 'code' in sent.error ? sent.error : { code: sent.error.error_code, message: sent.error.error_msg };
    throw new Error(`PublishMessage: ${sent.response.status} ${code} ${message}`);
  }
  console.log(`message ${sent.data.message_id}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
