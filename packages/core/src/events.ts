type Listener<T> = (payload: T) => void;

export interface Emitter<Events> {
  on<K extends keyof Events>(event: K, fn: Listener<Events[K]>): () => void;
  emit<K extends keyof Events>(event: K, payload: Events[K]): void;
  /** Removes every listener. */
  clear(): void;
}

/** A listener that throws is reported, never rethrown: the host page's bug must not stop the SDK. */
export function createEmitter<Events>(report: (error: unknown) => void): Emitter<Events> {
  const listeners = new Map<keyof Events, Set<Listener<never>>>();
  return {
    on(event, fn) {
      const set = listeners.get(event) ?? new Set();
      listeners.set(event, set);
      set.add(fn as Listener<never>);
      return () => set.delete(fn as Listener<never>);
    },
    emit(event, payload) {
      for (const fn of Array.from(listeners.get(event) ?? [])) {
        try {
          (fn as Listener<typeof payload>)(payload);
        } catch (error) {
          report(error);
        }
      }
    },
    clear: () => listeners.clear(),
  };
}
