/** Order plugins so each one's dependencies are set up first; name cycles and missing dependencies. */
import { PluginLoadError } from "@talon/sdk";

export interface Orderable {
  name: string;
  dependsOn: readonly string[];
}

/**
 * Stable topological order: among plugins whose dependencies are met, the earlier-listed goes
 * first. `unavailable` names plugins that failed or were disabled, for clearer errors.
 */
export function orderByDependencies<T extends Orderable>(items: readonly T[], unavailable: ReadonlyMap<string, string> = new Map()): T[] {
  const byName = new Map(items.map((item) => [item.name, item]));
  for (const item of items) {
    for (const dep of item.dependsOn) {
      if (byName.has(dep)) continue;
      const why = unavailable.get(dep);
      throw new PluginLoadError(
        "TALON_PLUGIN_DEPENDENCY_MISSING",
        `plugin ${item.name} depends on ${dep}, which ${why ? `is not available (${why})` : "is not loaded"}`,
        { plugin: item.name, hint: `load ${dep} (plugins.builtin / plugins.load) or remove ${item.name}` },
      );
    }
  }
  const ordered: T[] = [];
  const state = new Map<string, "visiting" | "done">();
  const visit = (item: T, trail: string[]) => {
    const seen = state.get(item.name);
    if (seen === "done") return;
    if (seen === "visiting") {
      const cycle = [...trail.slice(trail.indexOf(item.name)), item.name];
      throw new PluginLoadError("TALON_PLUGIN_DEPENDENCY_CYCLE", `plugins depend on each other in a cycle: ${cycle.join(" -> ")}`, {
        plugin: item.name,
        hint: "remove one of the dependsOn entries in the cycle",
      });
    }
    state.set(item.name, "visiting");
    for (const dep of item.dependsOn) visit(byName.get(dep)!, [...trail, item.name]);
    state.set(item.name, "done");
    ordered.push(item);
  };
  for (const item of items) visit(item, []);
  return ordered;
}
