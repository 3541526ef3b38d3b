// State keys the core and every builder share. They live apart from the provisioning step so
// a builder sets its communicator and generated data without importing the step itself.
import type { Communicator, GeneratedData, ProvisionHooks } from './plugin.js';
import { StateKey } from './state.js';

/** Set by builders that act around each provisioner (layer commits, step cache). */
export const PROVISION_HOOKS = new StateKey<ProvisionHooks>('provision-hooks');
/** Set by the builder's connect step; provisioners run through it. Absent: communicator "none". */
export const COMMUNICATOR = new StateKey<Communicator>('communicator');
/** `build.*` values; the core seeds ID and PackerRunUUID, builders add Host, Port, User... */
export const GENERATED_DATA = new StateKey<GeneratedData>('generated-data');
