// Typed state shared by the steps of one build. Packer's state bag is untyped and every
// read is a cast; here a key carries its value's type, so a step reading what another
// step wrote is checked by the compiler.
import { ImgbuildError } from './errors.js';

export class StateKey<T> {
  declare readonly _type: T;
  constructor(readonly name: string) {}
}

export class StateBag {
  private readonly values = new Map<StateKey<unknown>, unknown>();

  get<T>(key: StateKey<T>): T | undefined {
    return this.values.get(key) as T | undefined;
  }

  /** For values an earlier step must have set; a missing one is a bug in imgbuild. */
  require<T>(key: StateKey<T>): T {
    if (!this.values.has(key)) {
      throw new ImgbuildError('E_STATE', `internal: state "${key.name}" was not set by an earlier step`, {
        source: 'internal',
      });
    }
    return this.values.get(key) as T;
  }

  set<T>(key: StateKey<T>, value: T): void {
    this.values.set(key, value);
  }

  delete<T>(key: StateKey<T>): void {
    this.values.delete(key);
  }
}
