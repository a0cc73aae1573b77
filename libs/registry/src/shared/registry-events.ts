import { Injectable } from '@nestjs/common';

type Listener = () => void;

/** In-process notice that the registry changed, so caches (the pool) drop their copy at once. */
@Injectable()
export class RegistryEvents {
  private readonly listeners = new Set<Listener>();

  onChange(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  changed(): void {
    for (const listener of this.listeners) listener();
  }
}
