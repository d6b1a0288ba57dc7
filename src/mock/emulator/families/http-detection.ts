// HTTP detection: PublishHttpDetect probes an http(s) endpoint from a topic, before it is
// subscribed, and ShowHttpDetectResult reports what came back (Huawei Cloud API reference
// "Publishing a Detection Message", "Querying the HTTP Detection Result"; SDK models
// HttpDetectRequestBody, GetHttpDetectResponseBodyDetail).
//
// The emulator really sends the probe, through its delivery (delivery/notifier.ts: one
// signed Notification with the probe's custom headers, a single attempt of SMN's 5 s,
// to the hosts the delivery policy allows: loopback unless --allow-hosts), and answers
// PublishHttpDetect once the probe is done, as PublishMessage answers once each
// subscriber had its first attempt: the result is there when the client asks. The
// result, as the model reads: `status` 0 when the endpoint answered 2xx (usable), 2
// otherwise; `detail.httpCode` the endpoint's status, 0 when it was not sent to (left out
// after failing, as SMN's blacklist; or a host the mock may not deliver to), -1 when it
// did not answer in time (or could not be reached), -2 when too many probes were running
// (status 1, "not run"); `detail.httpResponse` SMN's fixed text for those and for 2xx
// (the vendor does not publish them: the kit's, saying what happened), the endpoint's
// own answer (its first 2,048 characters) otherwise. Each project keeps its last 100
// probes; the oldest is forgotten, never refused.
import { randomBytes } from 'node:crypto';
import { fieldError } from '../../../contract/body-fields.js';
import type { HttpDetectRequest } from '../../../generated/smn.js';
import type { ProbeOutcome } from '../../delivery/notifier.js';
import { refusedEndpoint } from '../../delivery/policy.js';
import { Family, notFound, topicNotFound, type FamilyCore, type FamilyModule, type Handler } from '../family.js';
import { projectKey } from '../projects.js';

/** A probe and its result, as ShowHttpDetectResult reports it. */
export interface DetectionTask {
  task_id: string;
  topic_urn: string;
  protocol: string;
  endpoint: string;
  create_time: string;
  /** 0 done (the endpoint is usable), 1 not run, 2 failed. */
  status: 0 | 1 | 2;
  detail: { httpCode: number; httpResponse: string };
}

export type DetectionChange = { kind: 'http-detection'; project: string; task: DetectionTask };

/** Absent when none. */
export interface DetectionPart {
  http_detections?: DetectionTask[];
}

export const DETECTION_LIMITS = {
  /** Probes kept per project; past it the oldest is forgotten (a probe is never refused). */
  httpDetectionsPerProject: { max: 100, code: 'SMN.0001' },
} as const;

/** Probes running at once; past it a probe is not run (httpCode -2, "the queue is full"). */
const PROBES_AT_ONCE = 8;

/** What this family reads of the topics. */
export interface DetectionTopics {
  knows(projectId: string, topicUrn: string): boolean;
}

/** What this family asks of the delivery: one probe. */
export interface Prober {
  probe(projectId: string, topicUrn: string, probeId: string, target: { protocol: string; endpoint: string; header?: Record<string, string> }): Promise<ProbeOutcome>;
}

/** The task's status and detail for what became of the probe. */
function resultOf(outcome: ProbeOutcome): Pick<DetectionTask, 'status' | 'detail'> {
  if ('notSent' in outcome) return { status: 2, detail: { httpCode: 0, httpResponse: `not sent: ${outcome.notSent}` } };
  if ('noAnswer' in outcome) return { status: 2, detail: { httpCode: -1, httpResponse: `no answer within 5 seconds: ${outcome.noAnswer}` } };
  const ok = outcome.status >= 200 && outcome.status < 300;
  return ok ? { status: 0, detail: { httpCode: outcome.status, httpResponse: 'success' } } : { status: 2, detail: { httpCode: outcome.status, httpResponse: outcome.answer } };
}

export class HttpDetection extends Family<DetectionChange, DetectionPart> {
  readonly kinds = ['http-detection'] as const;
  /** By project key, oldest first. */
  private byProject = new Map<string, DetectionTask[]>();
  private running = 0;

  constructor(
    private readonly core: FamilyCore<DetectionChange>,
    private readonly families: { topics: DetectionTopics },
  ) {
    super();
  }

  override apply(change: DetectionChange): void {
    const key = projectKey(change.project);
    let tasks = this.byProject.get(key);
    if (!tasks) this.byProject.set(key, (tasks = []));
    tasks.push(change.task);
    if (tasks.length > DETECTION_LIMITS.httpDetectionsPerProject.max) tasks.shift();
  }

  override reset(): void {
    this.byProject = new Map();
  }

  override forgetTopic(projectId: string, topicUrn: string): void {
    const key = projectKey(projectId);
    const tasks = this.byProject.get(key);
    if (tasks?.some((task) => task.topic_urn === topicUrn)) this.byProject.set(key, tasks.filter((task) => task.topic_urn !== topicUrn));
  }

  override projectPart(key: string): DetectionPart {
    const tasks = this.byProject.get(key);
    return tasks?.length ? { http_detections: tasks } : {};
  }

  override restoreProject(key: string, part: DetectionPart): void {
    if (part.http_detections) this.byProject.set(key, part.http_detections);
  }

  override pastLimit(): boolean {
    return [...this.byProject.values()].some((tasks) => tasks.length > DETECTION_LIMITS.httpDetectionsPerProject.max);
  }

  override readonly handlers: Readonly<Record<string, Handler>> = {
    PublishHttpDetect: async ({ contract, responses, projectId, path, body, notifier }) => {
      const topicUrn = path.topic_urn!;
      if (!this.families.topics.knows(projectId, topicUrn)) return topicNotFound(contract, projectId, topicUrn);
      const { protocol, endpoint, extension } = body as HttpDetectRequest;
      // The contract checked the scheme's prefix; the URL must also be one, of the protocol given.
      const malformed = refusedEndpoint(protocol, endpoint, 'any');
      if (malformed) return { error: fieldError(responses.componentSchema('HttpDetectRequest'), ['endpoint'])!, reason: malformed, where: ['body', 'endpoint'] };
      const taskId = randomBytes(16).toString('hex');
      const created = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
      let result: Pick<DetectionTask, 'status' | 'detail'>;
      if (this.running >= PROBES_AT_ONCE) {
        result = { status: 1, detail: { httpCode: -2, httpResponse: `the queue of probes is full (${PROBES_AT_ONCE} running): the probe did not run` } };
      } else {
        this.running += 1;
        try {
          const prober: Prober = notifier;
          result = resultOf(await prober.probe(projectId, topicUrn, taskId, { protocol, endpoint, header: extension?.header }));
        } finally {
          this.running -= 1;
        }
      }
      // The topic may have gone while the probe ran: then there is nothing to keep it under.
      if (this.families.topics.knows(projectId, topicUrn)) {
        this.core.change({ kind: 'http-detection', project: projectId, task: { task_id: taskId, topic_urn: topicUrn, protocol, endpoint, create_time: created, ...result } });
      }
      return { body: { request_id: '', task_id: taskId } };
    },
    ShowHttpDetectResult: ({ contract, projectId, path }) => {
      const topicUrn = path.topic_urn!;
      if (!this.families.topics.knows(projectId, topicUrn)) return topicNotFound(contract, projectId, topicUrn);
      const task = this.byProject.get(projectKey(projectId))?.find((t) => t.task_id === path.task_id && t.topic_urn === topicUrn);
      if (!task) return notFound(contract, 'task_id', `no probe ${path.task_id} of topic ${topicUrn} in project ${projectId}`);
      return { body: { request_id: '', status: task.status, detail: { ...task.detail } } };
    },
  };
}

export const httpDetection = {
  create: (core, families) => new HttpDetection(core, families),
  limits: DETECTION_LIMITS,
} satisfies FamilyModule<HttpDetection, { topics: DetectionTopics }>;
