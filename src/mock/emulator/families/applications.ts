// Mobile push applications and their device endpoints (Huawei Cloud API reference,
// "Application" and "Application endpoint" operations; deprecated in the Open Telekom
// Cloud edition): CreateApplication, ListApplications, ListApplicationAttributes,
// UpdateApplication, DeleteApplication, CreateApplicationEndpoint,
// ListApplicationEndpoints, ListApplicationEndpointAttributes, UpdateApplicationEndpoint,
// DeleteApplicationEndpoint. PublishAppMessage (app-messages.ts) reads them.
//
// Per project, applications in the order they were made, each with its endpoints in the
// order they were added (the vendor states no order: the kit's, as for subscriptions).
// An application's `platform_credential` (HMS's app secret, APNS's private key) is a
// secret: no answer carries it (the vendor's models have no field for it), nor GET
// /_mock/state; only the state file (0600) keeps it, so that a restart keeps the
// application as it was.
import { randomBytes, X509Certificate } from 'node:crypto';
import type { ApplicationEndpoint, ApplicationItem, ApplicationPlatform, CreateApplicationEndpointRequest, CreateApplicationRequest, UpdateApplicationEndpointRequest, UpdateApplicationRequest } from '../../../generated/smn.js';
import { pageOf, type Shaper } from '../../engine/examples.js';
import { EMULATOR_REGION } from '../../options.js';
import { Family, notFound, type FamilyCore, type FamilyModule, type Handler } from '../family.js';
import { StateLimitError } from '../limits.js';
import { projectKey, urnProjectId } from '../projects.js';

/** A device endpoint, as ListApplicationEndpoints lists it. */
export type AppEndpoint = Required<ApplicationEndpoint>;

/** An application as the emulator keeps it: what ListApplications shows, its credentials, and its endpoints. */
export interface Application extends Required<Omit<ApplicationItem, 'apple_certificate_expiration_date'>> {
  platform: ApplicationPlatform;
  /** For APNS, when the certificate (`platform_principal`) expires, when it is one. */
  apple_certificate_expiration_date?: string;
  platform_principal: string;
  /** The secret: kept in the state file only. */
  platform_credential?: string;
  endpoints: AppEndpoint[];
}

type Credentials = { platform_principal: string; platform_credential: string; apple_certificate_expiration_date?: string };

export type ApplicationChange =
  | { kind: 'create-application'; project: string; application: Application }
  | ({ kind: 'update-application'; project: string; application_urn: string } & Credentials)
  | { kind: 'delete-application'; project: string; application_urn: string }
  | { kind: 'create-application-endpoint'; project: string; application_urn: string; endpoint: AppEndpoint }
  | { kind: 'update-application-endpoint'; project: string; endpoint_urn: string; enabled?: AppEndpoint['enabled']; user_data?: string }
  | { kind: 'delete-application-endpoint'; project: string; endpoint_urn: string };

/** Absent when none. */
export interface ApplicationsPart {
  applications?: Application[];
}

export const APPLICATION_LIMITS = {
  /** Applications, all projects together (the vendor states no quota: a bound on the emulator's memory). */
  applications: { max: 1000, code: 'SMN.0001' },
  /** Device endpoints, all applications together. */
  applicationEndpoints: { max: 10_000, code: 'SMN.0001' },
} as const;

/** The vendor's errors for what only the state tells (its error-code table). */
const NAME_TAKEN = 'SMN.0121';
const TOKEN_TAKEN = 'SMN.0133';

const now = (): string => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
const hex = (bytes: number): string => randomBytes(bytes).toString('hex');

/**
 * When an APNS push certificate expires (`apple_certificate_expiration_date`), read from
 * `platform_principal`: the certificate in base64 (DER, or PEM text) or PEM; undefined
 * when it is not one.
 */
export function certificateExpiry(principal: string): string | undefined {
  const trimmed = principal.trim();
  const decoded = Buffer.from(trimmed, 'base64');
  for (const candidate of [trimmed.startsWith('-----BEGIN') ? trimmed : undefined, decoded.toString('latin1').startsWith('-----BEGIN') ? decoded.toString('latin1') : decoded]) {
    if (candidate === undefined || candidate.length === 0) continue;
    try {
      return new Date(new X509Certificate(candidate).validTo).toISOString().replace(/\.\d{3}Z$/, 'Z');
    } catch {
      // Not a certificate in this form.
    }
  }
  return undefined;
}

const isApple = (platform: string): boolean => platform === 'APNS' || platform === 'APNS_SANDBOX';

/** ListApplications' filters: `name` the start of the name ("backward fuzzy match"), `platform` exactly. */
export function applicationFilter(query: URLSearchParams): (application: Pick<ApplicationItem, 'name' | 'platform'>) => boolean {
  const name = query.get('name') ?? '';
  const platform = query.get('platform') ?? '';
  return (application) => application.name.startsWith(name) && (platform === '' || application.platform === platform);
}

/** ListApplicationEndpoints' filters, each exact: `enabled`, `token`, `user_data`. */
export function endpointFilter(query: URLSearchParams): (endpoint: ApplicationEndpoint) => boolean {
  const wanted = (['enabled', 'token', 'user_data'] as const).flatMap((field) => {
    const value = query.get(field);
    return value === null || value === '' ? [] : [[field, value] as const];
  });
  return (endpoint) => wanted.every(([field, value]) => endpoint[field] === value);
}

/** An application as ListApplications lists it. */
const listed = ({ name, platform, create_time, application_urn, application_id, enabled, apple_certificate_expiration_date }: Application): ApplicationItem => ({
  name,
  platform,
  create_time,
  application_urn,
  application_id,
  enabled,
  ...(apple_certificate_expiration_date === undefined ? {} : { apple_certificate_expiration_date }),
});

export class Applications extends Family<ApplicationChange, ApplicationsPart> {
  readonly kinds = ['create-application', 'update-application', 'delete-application', 'create-application-endpoint', 'update-application-endpoint', 'delete-application-endpoint'] as const;
  override readonly quotaCode = APPLICATION_LIMITS.applications.code;
  /** By project key, oldest first. */
  private byProject = new Map<string, Application[]>();
  private applicationCount = 0;
  private endpointCount = 0;

  constructor(private readonly core: FamilyCore<ApplicationChange>) {
    super();
  }

  override admit(change: ApplicationChange): void {
    if (change.kind === 'create-application' && this.applicationCount >= APPLICATION_LIMITS.applications.max) {
      const { max, code } = APPLICATION_LIMITS.applications;
      throw new StateLimitError(code, `the emulator keeps at most ${max} applications, all projects together; delete one, or POST /_mock/reset`);
    }
    if (change.kind === 'create-application-endpoint' && this.endpointCount >= APPLICATION_LIMITS.applicationEndpoints.max) {
      const { max, code } = APPLICATION_LIMITS.applicationEndpoints;
      throw new StateLimitError(code, `the emulator keeps at most ${max} application endpoints, all applications together; delete one, or POST /_mock/reset`);
    }
  }

  override shrinks(change: ApplicationChange): boolean {
    return change.kind === 'delete-application' || change.kind === 'delete-application-endpoint';
  }

  override apply(change: ApplicationChange): void {
    const key = projectKey(change.project);
    let applications = this.byProject.get(key);
    if (!applications) this.byProject.set(key, (applications = []));
    switch (change.kind) {
      case 'create-application':
        applications.push(change.application);
        this.applicationCount += 1;
        this.endpointCount += change.application.endpoints.length;
        return;
      case 'update-application': {
        const application = applications.find((a) => a.application_urn === change.application_urn);
        if (!application) return;
        application.platform_principal = change.platform_principal;
        application.platform_credential = change.platform_credential;
        if (change.apple_certificate_expiration_date === undefined) delete application.apple_certificate_expiration_date;
        else application.apple_certificate_expiration_date = change.apple_certificate_expiration_date;
        return;
      }
      case 'delete-application': {
        const at = applications.findIndex((a) => a.application_urn === change.application_urn);
        if (at === -1) return;
        this.endpointCount -= applications[at]!.endpoints.length;
        this.applicationCount -= 1;
        applications.splice(at, 1);
        return;
      }
      case 'create-application-endpoint': {
        const application = applications.find((a) => a.application_urn === change.application_urn);
        if (!application) return;
        application.endpoints.push(change.endpoint);
        this.endpointCount += 1;
        return;
      }
      case 'update-application-endpoint': {
        const endpoint = this.locate(applications, change.endpoint_urn)?.endpoint;
        if (!endpoint) return;
        if (change.enabled !== undefined) endpoint.enabled = change.enabled;
        if (change.user_data !== undefined) endpoint.user_data = change.user_data;
        return;
      }
      case 'delete-application-endpoint': {
        const found = this.locate(applications, change.endpoint_urn);
        if (!found) return;
        found.application.endpoints.splice(found.application.endpoints.indexOf(found.endpoint), 1);
        this.endpointCount -= 1;
        return;
      }
    }
  }

  override reset(): void {
    this.byProject = new Map();
    this.applicationCount = 0;
    this.endpointCount = 0;
  }

  override projectPart(key: string, secrets = false): ApplicationsPart {
    const applications = this.byProject.get(key);
    if (!applications?.length) return {};
    return { applications: secrets ? applications : applications.map(({ platform_credential: _secret, ...shown }) => shown) };
  }

  override restoreProject(key: string, part: ApplicationsPart): void {
    if (!part.applications) return;
    this.byProject.set(key, part.applications);
    this.applicationCount += part.applications.length;
    this.endpointCount += part.applications.reduce((sum, application) => sum + application.endpoints.length, 0);
  }

  override pastLimit(): boolean {
    return this.applicationCount > APPLICATION_LIMITS.applications.max || this.endpointCount > APPLICATION_LIMITS.applicationEndpoints.max;
  }

  private locate(applications: readonly Application[], endpointUrn: string): { application: Application; endpoint: AppEndpoint } | undefined {
    for (const application of applications) {
      const endpoint = application.endpoints.find((e) => e.endpoint_urn === endpointUrn);
      if (endpoint) return { application, endpoint };
    }
    return undefined;
  }

  /** The project's application with this URN, if any. */
  application(projectId: string, applicationUrn: string): Application | undefined {
    return this.byProject.get(projectKey(projectId))?.find((a) => a.application_urn === applicationUrn);
  }

  /** The project's device endpoint with this URN and its application, if any. */
  endpoint(projectId: string, endpointUrn: string): { application: Application; endpoint: AppEndpoint } | undefined {
    return this.locate(this.byProject.get(projectKey(projectId)) ?? [], endpointUrn);
  }

  override readonly handlers: Readonly<Record<string, Handler>> = {
    CreateApplication: ({ projectId, body }) => {
      const { name, platform, platform_principal, platform_credential } = body as CreateApplicationRequest;
      const existing = this.byProject.get(projectKey(projectId))?.find((a) => a.name === name);
      if (existing) {
        // The same application again is the one there (SMN.0121 is for "the same name but different properties").
        const same = existing.platform === platform && existing.platform_principal === platform_principal && existing.platform_credential === platform_credential;
        if (!same) return { error: NAME_TAKEN, reason: `the project has an application ${name} with other properties`, where: ['body', 'name'] };
        return { body: { request_id: '', application_urn: existing.application_urn, application_id: existing.application_id } };
      }
      const id = hex(16);
      const expiry = isApple(platform) ? certificateExpiry(platform_principal) : undefined;
      const application: Application = {
        name,
        platform,
        create_time: now(),
        application_urn: `urn:smn:${EMULATOR_REGION}:${urnProjectId(projectId)}:app-${platform}-${name}-${id.slice(0, 12)}`,
        application_id: id,
        enabled: 'true',
        ...(expiry === undefined ? {} : { apple_certificate_expiration_date: expiry }),
        platform_principal,
        platform_credential,
        endpoints: [],
      };
      this.core.change({ kind: 'create-application', project: projectId, application });
      return { body: { request_id: '', application_urn: application.application_urn, application_id: id } };
    },
    ListApplications: ({ operation, projectId, query }) => {
      const all = this.byProject.get(projectKey(projectId)) ?? [];
      const [offset, limit] = pageOf(operation, query);
      // application_count is every application of the account, whatever the filters and the page (SDK model ListApplicationsResponse).
      return { body: { request_id: '', application_count: all.length, applications: all.filter(applicationFilter(query)).slice(offset, offset + limit).map(listed) } };
    },
    ListApplicationAttributes: ({ contract, projectId, path }) => {
      const application = this.application(projectId, path.application_urn!);
      if (!application) return notFound(contract, 'application_urn', `no application ${path.application_urn} in project ${projectId}`);
      const { enabled, apple_certificate_expiration_date } = application;
      return { body: { request_id: '', application_id: application.application_id, attributes: { enabled, ...(apple_certificate_expiration_date === undefined ? {} : { apple_certificate_expiration_date }) } } };
    },
    UpdateApplication: ({ contract, projectId, path, body }) => {
      const application = this.application(projectId, path.application_urn!);
      if (!application) return notFound(contract, 'application_urn', `no application ${path.application_urn} in project ${projectId}`);
      const { platform_principal, platform_credential } = body as UpdateApplicationRequest;
      const expiry = isApple(application.platform) ? certificateExpiry(platform_principal) : undefined;
      this.core.change({
        kind: 'update-application',
        project: projectId,
        application_urn: application.application_urn,
        platform_principal,
        platform_credential,
        ...(expiry === undefined ? {} : { apple_certificate_expiration_date: expiry }),
      });
      return { body: { request_id: '' } };
    },
    DeleteApplication: ({ contract, projectId, path }) => {
      const application = this.application(projectId, path.application_urn!);
      if (!application) return notFound(contract, 'application_urn', `no application ${path.application_urn} in project ${projectId}`);
      this.core.change({ kind: 'delete-application', project: projectId, application_urn: application.application_urn });
      return { body: { request_id: '' } };
    },
    CreateApplicationEndpoint: ({ contract, projectId, path, body }) => {
      const application = this.application(projectId, path.application_urn!);
      if (!application) return notFound(contract, 'application_urn', `no application ${path.application_urn} in project ${projectId}`);
      const { token, user_data } = body as CreateApplicationEndpointRequest;
      if (application.endpoints.some((e) => e.token === token)) return { error: TOKEN_TAKEN, reason: `application ${application.name} has a device with this token`, where: ['body', 'token'] };
      const endpoint: AppEndpoint = {
        create_time: now(),
        endpoint_urn: `urn:smn:${EMULATOR_REGION}:${urnProjectId(projectId)}:endpoint-${application.platform}-${application.name}-${application.application_id.slice(0, 12)}-${hex(8)}`,
        user_data,
        enabled: 'true',
        token,
      };
      this.core.change({ kind: 'create-application-endpoint', project: projectId, application_urn: application.application_urn, endpoint });
      return { body: { request_id: '', endpoint_urn: endpoint.endpoint_urn } };
    },
    ListApplicationEndpoints: ({ contract, operation, projectId, path, query }) => {
      const application = this.application(projectId, path.application_urn!);
      if (!application) return notFound(contract, 'application_urn', `no application ${path.application_urn} in project ${projectId}`);
      const [offset, limit] = pageOf(operation, query);
      const matching = application.endpoints.filter(endpointFilter(query));
      return { body: { request_id: '', next_page_flag: offset + limit < matching.length, endpoints: matching.slice(offset, offset + limit).map((e) => ({ ...e })) } };
    },
    ListApplicationEndpointAttributes: ({ contract, projectId, path }) => {
      const found = this.endpoint(projectId, path.endpoint_urn!);
      if (!found) return notFound(contract, 'endpoint_urn', `no application endpoint ${path.endpoint_urn} in project ${projectId}`);
      const { enabled, token, user_data } = found.endpoint;
      return { body: { request_id: '', attributes: { enabled, token, user_data } } };
    },
    UpdateApplicationEndpoint: ({ contract, projectId, path, body }) => {
      const found = this.endpoint(projectId, path.endpoint_urn!);
      if (!found) return notFound(contract, 'endpoint_urn', `no application endpoint ${path.endpoint_urn} in project ${projectId}`);
      const { enabled, user_data } = body as UpdateApplicationEndpointRequest;
      if (enabled !== undefined || user_data !== undefined) {
        this.core.change({
          kind: 'update-application-endpoint',
          project: projectId,
          endpoint_urn: found.endpoint.endpoint_urn,
          ...(enabled === undefined ? {} : { enabled }),
          ...(user_data === undefined ? {} : { user_data }),
        });
      }
      return { body: { request_id: '' } };
    },
    DeleteApplicationEndpoint: ({ contract, projectId, path }) => {
      const found = this.endpoint(projectId, path.endpoint_urn!);
      if (!found) return notFound(contract, 'endpoint_urn', `no application endpoint ${path.endpoint_urn} in project ${projectId}`);
      this.core.change({ kind: 'delete-application-endpoint', project: projectId, endpoint_urn: found.endpoint.endpoint_urn });
      return { body: { request_id: '' } };
    },
  };
}

/** The stateless mock's ListApplications: the example filtered and paged, its count the account's (unfiltered). */
const applicationsShape: Shaper = (operation, body, query) => {
  if (!Array.isArray(body.applications)) return body;
  const [offset, limit] = pageOf(operation, query);
  return { ...body, applications: (body.applications as ApplicationItem[]).filter(applicationFilter(query)).slice(offset, offset + limit) };
};

/** The stateless mock's ListApplicationEndpoints: the example filtered and paged, next_page_flag saying whether more follow. */
const endpointsShape: Shaper = (operation, body, query) => {
  if (!Array.isArray(body.endpoints)) return body;
  const [offset, limit] = pageOf(operation, query);
  const matching = (body.endpoints as ApplicationEndpoint[]).filter(endpointFilter(query));
  return { ...body, next_page_flag: offset + limit < matching.length, endpoints: matching.slice(offset, offset + limit) };
};

export const applications = {
  create: (core) => new Applications(core),
  limits: APPLICATION_LIMITS,
  shapes: { ListApplications: applicationsShape, ListApplicationEndpoints: endpointsShape },
} satisfies FamilyModule<Applications>;
