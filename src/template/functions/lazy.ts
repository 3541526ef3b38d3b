// Some functions need a sizeable library (yaml, bcrypt, glob matching) that most templates
// never call. Function bodies are synchronous, so instead of a dynamic import they require
// the module on first call: `imgbuild validate` then pays nothing for functions it does not use.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export function lazyModule<T>(name: string): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= require(name) as T);
}
