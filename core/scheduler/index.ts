/**
 * The per-session scheduler (seed-defender §9, seed-gateway §5.2): one lane per canonical
 * session key, one active evaluation per lane, queue modes, bounded concurrency and capacity.
 *
 * - Lane key = the action's canonical session key (one key is one session everywhere; the seed
 *   used the raw value, seed-gateway §8 item 13).
 * - Capacity: at most `max(runtime.max_queue, 16)` lanes in flight and as many queued actions
 *   across lanes. Beyond that an action is refused with a logged decision (`refuse`), never
 *   dropped silently.
 * - `runtime.worker_concurrency` bounds evaluations running at once across lanes.
 * - Queue modes: `followup` (FIFO), `steer` (only the newest waiting action survives; the others
 *   settle as superseded), `collect` (consecutive prompt-only actions merge into one).
 * - A lane exists only while it has work: idle lanes are deleted, so every map is bounded.
 */
import type { Action, DecisionRecord, Evaluation, Logger, TalonConfig } from "@talon/sdk";
import { checkActivation, type ActivationSettings } from "./activation.ts";
import { Semaphore } from "./semaphore.ts";

/** The seed's floor on `runtime.max_queue` (seed §9.1), kept so its corpora behave the same. */
const MIN_MAX_QUEUE = 16;

/** What the scheduler needs from the defender. */
export interface SchedulerDeps {
  config(): TalonConfig;
  readonly log: Logger;
  /** Evaluate one action (a cache answer may come back at once); a rejection is passed to `fail`. */
  run(action: Action): Promise<DecisionRecord> | DecisionRecord;
  /** Settle an action refused for capacity with a logged decision. */
  refuse(action: Action, reason: string): DecisionRecord;
  /** Settle an action whose evaluation failed unexpectedly (fail closed). */
  fail(action: Action, error: unknown): DecisionRecord;
  /** `collect` mode: merge a queued prompt-only action with the newer one behind it. */
  merge(queued: Action, incoming: Action): Action;
}

interface Job {
  action: Action;
  settle(evaluation: Evaluation): void;
}

interface Lane {
  readonly key: string;
  /** Actions waiting behind the running one. */
  readonly queue: Job[];
}

/** Prompt-only actions can be merged in `collect` mode (seed §9.2). */
function collectable(action: Action): boolean {
  if (action.prompt === undefined) return false;
  for (const field of action.fields) if (field.kind === "command" || field.kind === "url" || field.kind === "file") return false;
  return action.command === undefined && action.url === undefined && action.filePath === undefined;
}

/** Lanes per canonical session key (see the module comment). */
export class SessionScheduler {
  readonly #deps: SchedulerDeps;
  readonly #lanes = new Map<string, Lane>();
  readonly #permits: Semaphore;
  #pending = 0;
  #warnedFloor = -1;
  #idle: (() => void)[] = [];
  /** Activation settings of the runtime config they were read from (rebuilt on reload only). */
  #activationOf: TalonConfig["runtime"] | undefined;
  #activation: ActivationSettings = { mode: "always", authorizedSenders: [] };

  constructor(deps: SchedulerDeps) {
    this.#deps = deps;
    this.#permits = new Semaphore(() => deps.config().runtime.worker_concurrency);
  }

  /** Lanes with work, queued actions, running evaluations. */
  stats(): { lanes: number; pending: number; running: number; waiting: number } {
    return { lanes: this.#lanes.size, pending: this.#pending, running: this.#permits.active, waiting: this.#permits.waiting };
  }

  /** Resolves when no lane has work. */
  idle(): Promise<void> {
    if (this.#lanes.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  #capacity(config: TalonConfig): number {
    const configured = config.runtime.max_queue;
    if (configured < MIN_MAX_QUEUE && this.#warnedFloor !== configured) {
      this.#warnedFloor = configured;
      this.#deps.log.warn(
        { max_queue: configured, effective: MIN_MAX_QUEUE },
        `runtime.max_queue ${configured} is below the minimum; using ${MIN_MAX_QUEUE}`,
      );
    }
    return Math.max(configured, MIN_MAX_QUEUE);
  }

  /** Hand an action to its session's lane. Always settles. */
  submit(action: Action): Promise<Evaluation> {
    const config = this.#deps.config();
    const runtime = config.runtime;
    if (this.#activationOf !== runtime) {
      this.#activationOf = runtime;
      this.#activation = { mode: runtime.group_activation_mode, authorizedSenders: runtime.command_authorized_senders };
    }
    const gate = checkActivation(action, this.#activation);
    if (gate.ignored) {
      this.#deps.log.debug(
        { requestId: action.id, sessionKey: action.sessionKey, source: action.source },
        `action ignored: ${gate.reason}`,
      );
      return Promise.resolve({ status: "ignored", action, reason: gate.reason });
    }
    const capacity = this.#capacity(config);
    const lane = this.#lanes.get(action.sessionKey);
    if (!lane) {
      if (this.#lanes.size >= capacity)
        return Promise.resolve(this.#refuse(action, `${this.#lanes.size} sessions are already being evaluated`, capacity));
      const fresh: Lane = { key: action.sessionKey, queue: [] };
      this.#lanes.set(fresh.key, fresh);
      return this.#run(fresh, action);
    }
    return new Promise((settle) => {
      const refused = this.#enqueue(lane, { action, settle }, runtime.session_queue_mode, capacity);
      if (refused) settle(refused);
    });
  }

  #refuse(action: Action, why: string, capacity: number): Evaluation {
    const reason = `defender queue full (runtime.max_queue = ${capacity}): ${why}; request refused for capacity`;
    return { status: "decided", record: this.#deps.refuse(action, reason) };
  }

  /**
   * Queue a job behind the lane's running action. Capacity is checked only where the queue grows:
   * a steer that replaces waiting actions and a collect merge add nothing, so they are never
   * refused. Returns the refusal when the job was refused (the job is then not queued).
   */
  #enqueue(lane: Lane, job: Job, mode: TalonConfig["runtime"]["session_queue_mode"], capacity: number): Evaluation | undefined {
    if (mode === "steer" && lane.queue.length > 0) {
      for (const old of lane.queue) this.#supersede(old, job.action);
      this.#pending -= lane.queue.length - 1;
      lane.queue.length = 0;
      lane.queue.push(job);
      return undefined;
    }
    if (mode === "collect") {
      const last = lane.queue.at(-1);
      if (last && collectable(last.action) && collectable(job.action)) {
        this.#supersede(last, job.action);
        lane.queue[lane.queue.length - 1] = { action: this.#deps.merge(last.action, job.action), settle: job.settle };
        return undefined;
      }
    }
    if (this.#pending >= capacity) return this.#refuse(job.action, `${this.#pending} actions are already queued`, capacity);
    lane.queue.push(job);
    this.#pending++;
    return undefined;
  }

  #supersede(job: Job, by: Action): void {
    this.#deps.log.info(
      { requestId: job.action.id, by: by.id, sessionKey: job.action.sessionKey },
      "queued action superseded by a newer one of the same session",
    );
    job.settle({ status: "superseded", action: job.action, by: by.id });
  }

  /**
   * Evaluate the lane's running action under a worker permit, then start the lane's next action
   * (or close the lane). Never rejects. For the first action of a lane this promise is the
   * caller's (no settle callback in the commonest case, a lane with one action).
   */
  async #run(lane: Lane, action: Action): Promise<Evaluation> {
    const wait = this.#permits.acquire();
    if (wait) await wait;
    let record: DecisionRecord;
    try {
      record = await this.#deps.run(action);
    } catch (error) {
      record = this.#deps.fail(action, error);
    } finally {
      this.#permits.release();
    }
    this.#next(lane);
    return { status: "decided", record };
  }

  /** Start the lane's next queued action, or close the lane. */
  #next(lane: Lane): void {
    const job = lane.queue.shift();
    if (job) {
      this.#pending--;
      void this.#drive(lane, job);
      return;
    }
    this.#lanes.delete(lane.key);
    if (this.#lanes.size === 0 && this.#idle.length > 0) {
      const waiters = this.#idle;
      this.#idle = [];
      for (const wake of waiters) wake();
    }
  }

  async #drive(lane: Lane, job: Job): Promise<void> {
    job.settle(await this.#run(lane, job.action));
  }
}
