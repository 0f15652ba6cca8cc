/**
 * `parapet rotate-master-key` works on the store directly, like export/import (`backup.ts`); the CLI layer may
 * not import the store, so the rotation (`../store/master-key-rotation.ts`) is reached through here.
 */
export {
  parseNewKey,
  RotationRefusedError,
  type RotationResult,
  type RotationTarget,
  rotateMasterKey,
} from '../store/master-key-rotation.ts';
