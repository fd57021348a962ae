/**
 * Events plugins emit to connected clients. Each event is declared with the scope a client
 * needs to receive it and whether a slow client may miss it; undeclared events fail closed
 * (admins only). The standalone gateway subscribes and fans events out.
 */
import { TalonError, type EventDefinition, type MethodScope } from "@talon/sdk";

export type EventListener = (name: string, payload: unknown, definition: EventDefinition) => void;

const UNDECLARED: Omit<EventDefinition, "name"> = { scope: "operator.admin", droppable: false };

export class EventBus {
  readonly #definitions = new Map<string, EventDefinition & { plugin: string }>();
  readonly #listeners = new Set<EventListener>();

  /** Declare an event. A declarer may replace its own definition (e.g. on a config reload); another's only with the same scope and droppability. */
  declare(definition: EventDefinition, plugin: string): void {
    const existing = this.#definitions.get(definition.name);
    if (
      existing &&
      existing.plugin !== plugin &&
      (existing.scope !== definition.scope || Boolean(existing.droppable) !== Boolean(definition.droppable))
    ) {
      throw new TalonError(
        "TALON_RPC_DUPLICATE_METHOD",
        `event ${definition.name} is already declared by ${existing.plugin} with another scope`,
        { plugin },
      );
    }
    this.#definitions.set(definition.name, { ...definition, plugin });
  }

  definition(name: string): EventDefinition {
    return this.#definitions.get(name) ?? { name, ...UNDECLARED };
  }

  scopeOf(name: string): MethodScope {
    return this.definition(name).scope;
  }

  /** Names for `hello-ok.features.events`. */
  declared(): string[] {
    return [...this.#definitions.keys()];
  }

  subscribe(listener: EventListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  emit(name: string, payload: unknown): void {
    const definition = this.definition(name);
    for (const listener of this.#listeners) listener(name, payload, definition);
  }
}
