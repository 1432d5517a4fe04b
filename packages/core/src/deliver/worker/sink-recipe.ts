/**
 * How a sink is made again on the worker thread. Functions and open files cannot cross threads,
 * so only sinks built from plain options can move: their factory marks them with the recipe.
 */
import type { AuditSink } from '../../types';

const SINK_RECIPE = Symbol.for('auditkit.sink-recipe.v1');

/** A sink factory and its plain (structured-clonable) options. */
export interface SinkRecipe {
  factory: 'fileSink';
  options: Record<string, unknown>;
}

/** Marks `sink` as one the worker can make again from `recipe`. */
export function markMovable<S extends AuditSink>(sink: S, recipe: SinkRecipe): S {
  Object.defineProperty(sink, SINK_RECIPE, { value: recipe });
  return sink;
}

export function recipeOf(sink: AuditSink): SinkRecipe | undefined {
  return (sink as unknown as Record<symbol, SinkRecipe | undefined>)[SINK_RECIPE];
}
