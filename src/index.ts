// Public API: the emulator as a library (architecture.md §5).
export { createEmulator, StartupError } from './emulator.js';
export type { Emulator, EmulatorOptions, ListenerInfo } from './emulator.js';
export type { EmulatorConfig, LoadedConfig } from './config/types.js';
export { loadConfig, ConfigError } from './config/load.js';
export { FakeClock, SequentialIds } from './core/clock.js';
